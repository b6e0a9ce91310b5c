#include "proxy/server/runtime.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/match.h"
#include "proxy/http/responses.h"
#include "proxy/http/settings.h"

#include <fstream>
#include <sstream>

namespace tender {
namespace {

using config::ProxyConfig;

std::string At(const config::SourceLocation& w) { return absl::StrCat(w.file, ":", w.line, ": "); }

// Features the language accepts and the runtime does not run yet.
void CheckRuntimeSupport(const ProxyConfig& p, std::vector<std::string>* errors,
                         std::vector<std::string>* warnings) {
  auto error = [&](const config::SourceLocation& w, absl::string_view what) {
    errors->push_back(absl::StrCat(At(w), what, " is not implemented by tender's runtime yet"));
  };
  if (p.mode == config::Mode::kTcp && !p.log_format.empty() && config::HasFrontendSide(p.kind)) {
    error(p.log_format_where, absl::StrCat("'log-format' in mode tcp (", p.name, ")"));
  }
  if (p.mode == config::Mode::kHttp && p.stats.enabled) {
    error(p.where, absl::StrCat("the statistics page ('stats' in ", p.name, ")"));
  }
  if (p.mode == config::Mode::kHttp && !p.cookie_name.empty()) {
    for (const std::string& o : p.cookie_options) {
      if (o == "rewrite" || o == "prefix" || o == "preserve" || o == "postonly") {
        error(p.where, absl::StrCat("'cookie ... ", o, "' (", p.name, "; 'insert' is)"));
      }
    }
  }
  for (const auto& b : p.binds) {
    if (b.ssl) error(b.where, "'bind ... ssl'");
  }
  for (const std::string& o : p.balance.options) {
    if (o != "whole") error(p.where, absl::StrCat("balance option '", o, "' (", p.name, ")"));
  }
  for (const auto& s : p.servers) {
    if (s.params.ssl) error(s.where, "'server ... ssl'");
    if (s.params.check_ssl) error(s.where, "'check-ssl'");
    if (s.params.observe == config::Observe::kLayer7 && p.mode != config::Mode::kHttp) {
      errors->push_back(absl::StrCat(At(s.where), "'observe layer7' needs 'mode http' (server ", s.name, ")"));
    }
  }
}

// `errorfile CODE FILE`: the file is a complete HTTP response, sent as it is.
absl::Status ReadErrorFiles(const ProxyConfig& p, size_t buffer_size, std::map<int, std::string>* out) {
  for (const auto& [code, file] : p.errorfiles) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat(At(p.where), "errorfile ", code, ": cannot read '", file, "'"));
    std::stringstream content;
    content << in.rdbuf();
    std::string page = content.str();
    if (page.size() > buffer_size) {
      return absl::InvalidArgumentError(absl::StrCat(At(p.where), "errorfile ", code, ": '", file, "' is larger than tune.bufsize (",
                                                     buffer_size, " bytes)"));
    }
    if (!page.empty() && !absl::StartsWith(page, "HTTP/1.")) {
      return absl::InvalidArgumentError(absl::StrCat(At(p.where), "errorfile ", code, ": '", file,
                                                     "' must hold a complete HTTP response, starting with its status line"));
    }
    (*out)[code] = std::move(page);
  }
  return absl::OkStatus();
}

// Header values are HAProxy log-format strings; tender takes them literally, so a sample
// expression in one is refused rather than sent as text.
absl::Status CheckLiteralValue(const config::HttpRule& r) {
  if (r.value.find("%[") != std::string::npos || r.name.find("%[") != std::string::npos) {
    return absl::UnimplementedError(absl::StrCat(At(r.where), "sample expressions (%[...]) in header values are not implemented "
                                                 "by tender's runtime yet"));
  }
  return absl::OkStatus();
}

