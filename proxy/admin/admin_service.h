// The gRPC admin service: a translator, not a brain. Each RPC checks the caller's token,
// validates and translates the request, posts the work to the control thread (where
// PoolManager and HealthManager live) and finishes the call from there; handlers never
// block and never run on a data-plane worker. Every write is logged as an audit line.
// Reflection (grpcurl) and grpc.health.v1 are served too.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "proxy/admin/auth.h"
#include "proxy/config/config.h"
#include "proxy/event/event_loop.h"
#include "proxy/health/health_manager.h"
#include "proxy/log/log_target.h"
#include "proxy/pool/pool_manager.h"
#include "proxy/server/runtime.h"
#include "tender/admin/v1/admin.grpc.pb.h"

namespace tender {
namespace adminpb = ::tender::admin::v1;
}

namespace tender {

// What the service reads and changes; everything here is touched on the control loop only.
struct AdminContext {
  EventLoop* control_loop = nullptr;
  PoolManager* pools = nullptr;
  HealthManager* health = nullptr;
  const Runtime* runtime = nullptr;
  const config::Config* config = nullptr;
  std::vector<std::string> files;
  int workers = 1;
  int64_t start_unix_ms = 0;
  LogTargets audit_logs;  // the global log targets
  // Discovery's per-template counters for GetStats (control thread); may be empty.
  std::function<void(adminpb::Stats*)> fill_discovery_stats;
};

class AdminService;

class AdminServer {
 public:
  // Builds the service and starts listening. The PoolManager's watcher is taken over to feed
  // WatchEvents.
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(const config::AdminConfig& config, AdminContext context);
  ~AdminServer();
  // Stops serving; open streams are cancelled. Call before the control loop stops.
  void Shutdown();
  // grpc.health.v1 answers SERVING or NOT_SERVING (readiness: discovery has synced).
  void SetServing(bool serving);
  // The address actually listened on (with the port resolved).
  const std::string& address() const { return address_; }

 private:
  AdminServer() = default;
  std::unique_ptr<AdminService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

}  // namespace tender
