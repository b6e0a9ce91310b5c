// The gRPC admin service against the real binary: every RPC, every error code, events,
// reflection (what grpcurl does) and gRPC health.
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <memory>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "google/protobuf/descriptor.pb.h"
#include "tender/admin/v1/admin.grpc.pb.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

using Behaviour = TestServer::Behaviour;
namespace pb = ::tender::admin::v1;

class AdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = std::make_unique<TestServer>("a", Behaviour::kSendName);
    b_ = std::make_unique<TestServer>("b", Behaviour::kSendName);
    port_ = FreePort();
    dyn_port_ = FreePort();
    admin_port_ = FreePort();
    // An empty catalog: discovery syncs (so the service is ready) and leaves the slots to
    // ApplyPool.
    std::string catalog = absl::StrCat(std::getenv("TEST_TMPDIR"), "/web.json");
    std::ofstream(catalog) << "[]";
    ASSERT_TRUE(tender_.Start(absl::StrCat(
        "global\n nbthread 1\n admin grpc 127.0.0.1:", admin_port_, "\n"
        "consul local\n catalog-file ", catalog, "\n"
        "defaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n timeout queue 200ms\n"
        "listen svc\n bind 127.0.0.1:", port_, "\n balance roundrobin\n"
        " server a 127.0.0.1:", a_->port(), " check inter 100ms\n"
        " server b 127.0.0.1:", b_->port(), "\n"
        "frontend dynfe\n bind 127.0.0.1:", dyn_port_, "\n default_backend dyn\n"
        "backend dyn\n server-template web 1-3 consul@local/web check inter 100ms\n")))
        << tender_.output();
    // Discovery's first (empty) sync must be behind us before the tests fill slots.
    ASSERT_TRUE(tender_.WaitForOutput("discovery: every source has synced")) << tender_.output();
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", admin_port_), grpc::InsecureChannelCredentials());
    stub_ = pb::AdminService::NewStub(channel_);
  }

  template <typename Req, typename Resp, typename Method>
  grpc::Status Call(Method method, const Req& req, Resp* resp) {
    grpc::ClientContext ctx;
    ctx.set_wait_for_ready(true);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return (stub_.get()->*method)(&ctx, req, resp);
  }

  pb::Server SetState(const std::string& backend, const std::string& server, pb::AdminState state,
                      grpc::StatusCode expected = grpc::StatusCode::OK) {
    pb::SetServerStateRequest req;
    req.set_backend(backend);
    req.set_server(server);
    req.set_state(state);
    pb::Server resp;
    grpc::Status s = Call(&pb::AdminService::Stub::SetServerState, req, &resp);
    EXPECT_EQ(s.error_code(), expected) << s.error_message();
    return resp;
  }

  pb::Backend Backend(const std::string& name) {
    pb::GetBackendRequest req;
    req.set_backend(name);
    pb::Backend resp;
    grpc::Status s = Call(&pb::AdminService::Stub::GetBackend, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  static const pb::Server* Find(const pb::Backend& b, const std::string& name) {
    for (const pb::Server& s : b.servers()) {
      if (s.name() == name) return &s;
    }
    return nullptr;
  }

  std::unique_ptr<TestServer> a_, b_;
  int port_ = 0, dyn_port_ = 0, admin_port_ = 0;
  TenderProcess tender_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::AdminService::Stub> stub_;
};

TEST_F(AdminTest, GetInfoAndListFrontends) {
  pb::Info info;
  ASSERT_TRUE(Call(&pb::AdminService::Stub::GetInfo, pb::GetInfoRequest(), &info).ok());
  EXPECT_EQ(info.version(), "0.1.0");
  EXPECT_EQ(info.workers(), 1u);
  EXPECT_EQ(info.pid(), tender_.pid());
  ASSERT_EQ(info.config_files_size(), 1);
  pb::ListFrontendsResponse fes;
  ASSERT_TRUE(Call(&pb::AdminService::Stub::ListFrontends, pb::ListFrontendsRequest(), &fes).ok());
  ASSERT_EQ(fes.frontends_size(), 2);
  EXPECT_EQ(fes.frontends(0).name(), "svc");
  EXPECT_EQ(fes.frontends(0).binds(0), absl::StrCat("127.0.0.1:", port_));
  EXPECT_EQ(fes.frontends(0).default_backend(), "svc");
  EXPECT_EQ(fes.frontends(1).default_backend(), "dyn");
  EXPECT_EQ(fes.frontends(0).mode(), pb::MODE_TCP);
}

TEST_F(AdminTest, ListAndGetBackends) {
  pb::ListBackendsResponse list;
  ASSERT_TRUE(Call(&pb::AdminService::Stub::ListBackends, pb::ListBackendsRequest(), &list).ok());
  ASSERT_EQ(list.backends_size(), 2);
  pb::Backend svc = Backend("svc");
  EXPECT_EQ(svc.balance(), "roundrobin");
  ASSERT_EQ(svc.servers_size(), 2);
  const pb::Server* a = Find(svc, "a");
  EXPECT_EQ(a->address(), "127.0.0.1");
  EXPECT_EQ(a->port(), static_cast<uint32_t>(a_->port()));
  EXPECT_EQ(a->weight(), 1u);
  EXPECT_EQ(a->admin_state(), pb::ADMIN_STATE_READY);
  EXPECT_EQ(a->health_state(), pb::HEALTH_STATE_UP);
  EXPECT_TRUE(a->checked());
  EXPECT_EQ(a->source(), pb::SERVER_SOURCE_CONFIG);
  pb::Backend dyn = Backend("dyn");
  ASSERT_EQ(dyn.servers_size(), 3);
  EXPECT_EQ(dyn.servers(0).name(), "web1");
  EXPECT_EQ(dyn.servers(0).source(), pb::SERVER_SOURCE_TEMPLATE_SLOT);
  EXPECT_EQ(dyn.servers(0).template_prefix(), "web");
  EXPECT_EQ(dyn.servers(0).admin_state(), pb::ADMIN_STATE_MAINT);
  EXPECT_EQ(dyn.servers(0).address(), "");

  pb::GetBackendRequest req;
  pb::Backend resp;
  EXPECT_EQ(Call(&pb::AdminService::Stub::GetBackend, req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  req.set_backend("nope");
  grpc::Status s = Call(&pb::AdminService::Stub::GetBackend, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "no backend named 'nope'");
}

TEST_F(AdminTest, DrainKeepsEstablishedConnectionsAndTakesNoNewOnes) {
  TestServer hold("held", Behaviour::kHold);
  pb::SetServerAddressRequest move;
  move.set_backend("svc");
  move.set_server("b");
  move.set_address("127.0.0.1");
  move.set_port(hold.port());
  pb::Server moved;
  ASSERT_TRUE(Call(&pb::AdminService::Stub::SetServerAddress, move, &moved).ok());
  SetState("svc", "a", pb::ADMIN_STATE_MAINT);
  int fd = ConnectTo(port_);
  ASSERT_EQ(ReadLine(fd), "held");  // on b
  pb::Server drained = SetState("svc", "b", pb::ADMIN_STATE_DRAIN);
  EXPECT_EQ(drained.admin_state(), pb::ADMIN_STATE_DRAIN);
  EXPECT_EQ(drained.operator_state(), pb::ADMIN_STATE_DRAIN);
  SetState("svc", "a", pb::ADMIN_STATE_READY);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(FetchName(port_), "a");  // nothing new goes to b
  // The established session still relays: the held server is still connected.
  EXPECT_EQ(hold.open_connections(), 1);
  close(fd);
  SetState("svc", "b", pb::ADMIN_STATE_READY);
  std::map<std::string, int> counts;
  for (int i = 0; i < 4; ++i) counts[FetchName(port_)]++;
  EXPECT_EQ(counts["a"], 2);
  EXPECT_EQ(counts["held"], 2);
}

TEST_F(AdminTest, SetServerStateErrors) {
  SetState("svc", "zz", pb::ADMIN_STATE_MAINT, grpc::StatusCode::NOT_FOUND);
  SetState("nope", "a", pb::ADMIN_STATE_MAINT, grpc::StatusCode::NOT_FOUND);
  SetState("svc", "a", pb::ADMIN_STATE_UNSPECIFIED, grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AdminTest, MaintTakesNoTraffic) {
  SetState("svc", "a", pb::ADMIN_STATE_MAINT);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(FetchName(port_), "b");
}

TEST_F(AdminTest, SetServerWeight) {
  pb::SetServerWeightRequest req;
  req.set_backend("svc");
  req.set_server("a");
  req.set_weight(0);
  pb::Server resp;
  ASSERT_TRUE(Call(&pb::AdminService::Stub::SetServerWeight, req, &resp).ok());
  EXPECT_EQ(resp.weight(), 0u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(FetchName(port_), "b");
  req.set_weight(3);
  ASSERT_TRUE(Call(&pb::AdminService::Stub::SetServerWeight, req, &resp).ok());
  std::map<std::string, int> counts;
  for (int i = 0; i < 8; ++i) counts[FetchName(port_)]++;
  EXPECT_EQ(counts["a"], 6);
  EXPECT_EQ(counts["b"], 2);
  req.set_weight(300);
  grpc::Status s = Call(&pb::AdminService::Stub::SetServerWeight, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "weight: 300 is out of range (0 to 256)");
}

TEST_F(AdminTest, SetServerAddressMovesNewConnections) {
  TestServer c("c", Behaviour::kSendName);
  SetState("svc", "b", pb::ADMIN_STATE_MAINT);
  pb::SetServerAddressRequest req;
  req.set_backend("svc");
  req.set_server("a");
  req.set_address("127.0.0.1");
  req.set_port(c.port());
  pb::Server resp;
  ASSERT_TRUE(Call(&pb::AdminService::Stub::SetServerAddress, req, &resp).ok());
  EXPECT_EQ(resp.port(), static_cast<uint32_t>(c.port()));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(FetchName(port_), "c");
  req.set_address("not-an-ip");
  grpc::Status s = Call(&pb::AdminService::Stub::SetServerAddress, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "address: 'not-an-ip' is not an IPv4 or IPv6 address");
}

TEST_F(AdminTest, AddAndDeleteServer) {
  TestServer d("d", Behaviour::kSendName);
  pb::AddServerRequest add;
  add.set_backend("svc");
  add.set_server("d");
  add.set_address("127.0.0.1");
  add.set_port(d.port());
  pb::Server added;
  ASSERT_TRUE(Call(&pb::AdminService::Stub::AddServer, add, &added).ok());
  EXPECT_EQ(added.admin_state(), pb::ADMIN_STATE_MAINT);  // as HAProxy's `add server`
  EXPECT_EQ(added.source(), pb::SERVER_SOURCE_ADMIN);
  EXPECT_EQ(Call(&pb::AdminService::Stub::AddServer, add, &added).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  SetState("svc", "a", pb::ADMIN_STATE_MAINT);
  SetState("svc", "b", pb::ADMIN_STATE_MAINT);
  SetState("svc", "d", pb::ADMIN_STATE_READY);
  EXPECT_EQ(FetchName(port_), "d");

  pb::DeleteServerRequest del;
  del.set_backend("svc");
  del.set_server("d");
  pb::DeleteServerResponse none;
  grpc::Status s = Call(&pb::AdminService::Stub::DeleteServer, del, &none);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "server 'svc/d' must be in MAINT before it is deleted");
  TestServer hold("hold", Behaviour::kHold);
  pb::SetServerAddressRequest move;
  move.set_backend("svc");
  move.set_server("d");
  move.set_address("127.0.0.1");
  move.set_port(hold.port());
  pb::Server moved;
  ASSERT_TRUE(Call(&pb::AdminService::Stub::SetServerAddress, move, &moved).ok());
  int fd = ConnectTo(port_);
  ASSERT_EQ(ReadLine(fd), "hold");
  SetState("svc", "d", pb::ADMIN_STATE_MAINT);
  s = Call(&pb::AdminService::Stub::DeleteServer, del, &none);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);  // still in use
  EXPECT_EQ(s.error_message(), "server 'svc/d' still has 1 connection(s)");
  close(fd);
  ASSERT_TRUE(hold.WaitForOpenConnectionsAtMost(0));
  // The session's slot is released on tender's side once it sees the close.
  for (int i = 0; i < 1000; ++i) {
    s = Call(&pb::AdminService::Stub::DeleteServer, del, &none);
    if (s.ok()) break;
  }
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(Call(&pb::AdminService::Stub::DeleteServer, del, &none).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Find(Backend("svc"), "d"), nullptr);
}

TEST_F(AdminTest, ApplyPoolFillsAndEmptiesTemplateSlots) {
  TestServer e("e", Behaviour::kSendName), f("f", Behaviour::kSendName);
  pb::ApplyPoolRequest req;
  req.set_backend("dyn");
  req.set_template_prefix("web");
  auto& slots = *req.mutable_slots();
  slots["web1"].set_instance_id("node1/e");
  slots["web1"].set_address("127.0.0.1");
  slots["web1"].set_port(e.port());
  slots["web2"].set_instance_id("node2/f");
  slots["web2"].set_address("127.0.0.1");
  slots["web2"].set_port(f.port());
  pb::ApplyPoolResponse resp;
  ASSERT_TRUE(Call(&pb::AdminService::Stub::ApplyPool, req, &resp).ok());
  EXPECT_EQ(resp.backend().servers(0).instance_id(), "node1/e");
  EXPECT_EQ(resp.backend().servers(0).admin_state(), pb::ADMIN_STATE_READY);
  EXPECT_EQ(resp.backend().servers(2).admin_state(), pb::ADMIN_STATE_MAINT);
  std::map<std::string, int> counts;
  for (int i = 0; i < 4; ++i) counts[FetchName(dyn_port_)]++;
  EXPECT_EQ(counts["e"], 2);
  EXPECT_EQ(counts["f"], 2);

  // Only f stays: web1 empties.
  slots.erase("web1");
  ASSERT_TRUE(Call(&pb::AdminService::Stub::ApplyPool, req, &resp).ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(FetchName(dyn_port_), "f");

  pb::ApplyPoolRequest bad = req;
  bad.set_template_prefix("nope");
  grpc::Status s = Call(&pb::AdminService::Stub::ApplyPool, bad, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  bad = req;
  (*bad.mutable_slots())["web9"].set_address("127.0.0.1");
  (*bad.mutable_slots())["web9"].set_port(1);
  s = Call(&pb::AdminService::Stub::ApplyPool, bad, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "slots: 'web9' is not a slot of template 'web'");
  bad = req;
  (*bad.mutable_slots())["web2"].set_port(0);
  EXPECT_EQ(Call(&pb::AdminService::Stub::ApplyPool, bad, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A rejected request changed nothing.
  EXPECT_EQ(FetchName(dyn_port_), "f");
}

TEST_F(AdminTest, OperatorIntentWinsOverApplyPool) {
  TestServer e("e", Behaviour::kSendName);
  SetState("dyn", "web1", pb::ADMIN_STATE_MAINT);
  pb::ApplyPoolRequest req;
  req.set_backend("dyn");
  req.set_template_prefix("web");
  (*req.mutable_slots())["web1"].set_address("127.0.0.1");
  (*req.mutable_slots())["web1"].set_port(e.port());
  pb::ApplyPoolResponse resp;
  ASSERT_TRUE(Call(&pb::AdminService::Stub::ApplyPool, req, &resp).ok());
  EXPECT_EQ(resp.backend().servers(0).admin_state(), pb::ADMIN_STATE_MAINT);
  SetState("dyn", "web1", pb::ADMIN_STATE_READY);
  EXPECT_EQ(FetchName(dyn_port_), "e");
}

TEST_F(AdminTest, ReloadIsUnimplemented) {
  pb::ReloadConfigResponse resp;
  EXPECT_EQ(Call(&pb::AdminService::Stub::ReloadConfig, pb::ReloadConfigRequest(), &resp).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(AdminTest, GetStatsCountsConnections) {
  for (int i = 0; i < 4; ++i) FetchName(port_);
  pb::Stats stats;
  ASSERT_TRUE(Call(&pb::AdminService::Stub::GetStats, pb::GetStatsRequest(), &stats).ok());
  uint64_t total = 0;
  for (const auto& s : stats.servers()) {
    if (s.backend() == "svc") total += s.total_connections();
  }
  EXPECT_EQ(total, 4u);
  EXPECT_EQ(stats.frontends(0).name(), "svc");
  EXPECT_EQ(stats.frontends(0).total_sessions(), 4u);
}

TEST_F(AdminTest, WatchEventsStartsWithASnapshotThenStreamsChanges) {
  grpc::ClientContext ctx;
  auto reader = stub_->WatchEvents(&ctx, pb::WatchEventsRequest());
  pb::Event first;
  ASSERT_TRUE(reader->Read(&first));
  ASSERT_TRUE(first.has_snapshot());
  EXPECT_EQ(first.snapshot().backends_size(), 2);
  pb::SetServerWeightRequest req;
  req.set_backend("svc");
  req.set_server("b");
  req.set_weight(7);
  pb::Server resp;
  ASSERT_TRUE(Call(&pb::AdminService::Stub::SetServerWeight, req, &resp).ok());
  pb::Event next;
  do {
    ASSERT_TRUE(reader->Read(&next));
  } while (!next.has_server_changed());  // health events of the checked servers may come first
  EXPECT_EQ(next.server_changed().name(), "b");
  EXPECT_EQ(next.server_changed().weight(), 7u);
  EXPECT_GT(next.sequence(), first.sequence());
  // A health transition shows too.
  a_.reset();
  pb::Event health;
  do {
    ASSERT_TRUE(reader->Read(&health));
  } while (!health.has_health_changed());
  EXPECT_EQ(health.health_changed().name(), "a");
  EXPECT_EQ(health.health_changed().health_state(), pb::HEALTH_STATE_DOWN);
  EXPECT_EQ(health.health_changed().last_check().reason(), "Layer4 connection problem");
  ctx.TryCancel();
}

TEST_F(AdminTest, ReflectionListsServicesAndDescribesTheAdminService) {
  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(channel_);
  grpc::ClientContext ctx;
  auto stream = reflection->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest list;
  list.set_list_services("*");
  ASSERT_TRUE(stream->Write(list));
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  ASSERT_TRUE(stream->Read(&resp));
  std::set<std::string> services;
  for (const auto& s : resp.list_services_response().service()) services.insert(s.name());
  EXPECT_TRUE(services.count("tender.admin.v1.AdminService")) << resp.DebugString();
  EXPECT_TRUE(services.count("grpc.health.v1.Health")) << resp.DebugString();

  grpc::reflection::v1alpha::ServerReflectionRequest file;
  file.set_file_containing_symbol("tender.admin.v1.AdminService");
  ASSERT_TRUE(stream->Write(file));
  ASSERT_TRUE(stream->Read(&resp));
  ASSERT_GE(resp.file_descriptor_response().file_descriptor_proto_size(), 1);
  google::protobuf::FileDescriptorProto fd;
  ASSERT_TRUE(fd.ParseFromString(resp.file_descriptor_response().file_descriptor_proto(0)));
  EXPECT_EQ(fd.name(), "tender/admin/v1/admin.proto");
  EXPECT_EQ(fd.package(), "tender.admin.v1");
  std::set<std::string> methods;
  for (const auto& m : fd.service(0).method()) methods.insert(m.name());
  for (const char* rpc : {"ListFrontends", "ListBackends", "GetBackend", "GetStats", "GetInfo", "SetServerState",
                          "SetServerWeight", "SetServerAddress", "AddServer", "DeleteServer", "ApplyPool",
                          "ReloadConfig", "WatchEvents"}) {
    EXPECT_TRUE(methods.count(rpc)) << rpc;
  }
  stream->WritesDone();
  ctx.TryCancel();
}

TEST_F(AdminTest, GrpcHealthServes) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(health->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace tender::testing
