#include "proxy/health/http_check.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tender {

std::string BuildHttpCheckRequest(const config::ProxyOptions& options,
                                  const std::vector<config::HttpCheckSend>& send) {
  std::string method = options.httpchk_method, uri = options.httpchk_uri, version = options.httpchk_version;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  for (const config::HttpCheckSend& s : send) {
    if (!s.method.empty()) method = s.method;
    if (!s.uri.empty()) uri = s.uri;
    if (!s.version.empty()) version = s.version;
    headers.insert(headers.end(), s.headers.begin(), s.headers.end());
    body = s.body;
  }
  std::string out = absl::StrCat(method, " ", uri, " ", version, "\r\n");
  for (const auto& [name, value] : headers) absl::StrAppend(&out, name, ": ", value, "\r\n");
  if (!body.empty()) absl::StrAppend(&out, "Content-Length: ", body.size(), "\r\n");
  // The checker reads one response and closes; saying so lets the server close too.
  absl::StrAppend(&out, "Connection: close\r\n\r\n", body);
  return out;
}

absl::StatusOr<std::shared_ptr<const HttpExpectations>> HttpExpectations::Compile(
    const std::vector<config::HttpCheckExpect>& rules) {
  auto out = std::make_shared<HttpExpectations>();
  for (const config::HttpCheckExpect& r : rules) {
    Rule rule;
    rule.negate = r.negate;
    rule.kind = r.kind;
    switch (r.kind) {
      case config::HttpCheckExpectKind::kStatus:
        for (absl::string_view part : absl::StrSplit(r.pattern, ',')) {
          std::vector<absl::string_view> bounds = absl::StrSplit(part, '-');
          int lo = 0, hi = 0;
          if (bounds.size() > 2 || !absl::SimpleAtoi(bounds[0], &lo) ||
              !absl::SimpleAtoi(bounds.size() == 2 ? bounds[1] : bounds[0], &hi) || lo > hi) {
            return absl::InvalidArgumentError(absl::StrCat("'http-check expect status ", r.pattern,
                                                           "': expected codes or ranges such as 200,301-308"));
          }
          rule.codes.emplace_back(lo, hi);
        }
        break;
      case config::HttpCheckExpectKind::kString:
        rule.text = r.pattern;
        out->needs_body_ = true;
        break;
      case config::HttpCheckExpectKind::kRstatus:
      case config::HttpCheckExpectKind::kRstring:
        rule.regex = std::make_unique<RE2>(r.pattern, RE2::Quiet);
        if (!rule.regex->ok()) {
          return absl::InvalidArgumentError(absl::StrCat("'http-check expect' regex '", r.pattern,
                                                         "': ", rule.regex->error()));
        }
        if (r.kind == config::HttpCheckExpectKind::kRstring) out->needs_body_ = true;
        break;
    }
    out->rules_.push_back(std::move(rule));
  }
  return std::shared_ptr<const HttpExpectations>(std::move(out));
}

HttpExpectations::Verdict HttpExpectations::Evaluate(absl::string_view data, bool complete) const {
  Verdict v;
  size_t eol = data.find("\r\n");
  if (eol == absl::string_view::npos) {
    if (!complete) return v;
    v.result = Verdict::Result::kFail;
    v.reason = data.empty() ? "Layer7 invalid response" : "Layer7 invalid response";
    v.info = data.empty() ? "empty response" : "no status line";
    return v;
  }
  // "HTTP/1.x NNN reason"
  absl::string_view line = data.substr(0, eol);
  if (!absl::StartsWith(line, "HTTP/") || line.size() < 12 || line[8] != ' ' ||
      !absl::SimpleAtoi(line.substr(9, 3), &v.code) || (line.size() > 12 && line[12] != ' ')) {
    v.result = Verdict::Result::kFail;
    v.reason = "Layer7 invalid response";
    v.info = std::string(line.substr(0, 64));
    return v;
  }
  std::string phrase(line.size() > 13 ? line.substr(13) : "");
  size_t headers_end = data.find("\r\n\r\n");
  if (needs_body_ && !complete) return v;
  absl::string_view body = headers_end == absl::string_view::npos ? absl::string_view() : data.substr(headers_end + 4);
  std::string code_text = absl::StrCat(v.code);
  if (rules_.empty()) {
    bool ok = v.code >= 200 && v.code < 400;
    v.result = ok ? Verdict::Result::kPass : Verdict::Result::kFail;
    v.reason = ok ? "Layer7 check passed" : "Layer7 wrong status";
    v.info = phrase;
    return v;
  }
  for (const Rule& r : rules_) {
    bool matched = false;
    switch (r.kind) {
      case config::HttpCheckExpectKind::kStatus:
        for (const auto& [lo, hi] : r.codes) matched |= v.code >= lo && v.code <= hi;
        break;
      case config::HttpCheckExpectKind::kRstatus:
        matched = RE2::PartialMatch(code_text, *r.regex);
        break;
      case config::HttpCheckExpectKind::kString:
        matched = absl::StrContains(body, r.text);
        break;
      case config::HttpCheckExpectKind::kRstring:
        matched = RE2::PartialMatch(re2::StringPiece(body.data(), body.size()), *r.regex);
        break;
    }
    if (matched == r.negate) {
      bool status_rule = r.kind == config::HttpCheckExpectKind::kStatus || r.kind == config::HttpCheckExpectKind::kRstatus;
      v.result = Verdict::Result::kFail;
      v.reason = status_rule ? "Layer7 wrong status" : "Layer7 invalid response";
      v.info = status_rule ? phrase : "HTTP content check did not match";
      return v;
    }
  }
  v.result = Verdict::Result::kPass;
  v.reason = "Layer7 check passed";
  v.info = phrase;
  return v;
}

}  // namespace tender
