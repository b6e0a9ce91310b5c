// A proxy's HTTP settings once compiled: the rules with their conditions, the error
// pages, the connection policy. Built once at load (proxy/server/runtime.cc), immutable
// and shared by every worker.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "proxy/acl/acl.h"
#include "proxy/config/config.h"
#include "proxy/log/log_format.h"
#include "re2/re2.h"

namespace tender::http {

// `http-request` / `http-response` rule with its compiled condition. The strings it
// refers to (header names and values) live here for the lifetime of the configuration.
struct CompiledRule {
  config::HttpRule rule;
  std::optional<CompiledCondition> condition;
  std::shared_ptr<const RE2> regex;  // replace-header, anchored to the whole value
  bool Applies(const SampleContext& sample) const { return !condition || condition->Evaluate(sample); }
};

// What both sides of a proxy may say about HTTP.
struct ProxyHttp {
  std::vector<CompiledRule> request_rules;
  std::vector<CompiledRule> response_rules;
  bool forwardfor = false;
  std::string forwardfor_header = "X-Forwarded-For";
  std::optional<CompiledCondition> forwardfor_except;  // `except NET`, as "src NET"
  bool httpclose = false;           // option httpclose
  bool http_server_close = false;   // option http-server-close
  // errorfile CODE FILE: the complete response, read at load.
  std::map<int, std::string> error_pages;
};

struct FrontendHttp : ProxyHttp {
  absl::Duration request_timeout = absl::InfiniteDuration();     // timeout http-request
  absl::Duration keep_alive_timeout = absl::InfiniteDuration();  // timeout http-keep-alive
  std::string monitor_uri;
  bool httplog = false;
  std::optional<LogFormat> log_format;  // replaces httplog's line when set
};

enum class ReuseMode { kNever, kSafe, kAggressive, kAlways };

enum class CookieMode { kNone, kInsert, kRewrite, kPrefix };

struct BackendHttp : ProxyHttp {
  ReuseMode reuse = ReuseMode::kSafe;
  CookieMode cookie_mode = CookieMode::kNone;
  std::string cookie_name;
  bool cookie_indirect = false;
  bool cookie_nocache = false;
  bool cookie_httponly = false;
  bool cookie_secure = false;
  std::string hash_header;  // balance hdr(NAME)
  std::string hash_param;   // balance url_param NAME
};

}  // namespace tender::http
