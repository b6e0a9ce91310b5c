#include "proxy/health/health_manager.h"

#include "absl/strings/str_cat.h"
#include "proxy/common/log.h"
#include "proxy/health/http_check.h"

namespace tender {

HealthManager::~HealthManager() = default;

namespace {

absl::StatusOr<CheckTarget> BuildTarget(const config::ProxyConfig& backend, const config::ServerConfig& server) {
  CheckTarget t;
  const config::ServerParams& p = server.params;
  std::string host = p.check_addr.empty() ? server.host : p.check_addr;
  int port = p.check_port ? p.check_port : server.port;
  if (port == 0) {
    return absl::InvalidArgumentError(absl::StrCat(server.where.file, ":", server.where.line, ": server '", server.name,
                                                   "' has no port to check: give it one, or 'port' for checks"));
  }
  auto address = ResolveAddress(host, port);
  if (!address.ok()) return address.status();
  t.address = *address;
  absl::Duration connect = backend.timeouts.connect.value_or(absl::InfiniteDuration());
  if (backend.timeouts.check) {
    t.connect_timeout = std::min(connect, p.inter);
    t.response_timeout = *backend.timeouts.check;
    t.whole_check_in_connect_timeout = false;
  } else {
    t.connect_timeout = p.inter;
    t.whole_check_in_connect_timeout = true;
  }
  if (backend.options.httpchk) {
    t.http = true;
    t.request = BuildHttpCheckRequest(backend.options, backend.http_check_send);
    auto expect = HttpExpectations::Compile(backend.http_check_expect);
    if (!expect.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(backend.where.file, ":", backend.where.line, ": backend '",
                                                     backend.name, "': ", expect.status().message()));
    }
    t.expectations = *expect;
  }
  return t;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HealthManager>> HealthManager::Create(const config::Config& config, HealthEnvironment env) {
  std::unique_ptr<HealthManager> m(new HealthManager(std::move(env)));
  auto add = [&](const config::ProxyConfig& be, const std::string& name, const config::ServerConfig* server,
                 const config::ServerParams& p) -> absl::Status {
    if (!p.check && p.observe == config::Observe::kNone && p.slowstart == absl::ZeroDuration()) return absl::OkStatus();
    HealthParams hp = HealthParams::From(p);
    if (!p.check) hp.init_state = config::InitState::kFullyUp;  // observed or slow-started only
    auto s = std::unique_ptr<Server>(new Server{be.name, name, p.backup, p.check, p.on_marked_down_shutdown_sessions,
                                                p.on_marked_up_shutdown_backup_sessions, p.weight, p.slowstart, 0,
                                                HealthState(hp), hp, p.check_port, p.check_addr});
    if (p.check) {
      CheckTarget target;
      if (server != nullptr) {
        auto built = BuildTarget(be, *server);
        if (!built.ok()) return built.status();
        target = *built;
      } else {
        // A template slot: same settings, the address comes when the slot is filled.
        config::ServerConfig placeholder;
        placeholder.name = name;
        placeholder.host = p.check_addr.empty() ? "0.0.0.0" : p.check_addr;
        placeholder.port = p.check_port ? p.check_port : 1;
        placeholder.params = p;
        auto built = BuildTarget(be, placeholder);
        if (!built.ok()) return built.status();
        target = *built;
      }
      Server* raw = s.get();
      s->checker = std::make_unique<Checker>(*m->env_.loop, target,
                                             [m = m.get(), raw](const CheckResult& r) { m->OnResult(*raw, r); });
    }
    m->servers_.push_back(std::move(s));
    return absl::OkStatus();
  };
  for (const config::ProxyConfig& be : config.proxies) {
    if (!config::HasBackendSide(be.kind)) continue;
    for (const config::ServerConfig& srv : be.servers) {
      absl::Status st = add(be, srv.name, &srv, srv.params);
      if (!st.ok()) return st;
    }
    for (const config::ServerTemplateConfig& t : be.server_templates) {
      for (int i = t.first; i <= t.last; ++i) {
        absl::Status st = add(be, absl::StrCat(t.prefix, i), nullptr, t.params);
        if (!st.ok()) return st;
      }
    }
  }
  return m;
}

void HealthManager::Retarget(const std::string& backend, const std::string& server, const ServerEntry& entry) {
  for (auto& s : servers_) {
    if (s->backend != backend || s->name != server || !s->checker) continue;
    s->checker->Stop();
    if (!entry.has_address) return;
    // `addr` and `port` override the traffic address and port independently.
    std::string host = s->check_addr.empty() ? entry.address.HostString() : s->check_addr;
    int port = s->check_port ? s->check_port : entry.address.port();
    auto probe = ResolveAddress(host, port);
    if (!probe.ok()) return;
    s->checker->set_address(*probe);
    s->state = HealthState(s->params);
    env_.pools->UpdateServer(backend, server, [&](ServerEntry& e) { e.up = s->state.up(); },
                             PoolChange::Kind::kHealthChanged);
    s->checker->RunAt(env_.loop->now_ms());
    return;
  }
}

void HealthManager::Start() {
  // Spread the first checks of each backend over its servers' interval, so that a
  // thousand servers are not probed in the same millisecond (HAProxy does the same).
  std::map<std::string, int> per_backend;
  for (auto& s : servers_) per_backend[s->backend]++;
  std::map<std::string, int> position;
  for (auto& s : servers_) {
    if (!s->checker) continue;
    const BackendPool* pool = env_.pools->Find(s->backend);
    bool has_address = true;
    if (pool != nullptr) {
      for (const ServerEntry& e : pool->servers) {
        if (e.name == s->name) has_address = e.has_address;
      }
    }
    if (!has_address) continue;  // an empty template slot waits for Retarget
    int n = per_backend[s->backend], i = position[s->backend]++;
    int64_t offset = absl::ToInt64Milliseconds(s->state.NextInterval()) * i / std::max(n, 1);
    s->checker->RunAt(env_.loop->now_ms() + offset);
  }
}

void HealthManager::ScheduleNext(Server& s) {
  int64_t interval = absl::ToInt64Milliseconds(s.state.NextInterval());
  if (env_.spread_checks_percent > 0 && interval > 0) {
    int64_t spread = interval * env_.spread_checks_percent / 100;
    std::uniform_int_distribution<int64_t> jitter(-spread, spread);
    interval += jitter(rng_);
  }
  s.checker->RunAt(env_.loop->now_ms() + std::max<int64_t>(interval, 1));
}

void HealthManager::OnResult(Server& s, const CheckResult& r) {
  s.stats.checks++;
  s.stats.last_result = r;
  if (!r.passed) s.stats.failures++;
  Transition t = r.passed ? s.state.OnCheckPassed() : s.state.OnCheckFailed();
  TENDER_LOG(kDebug, "Health check for server ", s.backend, "/", s.name,
             r.passed ? " succeeded" : " failed", ", reason: ", r.reason, r.code ? absl::StrCat(", code: ", r.code) : "",
             r.info.empty() ? "" : absl::StrCat(", info: \"", r.info, "\""), ", check duration: ", r.duration_ms,
             "ms, status: ", s.state.counter(), "/", s.state.top(), s.state.up() ? " UP." : " DOWN.");
  if (t != Transition::kNone) Apply(s, t, r.reason, r.info, r.code, r.duration_ms);
  ScheduleNext(s);
}

std::string HealthManager::CountsLine(const Server& s, bool went_up) const {
  const BackendPool* pool = env_.pools->Find(s.backend);
  int active = 0, backup = 0, sessions = 0;
  if (pool != nullptr) {
    for (const ServerEntry& e : pool->servers) {
      if (e.Usable()) (e.backup ? backup : active)++;
      if (e.name == s.name) sessions = e.load->active.load(std::memory_order_relaxed);
    }
  }
  int queued = pool ? pool->load->queued.load(std::memory_order_relaxed) : 0;
  if (went_up) {
    return absl::StrCat(active, " active and ", backup, " backup servers online. 0 sessions requeued, ", queued,
                        " total in queue.");
  }
  return absl::StrCat(active, " active and ", backup, " backup servers left. ", sessions,
                      " sessions active, 0 requeued, ", queued, " remaining in queue.");
}

void HealthManager::Apply(Server& s, Transition t, const std::string& reason, const std::string& info, int code,
                          int64_t duration_ms) {
  bool up = t == Transition::kWentUp;
  s.stats.transitions++;
  s.stats.last_change_unix_ms = absl::ToUnixMillis(absl::Now());
  std::shared_ptr<ServerLoad> load;
  env_.pools->UpdateServer(
      s.backend, s.name,
      [&](ServerEntry& e) {
        e.up = up;
        load = e.load;
        // A recovered server with `slowstart` starts light and ramps up.
        if (up && s.slowstart > absl::ZeroDuration()) e.weight = std::max(1, e.configured_weight / 20);
      },
      PoolChange::Kind::kHealthChanged);
  std::string line = absl::StrCat("Server ", s.backend, "/", s.name, " is ", up ? "UP" : "DOWN", ", reason: ", reason,
                                  code ? absl::StrCat(", code: ", code) : "",
                                  (!up && !info.empty()) ? absl::StrCat(", info: \"", info, "\"") : "",
                                  ", check duration: ", duration_ms, "ms. ", CountsLine(s, up));
  Log(up ? Severity::kNotice : Severity::kAlert, line);
  if (!up) {
    const BackendPool* pool = env_.pools->Find(s.backend);
    bool none_left = true;
    if (pool != nullptr) {
      for (const ServerEntry& e : pool->servers) none_left &= !e.Usable();
    }
    if (none_left) Log(Severity::kEmerg, absl::StrCat("backend ", s.backend, " has no server available!"));
    if (s.shutdown_on_down && env_.shutdown_sessions) env_.shutdown_sessions(s.backend, load);
    return;
  }
  if (s.slowstart > absl::ZeroDuration()) {
    s.up_since_ms = env_.loop->now_ms();
    StepSlowStart(s);
  }
  if (s.shutdown_backups_on_up && !s.backup && env_.shutdown_sessions) {
    const BackendPool* pool = env_.pools->Find(s.backend);
    if (pool != nullptr) {
      for (const ServerEntry& e : pool->servers) {
        if (e.backup) env_.shutdown_sessions(s.backend, e.load);
      }
    }
  }
}

void HealthManager::StepSlowStart(Server& s) {
  if (!s.state.up()) return;
  absl::Duration elapsed = absl::Milliseconds(env_.loop->now_ms() - s.up_since_ms);
  double fraction = std::min(1.0, absl::FDivDuration(elapsed, s.slowstart));
  int weight = 0, full = 0;
  env_.pools->UpdateServer(s.backend, s.name, [&](ServerEntry& e) {
    e.weight = std::max(1, static_cast<int>(e.configured_weight * fraction + 0.5));
    weight = e.weight;
    full = e.configured_weight;
  });
  TENDER_LOG(kDebug, "Server ", s.backend, "/", s.name, " slowstart: effective weight ", weight, "/", full);
  if (fraction >= 1.0) return;
  // Twenty steps over the ramp, at most one every 100ms.
  if (s.slowstart_timer.handler == nullptr) {
    slowstarts_.push_back(std::make_unique<SlowStart>(*this, s));
    s.slowstart_timer.handler = slowstarts_.back().get();
  }
  int64_t step = std::max<int64_t>(100, absl::ToInt64Milliseconds(s.slowstart) / 20);
  env_.loop->Arm(&s.slowstart_timer, env_.loop->now_ms() + step);
}

void HealthManager::ReportErrorLimit(const std::string& backend, const std::string& server,
                                     const std::string& last_error) {
  env_.loop->Post([this, backend, server, last_error] {
    for (auto& s : servers_) {
      if (s->backend != backend || s->name != server) continue;
      Transition t = s->state.OnErrorLimit();
      TENDER_LOG(kDebug, "Server ", backend, "/", server, ": error limit reached (last error: ", last_error,
                 "), applying on-error; status ", s->state.counter(), "/", s->state.top());
      if (t != Transition::kNone) {
        Apply(*s, t, "Health analyze", absl::StrCat("Detected consecutive errors, last one was: ", last_error), 0, 0);
      }
      if (s->checker && s->checker->waiting()) {
        // The next check comes at the (now forced) fast interval.
        s->checker->RunAt(env_.loop->now_ms() + absl::ToInt64Milliseconds(s->state.NextInterval()));
      }
      // Counting starts over for the next error-limit.
      if (const BackendPool* pool = env_.pools->Find(backend)) {
        for (const ServerEntry& e : pool->servers) {
          if (e.name == server) e.load->consecutive_errors.store(0, std::memory_order_relaxed);
        }
      }
      return;
    }
  });
}

const ServerHealthStats* HealthManager::StatsFor(const std::string& backend, const std::string& server) const {
  for (const auto& s : servers_) {
    if (s->backend == backend && s->name == server) return &s->stats;
  }
  return nullptr;
}

void HealthManager::Log(Severity severity, const std::string& line) {
  TENDER_LOG(kWarning, line);
  SendToAll(env_.logs, severity, line.data(), line.size());
}

}  // namespace tender
