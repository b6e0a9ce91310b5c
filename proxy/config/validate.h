// Cross-reference checks over a parsed Config: names resolve, modes agree, nothing is
// declared twice. Errors name file:line and the keyword; warnings are for what HAProxy
// also only warns about (a backend nobody uses, HTTP rules in a TCP proxy).
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "proxy/config/config.h"

namespace tender::config {

absl::Status Validate(const Config& config, std::vector<std::string>* warnings);

}  // namespace tender::config
