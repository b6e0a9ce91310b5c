// The one bridge from Config to runtime objects: resolves addresses and builds the frontend
// settings and backend pool snapshots the workers run. Also says which parsed features the
// runtime does not run yet: those are errors (or warnings where HAProxy semantics survive
// without them), never silently dropped.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proxy/config/config.h"
#include "proxy/net/address.h"
#include "proxy/log/log_target.h"
#include "proxy/pool/pool.h"
#include "proxy/tcp/tcp_session.h"

namespace tender {

struct ListenerSpec {
  SocketAddress address;
  int frontend = 0;  // index into Runtime::frontends
  bool accept_proxy = false;
  bool smart_accept = false;  // option tcp-smart-accept, resolved for the frontend's mode
};

struct Runtime {
  std::vector<FrontendSettings> frontends;
  std::vector<ListenerSpec> listeners;
  std::map<std::string, std::shared_ptr<const BackendPool>> pools;
  std::shared_ptr<ConnectionLimit> global_limit = std::make_shared<ConnectionLimit>();
  int threads = 1;
  bool splice = true;
  LogTargets global_logs;
  size_t buffer_size = 16384;
  int max_headers = 101;  // tune.http.maxhdr
  absl::Duration hard_stop_after = absl::InfiniteDuration();
};

absl::StatusOr<Runtime> BuildRuntime(const config::Config& config, std::vector<std::string>* warnings);

}  // namespace tender
