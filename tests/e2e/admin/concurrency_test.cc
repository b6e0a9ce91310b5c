// A thousand admin changes while traffic flows: no update is lost (the final state is the
// last write), and no client that had a usable server is dropped. Also run under
// ThreadSanitizer (`bazel test --config=tsan`).
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tender/admin/v1/admin.grpc.pb.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

namespace pb = ::tender::admin::v1;
using Behaviour = TestServer::Behaviour;

TEST(AdminConcurrencyTest, ThousandChangesUnderLoad) {
  TestServer anchor("anchor", Behaviour::kSendName);
  std::vector<std::unique_ptr<TestServer>> others;
  for (int i = 0; i < 4; ++i) others.push_back(std::make_unique<TestServer>(absl::StrCat("s", i), Behaviour::kSendName));
  int port = FreePort(), admin_port = FreePort();
  std::string catalog = absl::StrCat(std::getenv("TEST_TMPDIR"), "/dyn.json");
  std::ofstream(catalog) << "[]";
  std::string servers = absl::StrCat(" server anchor 127.0.0.1:", anchor.port(), "\n");
  for (int i = 0; i < 4; ++i) absl::StrAppend(&servers, " server s", i, " 127.0.0.1:", others[i]->port(), "\n");
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 2\n admin grpc 127.0.0.1:", admin_port, "\n"
      "consul local\n catalog-file ", catalog, "\n"
      "defaults\n mode tcp\n timeout connect 2s\n timeout client 10s\n timeout server 10s\n"
      "listen svc\n bind 127.0.0.1:", port, "\n balance roundrobin\n", servers,
      " server-template dyn 1-4 consul@local/dyn\n")))
      << tender.output();
  // Discovery's first (empty) sync must be behind us before the test fills slots.
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  auto stub = pb::AdminService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", admin_port), grpc::InsecureChannelCredentials()));

  std::atomic<bool> stop{false};
  std::atomic<int> served{0}, failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 3; ++c) {
    clients.emplace_back([&] {
      while (!stop) {
        (FetchName(port).empty() ? failed : served)++;
      }
    });
  }

  std::mt19937 rng(1234);
  std::map<std::string, std::pair<int, pb::AdminState>> last;  // server -> (weight, state)
  for (int i = 0; i < 4; ++i) last[absl::StrCat("s", i)] = {1, pb::ADMIN_STATE_READY};
  std::map<std::string, int> last_slot_port;                    // dyn slot -> port (0: empty)
  for (int i = 0; i < 1000; ++i) {
    int what = rng() % 3;
    grpc::ClientContext ctx;
    ctx.set_wait_for_ready(true);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (what == 0) {
      std::string server = absl::StrCat("s", rng() % 4);
      pb::SetServerWeightRequest req;
      req.set_backend("svc");
      req.set_server(server);
      req.set_weight(rng() % 11);
      pb::Server resp;
      grpc::Status st = stub->SetServerWeight(&ctx, req, &resp);
      if (!st.ok()) {
        ADD_FAILURE() << st.error_code() << " " << st.error_message() << "\n" << tender.output();
        break;
      }
      last[server].first = req.weight();
    } else if (what == 1) {
      std::string server = absl::StrCat("s", rng() % 4);
      pb::SetServerStateRequest req;
      req.set_backend("svc");
      req.set_server(server);
      req.set_state(static_cast<pb::AdminState>(1 + rng() % 3));
      pb::Server resp;
      grpc::Status st = stub->SetServerState(&ctx, req, &resp);
      if (!st.ok()) {
        ADD_FAILURE() << st.error_code() << " " << st.error_message() << "\n" << tender.output();
        break;
      }
      last[server].second = req.state();
    } else {
      pb::ApplyPoolRequest req;
      req.set_backend("svc");
      req.set_template_prefix("dyn");
      last_slot_port.clear();
      for (int slot = 1; slot <= 4; ++slot) {
        if (rng() % 2) continue;
        auto& m = (*req.mutable_slots())[absl::StrCat("dyn", slot)];
        m.set_address("127.0.0.1");
        m.set_port(others[rng() % 4]->port());
        last_slot_port[absl::StrCat("dyn", slot)] = m.port();
      }
      pb::ApplyPoolResponse resp;
      grpc::Status st = stub->ApplyPool(&ctx, req, &resp);
      if (!st.ok()) {
        ADD_FAILURE() << st.error_code() << " " << st.error_message() << "\n" << tender.output();
        break;
      }
    }
  }
  stop = true;
  for (auto& t : clients) t.join();  // always joined: a failed call above only breaks the loop
  if (HasFailure()) return;
  EXPECT_EQ(failed, 0);
  EXPECT_GT(served, 0);

  grpc::ClientContext ctx;
  pb::GetBackendRequest req;
  req.set_backend("svc");
  pb::Backend backend;
  ASSERT_TRUE(stub->GetBackend(&ctx, req, &backend).ok());
  for (const pb::Server& s : backend.servers()) {
    if (last.count(s.name())) {
      const auto& [weight, state] = last[s.name()];
      EXPECT_EQ(s.weight(), static_cast<uint32_t>(weight)) << s.name();
      EXPECT_EQ(s.admin_state(), state) << s.name();
    }
    if (s.template_prefix() == "dyn") {
      auto it = last_slot_port.find(s.name());
      if (it == last_slot_port.end()) {
        EXPECT_EQ(s.address(), "") << s.name();
        EXPECT_EQ(s.admin_state(), pb::ADMIN_STATE_MAINT) << s.name();
      } else {
        EXPECT_EQ(s.port(), static_cast<uint32_t>(it->second)) << s.name();
      }
    }
  }
}

}  // namespace
}  // namespace tender::testing
