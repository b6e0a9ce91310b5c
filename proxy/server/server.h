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
int RunServer(const config::Config& config, const std::vector<std::string>& files);

}  // namespace tender
