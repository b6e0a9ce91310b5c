// `tender discovery --admin ADDR -f FILE`: discovery as its own process, feeding a remote
// tender through its admin service's ApplyPool (for those who want the two apart). The
// proxy then runs with `--external-discovery` and leaves its slots to these calls.
#pragma once

#include <string>

#include "proxy/config/config.h"

namespace tender::discovery {

struct RemoteOptions {
  std::string admin_address;  // host:port or unix:/path of the proxy's admin service
  std::string token_file;     // the admin bearer token, if the service wants one
};

// Runs until SIGTERM or SIGINT; returns the exit code.
int RunRemoteDiscovery(const config::Config& config, const RemoteOptions& options);

}  // namespace tender::discovery