absl::Status BuildProxyHttp(const ProxyConfig& p, bool with_rules, size_t buffer_size, http::ProxyHttp* out) {
  if (with_rules) {
    for (const auto* rules : {&p.http_request_rules, &p.http_response_rules}) {
      for (const config::HttpRule& r : *rules) {
        if (absl::Status st = CheckLiteralValue(r); !st.ok()) return st;
        http::CompiledRule rule;
        rule.rule = r;
        if (r.request_action == config::HttpRequestAction::kReplaceHeader && rules == &p.http_request_rules) {
          RE2::Options options;
          options.set_log_errors(false);
          auto re = std::make_shared<RE2>(absl::StrCat("^(?:", r.pattern, ")$"), options);
          if (!re->ok()) {
            return absl::InvalidArgumentError(absl::StrCat(At(r.where), "replace-header: invalid regular expression '", r.pattern,
                                                           "': ", re->error()));
          }
          rule.regex = std::move(re);
        }
        if (r.condition) {
          auto cond = CompiledCondition::Compile(*r.condition, p.acls);
          if (!cond.ok()) return cond.status();
          rule.condition = std::move(*cond);
        }
        (rules == &p.http_request_rules ? out->request_rules : out->response_rules).push_back(std::move(rule));
      }
    }
  }
  out->forwardfor = p.options.forwardfor;
  out->forwardfor_header = p.options.forwardfor_header;
  if (!p.options.forwardfor_except.empty()) {
    config::Condition cond;
    cond.where = p.where;
    config::ConditionTerm term;
    config::AclConfig acl;
    acl.where = p.where;
    acl.fetch = "src";
    acl.values = {p.options.forwardfor_except};
    term.inline_acl = acl;
    cond.any_of = {{term}};
    auto compiled = CompiledCondition::Compile(cond, {});
    if (!compiled.ok()) return compiled.status();
    out->forwardfor_except = std::move(*compiled);
  }
  out->httpclose = p.options.httpclose;
  out->http_server_close = p.options.http_server_close;
  return ReadErrorFiles(p, buffer_size, &out->error_pages);
}

absl::StatusOr<std::shared_ptr<const http::BackendHttp>> BuildBackendHttp(const ProxyConfig& p, size_t buffer_size) {
  auto out = std::make_shared<http::BackendHttp>();
  // A listen section's rules run once, on its frontend side.
  bool with_rules = p.kind == config::ProxyKind::kBackend;
  if (absl::Status st = BuildProxyHttp(p, with_rules, buffer_size, out.get()); !st.ok()) return st;
  if (p.kind == config::ProxyKind::kListen) out->forwardfor = false;  // the frontend side adds it
  static const std::map<std::string, http::ReuseMode> kReuse = {{"never", http::ReuseMode::kNever},
                                                                {"safe", http::ReuseMode::kSafe},
                                                                {"aggressive", http::ReuseMode::kAggressive},
                                                                {"always", http::ReuseMode::kAlways}};
  out->reuse = kReuse.at(p.http_reuse);
  if (!p.cookie_name.empty()) {
    out->cookie_name = p.cookie_name;
    out->cookie_mode = http::CookieMode::kInsert;
    for (const std::string& o : p.cookie_options) {
      if (o == "indirect") out->cookie_indirect = true;
      if (o == "nocache") out->cookie_nocache = true;
      if (o == "httponly") out->cookie_httponly = true;
      if (o == "secure") out->cookie_secure = true;
    }
  }
  if (p.balance.algorithm == config::BalanceAlgorithm::kHdr) out->hash_header = p.balance.argument;
  if (p.balance.algorithm == config::BalanceAlgorithm::kUrlParam) out->hash_param = p.balance.argument;
  return std::shared_ptr<const http::BackendHttp>(std::move(out));
}

