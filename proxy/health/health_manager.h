// Active and passive health for every server with `check` or `observe`, on the control
// thread: one Checker per server for the whole process (never one per worker), a
// HealthState deciding UP/DOWN, and on each transition a new pool snapshot, HAProxy's log
// line, and the `on-marked-down` / `on-marked-up` session shutdowns. Workers report
// `observe` error limits through ReportErrorLimit (thread-safe).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proxy/config/config.h"
#include "proxy/event/event_loop.h"
#include "proxy/health/checker.h"
#include "proxy/health/health_state.h"
#include "proxy/log/log_target.h"
#include "proxy/pool/pool_manager.h"

namespace tender {

// What the manager needs from the rest of the process.
struct HealthEnvironment {
  EventLoop* loop = nullptr;  // the control loop
  PoolManager* pools = nullptr;
  LogTargets logs;            // global log targets, for transitions
  // Asks every worker to close the sessions established on `server` of `backend`.
  std::function<void(const std::string& backend, std::shared_ptr<ServerLoad> server)> shutdown_sessions;
  int spread_checks_percent = 0;
};

// Per server, what an operator sees (the admin service will expose it).
struct ServerHealthStats {
  uint64_t checks = 0;
  uint64_t failures = 0;
  uint64_t transitions = 0;
  int64_t last_change_unix_ms = 0;
  CheckResult last_result;
};

class HealthManager {
 public:
  // Builds a checker for every server with `check` in the configuration.
  static absl::StatusOr<std::unique_ptr<HealthManager>> Create(const config::Config& config, HealthEnvironment env);

  ~HealthManager();

  // Control thread: starts the checks, spread over each server's first interval.
  void Start();
  // Thread-safe: a worker saw `error-limit` consecutive errors on a server.
  void ReportErrorLimit(const std::string& backend, const std::string& server, const std::string& last_error);

  const ServerHealthStats* StatsFor(const std::string& backend, const std::string& server) const;

  // Control thread: a server's address changed (SetServerAddress, a template slot filled
  // or emptied). Its checks follow the new address, from its init-state, as HAProxy does
  // for a server discovered anew; an empty slot is not checked.
  void Retarget(const std::string& backend, const std::string& server, const ServerEntry& entry);

 private:
  struct Server {
    std::string backend;
    std::string name;
    bool backup = false;
    bool checked = false;
    bool shutdown_on_down = false;
    bool shutdown_backups_on_up = false;
    int weight = 1;
    absl::Duration slowstart = absl::ZeroDuration();
    int64_t up_since_ms = 0;
    HealthState state;
    HealthParams params;
    int check_port = 0;      // `port`: 0 probes the traffic port
    std::string check_addr;  // `addr`: empty probes the traffic address
    std::unique_ptr<Checker> checker;
    ServerHealthStats stats;
    Timer slowstart_timer{nullptr};
  };
  // Re-publishes a recovering server's weight in steps until `slowstart` has passed.
  class SlowStart : public TimerHandler {
   public:
    SlowStart(HealthManager& m, Server& s) : manager_(m), server_(s) {}
    void OnTimer() override { manager_.StepSlowStart(server_); }

   private:
    HealthManager& manager_;
    Server& server_;
  };

  explicit HealthManager(HealthEnvironment env) : env_(std::move(env)) {}
  void OnResult(Server& s, const CheckResult& r);
  void Apply(Server& s, Transition t, const std::string& reason, const std::string& info, int code,
             int64_t duration_ms);
  void ScheduleNext(Server& s);
  void StepSlowStart(Server& s);
  std::string CountsLine(const Server& s, bool went_up) const;
  void Log(Severity severity, const std::string& line);

  HealthEnvironment env_;
  std::vector<std::unique_ptr<Server>> servers_;
  std::vector<std::unique_ptr<SlowStart>> slowstarts_;
  std::mt19937_64 rng_{0x5eed};
};

}  // namespace tender
