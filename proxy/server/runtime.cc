#include "proxy/server/runtime.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

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
  if (p.mode == config::Mode::kHttp) {
    error(p.where, absl::StrCat("'mode http' (", p.name, ")"));
  }
  for (const auto& b : p.binds) {
    if (b.ssl) error(b.where, "'bind ... ssl'");
  }
  for (const auto& s : p.servers) {
    if (s.params.ssl) error(s.where, "'server ... ssl'");
    if (s.params.check_ssl) error(s.where, "'check-ssl'");
    if (s.params.observe == config::Observe::kLayer7) error(s.where, "'observe layer7'");
  }
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
    fe.limit->max = p.maxconn;
    int index = rt.frontends.size();
    fe.index = index;
    rt.frontends.push_back(fe);
    for (const config::BindConfig& b : p.binds) {
      for (int port = b.port_low; port <= b.port_high; ++port) {
        auto addr = ResolveAddress(b.host, port);
        if (!addr.ok()) return absl::InvalidArgumentError(absl::StrCat(At(b.where), "bind: ", addr.status().message()));
        rt.listeners.push_back(ListenerSpec{*addr, index, b.accept_proxy});
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
  return rt;
}

}  // namespace tender
