// Runs a validated configuration: builds the runtime, binds every listener on every
// worker, drops privileges, then serves until a signal. SIGTERM and SIGUSR1 stop
// accepting and let established sessions finish (up to `hard-stop-after`); SIGINT stops
// at once.
#pragma once

#include <string>
#include <vector>

#include "proxy/config/config.h"

namespace tender {

// Returns the process exit code.
// With `external_discovery`, no discovery runs in this process: a separate
// `tender discovery` feeds the template slots through the admin service.
int RunServer(const config::Config& config, const std::vector<std::string>& files, bool external_discovery = false);

}  // namespace tender
