// ACL conditions compiled once at load into matchers; evaluating one allocates nothing.
// Layer 4 fetches (src, dst, src_port, dst_port, always_true, always_false and the
// predefined TRUE, FALSE, LOCALHOST, HTTP*, METH_*) and layer 7 string fetches
// (proxy/acl/string_matcher.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proxy/config/config.h"
#include "proxy/net/address.h"

namespace tender {

namespace http {
struct RequestHead;
}

// What a condition may look at. Only the fields the compiled condition asked for
// (NeedsDestination) are guaranteed to be set.
struct SampleContext {
  const SocketAddress* source = nullptr;
  const SocketAddress* destination = nullptr;
  const http::RequestHead* request = nullptr;  // layer 7 fetches; null in TCP mode
};

class Matcher {
 public:
  virtual ~Matcher() = default;
  virtual bool Match(const SampleContext& sample) const = 0;
};

class CompiledCondition {
 public:
  // Compiles `condition` against the ACLs declared in the same proxy. Errors name the
  // file:line of the ACL or the condition.
  static absl::StatusOr<CompiledCondition> Compile(const config::Condition& condition,
                                                   const std::vector<config::AclConfig>& acls);
  bool Evaluate(const SampleContext& sample) const;
  bool needs_destination() const { return needs_destination_; }
  // Looks at the HTTP request: only meaningful in `mode http`.
  bool needs_http() const { return needs_http_; }

 private:
  struct Term {
    const Matcher* matcher;  // owned by matchers_
    bool negate;
  };
  bool unless_ = false;
  bool needs_destination_ = false;
  bool needs_http_ = false;
  std::vector<std::vector<Term>> any_of_;
  std::vector<std::shared_ptr<const Matcher>> matchers_;
};

// Compiles one ACL (named or anonymous) into a matcher.
// `needs_http` is set when the ACL reads the HTTP request.
absl::StatusOr<std::shared_ptr<const Matcher>> CompileAcl(const config::AclConfig& acl, bool* needs_destination,
                                                          bool* needs_http);

}  // namespace tender
