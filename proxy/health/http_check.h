// Layer 7 checks: the request `option httpchk` / `http-check send` describe, and the
// verdict on a response under `http-check expect` rules (default: any 2xx or 3xx status).
// Pure functions over bytes, so every case is unit-tested without sockets.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proxy/config/config.h"
#include "re2/re2.h"

namespace tender {

std::string BuildHttpCheckRequest(const config::ProxyOptions& options,
                                  const std::vector<config::HttpCheckSend>& send);

class HttpExpectations {
 public:
  // Compiles the rules (regexes with RE2); an invalid regex or status list is an error.
  static absl::StatusOr<std::shared_ptr<const HttpExpectations>> Compile(
      const std::vector<config::HttpCheckExpect>& rules);

  // Whether the verdict needs the body (string/rstring rules) or only the status line.
  bool needs_body() const { return needs_body_; }

  struct Verdict {
    enum class Result { kPass, kFail, kNeedMore };
    Result result = Result::kNeedMore;
    int code = 0;          // the response status, once known
    std::string reason;    // HAProxy's words: "Layer7 check passed", "Layer7 wrong status", ...
    std::string info;      // the reason phrase, or what did not match
  };
  // `data` is what the server sent so far; `complete` when it closed or the buffer is full.
  Verdict Evaluate(absl::string_view data, bool complete) const;

 private:
  struct Rule {
    bool negate = false;
    config::HttpCheckExpectKind kind = config::HttpCheckExpectKind::kStatus;
    std::vector<std::pair<int, int>> codes;  // status: ranges
    std::string text;                        // string
    std::unique_ptr<RE2> regex;              // rstatus, rstring
  };
  bool needs_body_ = false;
  std::vector<Rule> rules_;
};

}  // namespace tender