absl::StatusOr<std::shared_ptr<const BackendPool>> BuildPool(const ProxyConfig& p) {
  auto pool = std::make_shared<BackendPool>();
  pool->name = p.name;
  pool->mode = p.mode;
  pool->balance = p.balance;
  pool->all_backups = p.options.allbackups;
  pool->redispatch = p.options.redispatch;
  pool->retries = p.retries;
  if (p.timeouts.connect) pool->connect_timeout = *p.timeouts.connect;
  // HAProxy: an unset `timeout queue` is `timeout connect`.
  pool->queue_timeout = p.timeouts.queue.value_or(pool->connect_timeout);
  bool every_server_bounds_its_queue = !p.servers.empty() || !p.server_templates.empty();
  if (p.timeouts.server) pool->server_timeout = *p.timeouts.server;
  pool->tunnel_timeout = p.timeouts.tunnel;
  pool->server_fin_timeout = p.timeouts.server_fin;
  for (const config::ServerConfig& s : p.servers) {
    ServerEntry e;
    e.name = s.name;
    auto addr = ResolveAddress(s.host, s.port);
    if (!addr.ok()) return absl::InvalidArgumentError(absl::StrCat(At(s.where), "server '", s.name, "': ", addr.status().message()));
    e.address = *addr;
    e.port_from_client = s.port == 0;
    e.weight = s.params.weight;
    e.configured_weight = s.params.weight;
    e.backup = s.params.backup;
    e.observe = s.params.observe;
    e.error_limit = s.params.error_limit;
    // A checked server starts as its init-state says: up for "up"/"fully-up".
    e.up = !s.params.check || s.params.init_state == config::InitState::kUp ||
           s.params.init_state == config::InitState::kFullyUp;
    if (s.params.disabled) e.operator_state = AdminState::kMaint;  // the config's intent
    e.checked = s.params.check;
    e.RecomputeAdmin();
    e.maxconn = s.params.maxconn;
    e.send_proxy = s.params.send_proxy;
    e.send_proxy_v2 = s.params.send_proxy_v2;
    e.cookie = s.params.cookie;
    pool->servers.push_back(std::move(e));
    every_server_bounds_its_queue = every_server_bounds_its_queue && s.params.maxqueue > 0;
    pool->max_queue += s.params.maxqueue;
  }
  for (const config::ServerTemplateConfig& t : p.server_templates) {
    for (int i = t.first; i <= t.last; ++i) {
      ServerEntry e;
      e.name = absl::StrCat(t.prefix, i);
      e.source = ServerSource::kTemplateSlot;
      e.template_prefix = t.prefix;
      e.has_address = false;
      if (t.port) {
        auto placeholder = ResolveAddress("0.0.0.0", t.port);
        if (placeholder.ok()) e.address = *placeholder;
      }
      e.weight = e.configured_weight = t.params.weight;
      e.backup = t.params.backup;
      e.maxconn = t.params.maxconn;
      e.observe = t.params.observe;
      e.error_limit = t.params.error_limit;
      e.send_proxy = t.params.send_proxy;
      e.send_proxy_v2 = t.params.send_proxy_v2;
      e.checked = t.params.check;
      if (t.params.disabled) e.operator_state = AdminState::kMaint;
      e.RecomputeAdmin();
      pool->servers.push_back(std::move(e));
      every_server_bounds_its_queue = every_server_bounds_its_queue && t.params.maxqueue > 0;
      pool->max_queue += t.params.maxqueue;
    }
  }
  if (!every_server_bounds_its_queue) pool->max_queue = 0;
  return std::shared_ptr<const BackendPool>(std::move(pool));
}

// A proxy's `log` lines as targets; `log global` stands for the global section's.
absl::StatusOr<LogTargets> BuildLogs(const std::vector<config::LogTarget>& lines, const LogTargets& global) {
  LogTargets out;
  for (const config::LogTarget& line : lines) {
    if (line.global) {
      out.insert(out.end(), global.begin(), global.end());
      continue;
    }
    auto t = LogTarget::Create(line);
    if (!t.ok()) return t.status();
    out.push_back(*t);
  }
  return out;
}

}  // namespace

