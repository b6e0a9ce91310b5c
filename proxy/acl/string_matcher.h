// Layer 7 ACLs: string samples taken from the request (hdr, path, url, query, method,
// url_param, ssl_fc_sni) matched by str, beg, end, sub, reg (RE2: linear time, no
// catastrophic backtracking), dom, dir, len or found, optionally ignoring case. Patterns
// are prepared once at load; matching walks the request in place and allocates nothing.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "proxy/acl/acl.h"

namespace tender {

// Null (and OK) when `acl.fetch` is not a layer 7 string fetch.
absl::StatusOr<std::shared_ptr<const Matcher>> CompileStringAcl(const config::AclConfig& acl);

}  // namespace tender
