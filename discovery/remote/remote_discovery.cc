#include "discovery/remote/remote_discovery.h"

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "discovery/manager.h"
#include "grpcpp/grpcpp.h"
#include "proxy/common/log.h"
#include "proxy/event/event_loop.h"
#include "tender/admin/v1/admin.grpc.pb.h"

namespace tender::discovery {

int RunRemoteDiscovery(const config::Config& config, const RemoteOptions& options) {
  std::string token;
  if (!options.token_file.empty()) {
    std::ifstream in(options.token_file);
    if (!in) {
      std::fprintf(stderr, "tender discovery: cannot read token file '%s'\n", options.token_file.c_str());
      return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    token = std::string(absl::StripAsciiWhitespace(ss.str()));
  }
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGQUIT}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto stub = ::tender::admin::v1::AdminService::NewStub(
      grpc::CreateChannel(options.admin_address, grpc::InsecureChannelCredentials()));
  auto loop = std::move(EventLoop::Create()).value();
  auto manager = DiscoveryManager::Create(
      config, loop.get(),
      [&stub, &token](const std::string& backend, const std::string& prefix, const std::vector<SlotAssignment>& slots) {
        ::tender::admin::v1::ApplyPoolRequest request;
        request.set_backend(backend);
        request.set_template_prefix(prefix);
        for (const SlotAssignment& a : slots) {
          if (!a.filled) continue;
          auto& m = (*request.mutable_slots())[a.slot];
          m.set_instance_id(a.instance_id);
          m.set_address(a.address);
          m.set_port(a.port);
          m.set_weight(a.weight);
          m.set_maintenance(a.maintenance);
          m.set_draining(a.draining);
        }
        grpc::ClientContext ctx;
        ctx.set_wait_for_ready(true);
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
        ::tender::admin::v1::ApplyPoolResponse response;
        grpc::Status status = stub->ApplyPool(&ctx, request, &response);
        if (!status.ok()) {
          TENDER_LOG(kWarning, "discovery: ApplyPool for ", backend, "/", prefix, " failed: ", status.error_message());
        }
      },
      [] {});
  if (!manager.ok()) {
    std::fprintf(stderr, "%s\n", std::string(manager.status().message()).c_str());
    return 1;
  }
  if ((*manager)->empty()) {
    std::fprintf(stderr, "tender discovery: the configuration has no server-template fed by a consul section\n");
    return 1;
  }
  (*manager)->Start();
  std::thread thread([&loop] { loop->Run(); });
  TENDER_LOG(kInfo, "tender discovery ready: feeding ", options.admin_address);
  int sig = 0;
  sigwait(&set, &sig);
  (*manager)->Stop();
  loop->Stop();
  thread.join();
  return 0;
}

}  // namespace tender::discovery