absl::StatusOr<Runtime> BuildRuntime(const config::Config& config, std::vector<std::string>* warnings) {
  Runtime rt;
  auto global_logs = BuildLogs(config.global.logs, {});
  if (!global_logs.ok()) return global_logs.status();
  std::vector<std::string> errors;
  for (const ProxyConfig& p : config.proxies) CheckRuntimeSupport(p, &errors, warnings);
  if (!errors.empty()) return absl::UnimplementedError(absl::StrJoin(errors, "\n"));
  for (const ProxyConfig& p : config.proxies) {
    if (!config::HasBackendSide(p.kind)) continue;
    auto pool = BuildPool(p);
    if (!pool.ok()) return pool.status();
    if (p.mode == config::Mode::kHttp) {
      auto http = BuildBackendHttp(p, config.global.tune_bufsize);
      if (!http.ok()) return http.status();
      std::const_pointer_cast<BackendPool>(*pool)->http = *http;
    }
    rt.pools[p.name] = *pool;
  }
  for (const ProxyConfig& p : config.proxies) {
    if (!config::HasFrontendSide(p.kind)) continue;
    FrontendSettings fe;
    fe.name = p.name;
    fe.backend = p.kind == config::ProxyKind::kListen ? p.name : p.default_backend;
    if (p.timeouts.client) fe.client_timeout = *p.timeouts.client;
    fe.client_fin_timeout = p.timeouts.client_fin;
    fe.tcplog = p.options.tcplog;
    fe.dontlognull = p.options.dontlognull;
    auto logs = BuildLogs(p.logs, *global_logs);
    if (!logs.ok()) return logs.status();
    fe.logs = std::move(*logs);
    fe.process_limit = rt.global_limit;
    // An idle TCP session is closed by the smaller of the two timeouts; logs blame that side.
    {
      absl::Duration server = absl::InfiniteDuration();
      if (const config::ProxyConfig* be = config.FindProxy(fe.backend); be && be->timeouts.server) server = *be->timeouts.server;
      fe.client_timeout_first = fe.client_timeout <= server;
    }
    for (const config::UseBackendRule& r : p.use_backends) {
      BackendRule rule;
      rule.backend = r.backend;
      if (r.condition) {
        auto cond = CompiledCondition::Compile(*r.condition, p.acls);
        if (!cond.ok()) return cond.status();
        fe.rules_need_destination |= cond->needs_destination();
        rule.condition = std::move(*cond);
      }
      fe.use_backends.push_back(std::move(rule));
    }
    for (const config::TcpRequestRule& r : p.tcp_request_content_rules) {
      ContentRule rule;
      rule.accept = r.action == config::TcpRequestAction::kAccept;
      if (r.condition) {
        auto cond = CompiledCondition::Compile(*r.condition, p.acls);
        if (!cond.ok()) return cond.status();
        fe.rules_need_destination |= cond->needs_destination();
        rule.condition = std::move(*cond);
      }
      fe.content_rules.push_back(std::move(rule));
    }
    if (p.mode == config::Mode::kHttp) {
      auto http = std::make_shared<http::FrontendHttp>();
      if (absl::Status st = BuildProxyHttp(p, /*with_rules=*/true, config.global.tune_bufsize, http.get()); !st.ok()) return st;
      // HAProxy: http-request falls back to client; http-keep-alive to http-request.
      http->request_timeout = p.timeouts.http_request.value_or(fe.client_timeout);
      http->keep_alive_timeout = p.timeouts.http_keep_alive.value_or(http->request_timeout);
      http->monitor_uri = p.monitor_uri;
      http->httplog = p.options.httplog;
      if (!p.log_format.empty()) {
        auto format = LogFormat::Compile(p.log_format);
        if (!format.ok()) return absl::Status(format.status().code(), absl::StrCat(At(p.log_format_where), format.status().message()));
        http->log_format = std::move(*format);
      }
      for (const http::CompiledRule& r : http->request_rules) fe.rules_need_destination |= r.condition && r.condition->needs_destination();
      for (const http::CompiledRule& r : http->response_rules) fe.rules_need_destination |= r.condition && r.condition->needs_destination();
      fe.http = std::move(http);
    } else {
      for (const BackendRule& r : fe.use_backends) {
        if (r.condition && r.condition->needs_http()) {
          return absl::InvalidArgumentError(absl::StrCat(At(p.where), "frontend '", p.name,
                                                         "' is in mode tcp, but a 'use_backend' condition reads the HTTP request"));
        }
      }
      for (const ContentRule& r : fe.content_rules) {
        if (r.condition && r.condition->needs_http()) {
          return absl::InvalidArgumentError(absl::StrCat(At(p.where), "frontend '", p.name,
                                                         "' is in mode tcp, but a 'tcp-request content' condition reads the HTTP request"));
        }
      }
    }
    fe.limit->max = p.maxconn;
    int index = rt.frontends.size();
    fe.index = index;
    rt.frontends.push_back(fe);
    for (const config::BindConfig& b : p.binds) {
      for (int port = b.port_low; port <= b.port_high; ++port) {
        auto addr = ResolveAddress(b.host, port);
        if (!addr.ok()) return absl::InvalidArgumentError(absl::StrCat(At(b.where), "bind: ", addr.status().message()));
        bool smart_accept = p.options.tcp_smart_accept.value_or(p.mode == config::Mode::kHttp);
        rt.listeners.push_back(ListenerSpec{*addr, index, b.accept_proxy, smart_accept});
      }
    }
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  rt.threads = config.global.nbthread > 0 ? config.global.nbthread : static_cast<int>(cpus > 0 ? cpus : 1);
  if (config.global.hard_stop_after) rt.hard_stop_after = *config.global.hard_stop_after;
  rt.global_limit->max = config.global.maxconn;
  rt.splice = !config.global.nosplice;
  rt.global_logs = *global_logs;
  rt.buffer_size = config.global.tune_bufsize;
  rt.max_headers = config.global.tune_http_maxhdr;
  return rt;
}

}  // namespace tender
