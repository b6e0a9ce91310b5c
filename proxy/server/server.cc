#include "proxy/server/server.h"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "proxy/common/log.h"
#include "proxy/admin/admin_service.h"
#include "discovery/manager.h"
#include "proxy/event/event_loop.h"
#include "proxy/health/health_manager.h"
#include "proxy/pool/pool_manager.h"
#include "proxy/server/runtime.h"
#include "proxy/server/worker.h"
#include "proxy/version.h"

namespace tender {
namespace {

absl::Status DropPrivileges(const config::GlobalConfig& g) {
  if (!g.group.empty()) {
    struct group* gr = getgrnam(g.group.c_str());
    if (gr == nullptr) return absl::InvalidArgumentError(absl::StrCat("group '", g.group, "' does not exist"));
    if (setgroups(0, nullptr) != 0 || setgid(gr->gr_gid) != 0) {
      return absl::PermissionDeniedError(absl::StrCat("cannot switch to group '", g.group, "': ", strerror(errno)));
    }
  }
  if (!g.user.empty()) {
    struct passwd* pw = getpwnam(g.user.c_str());
    if (pw == nullptr) return absl::InvalidArgumentError(absl::StrCat("user '", g.user, "' does not exist"));
    if (setuid(pw->pw_uid) != 0) {
      return absl::PermissionDeniedError(absl::StrCat("cannot switch to user '", g.user, "': ", strerror(errno)));
    }
  }
  return absl::OkStatus();
}

// Waits for SIGTERM/SIGUSR1 (graceful) or SIGINT/SIGQUIT (immediate) on the main thread.
bool WaitForStopSignal(const sigset_t& set) {
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGTERM || sig == SIGUSR1) {
      TENDER_LOG(kInfo, "received ", sig == SIGTERM ? "SIGTERM" : "SIGUSR1", ": stopping gracefully");
      return true;
    }
    if (sig == SIGINT || sig == SIGQUIT) {
      TENDER_LOG(kInfo, "received ", sig == SIGINT ? "SIGINT" : "SIGQUIT", ": stopping now");
      return false;
    }
  }
}

}  // namespace

int RunServer(const config::Config& config, const std::vector<std::string>& files, bool external_discovery) {
  std::vector<std::string> warnings;
  absl::StatusOr<Runtime> runtime = BuildRuntime(config, &warnings);
  for (const std::string& w : warnings) TENDER_LOG(kWarning, w);
  if (!runtime.ok()) {
    std::fprintf(stderr, "%s\n", std::string(runtime.status().message()).c_str());
    return 1;
  }
  // Block the stop signals in every thread; the main thread takes them with sigwait.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGUSR1, SIGINT, SIGQUIT, SIGHUP}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::atomic<int> live_sessions{0};
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < runtime->threads; ++i) {
    workers.push_back(std::make_unique<Worker>(i, *runtime, live_sessions));
    absl::Status bound = workers.back()->Bind();
    if (!bound.ok()) {
      std::fprintf(stderr, "Starting proxies: %s\n", std::string(bound.message()).c_str());
      return 1;
    }
  }
  absl::Status dropped = DropPrivileges(config.global);
  if (!dropped.ok()) {
    std::fprintf(stderr, "%s\n", std::string(dropped.message()).c_str());
    return 1;
  }
  if (config.global.daemon && daemon(/*nochdir=*/1, /*noclose=*/0) != 0) {
    std::fprintf(stderr, "cannot go to the background: %s\n", strerror(errno));
    return 1;
  }
  std::vector<Worker*> peers;
  for (auto& w : workers) peers.push_back(w.get());
  for (auto& w : workers) w->set_peers(peers);

  // The control thread: single writer of pools, home of the health checks.
  auto control_loop = std::move(EventLoop::Create()).value();
  PoolManager pools(runtime->pools, [&peers](std::shared_ptr<const BackendPool> pool) {
    for (Worker* w : peers) w->PublishPool(pool);
  });
  HealthEnvironment health_env;
  health_env.loop = control_loop.get();
  health_env.pools = &pools;
  health_env.logs = runtime->global_logs;
  health_env.spread_checks_percent = config.global.spread_checks;
  health_env.shutdown_sessions = [&peers](const std::string&, std::shared_ptr<ServerLoad> server) {
    for (Worker* w : peers) w->ShutdownSessionsOn(server);
  };
  auto health = HealthManager::Create(config, std::move(health_env));
  if (!health.ok()) {
    std::fprintf(stderr, "%s\n", std::string(health.status().message()).c_str());
    return 1;
  }
  for (auto& w : workers) {
    w->set_error_reporter([h = health->get()](const std::string& b, const std::string& s, const std::string& e) {
      h->ReportErrorLimit(b, s, e);
    });
  }
  pools.set_address_listener([h = health->get(), &peers](const std::string& b, const std::string& s,
                                                          const ServerEntry& e) {
    h->Retarget(b, s, e);
  });
  // Discovery fills server-template slots through the same ApplySlots as ApplyPool.
  AdminServer* admin_for_ready = nullptr;
  config::Config no_discovery;  // the same configuration without templates, for --external-discovery
  if (external_discovery) {
    no_discovery = config;
    for (auto& p : no_discovery.proxies) p.server_templates.clear();
  }
  auto discovery = discovery::DiscoveryManager::Create(
      external_discovery ? no_discovery : config, control_loop.get(),
      [&pools, &peers, draining = std::map<std::string, bool>()](
          const std::string& backend, const std::string& prefix,
          const std::vector<discovery::SlotAssignment>& assignments) mutable {
        // A slot whose drain ended (draining, now empty): the sessions still on it end now.
        if (const BackendPool* pool = pools.Find(backend)) {
          for (const discovery::SlotAssignment& a : assignments) {
            std::string key = absl::StrCat(backend, "/", a.slot);
            if (draining[key] && !a.filled) {
              for (const ServerEntry& e : pool->servers) {
                if (e.name == a.slot) {
                  for (Worker* w : peers) w->ShutdownSessionsOn(e.load);
                }
              }
            }
            draining[key] = a.filled && a.draining;
          }
        }
        std::map<std::string, SlotMember> slots;
        for (const discovery::SlotAssignment& a : assignments) {
          if (!a.filled) continue;
          auto address = ResolveAddress(a.address, a.port);
          if (!address.ok()) {
            TENDER_LOG(kWarning, "discovery: ", backend, "/", a.slot, ": ", address.status().message());
            continue;
          }
          slots[a.slot] = SlotMember{a.instance_id, *address, a.weight, a.maintenance, a.draining};
        }
        auto applied = pools.ApplySlots(backend, prefix, slots);
        if (!applied.ok()) TENDER_LOG(kWarning, "discovery: ", applied.status().message());
      },
      [&admin_for_ready] {
        if (admin_for_ready != nullptr) admin_for_ready->SetServing(true);
      });
  if (!discovery.ok()) {
    std::fprintf(stderr, "%s\n", std::string(discovery.status().message()).c_str());
    return 1;
  }
  std::unique_ptr<AdminServer> admin;
  if (config.global.admin) {
    AdminContext admin_ctx;
    admin_ctx.control_loop = control_loop.get();
    admin_ctx.pools = &pools;
    admin_ctx.health = health->get();
    admin_ctx.runtime = &*runtime;
    admin_ctx.config = &config;
    admin_ctx.files = files;
    admin_ctx.workers = runtime->threads;
    admin_ctx.start_unix_ms = absl::ToUnixMillis(absl::Now());
    admin_ctx.audit_logs = runtime->global_logs;
    admin_ctx.fill_discovery_stats = [d = discovery->get()](adminpb::Stats* stats) {
      for (const discovery::TemplateStats& t : d->Stats()) {
        auto* c = stats->add_discovery();
        c->set_backend(t.backend);
        c->set_template_prefix(t.prefix);
        c->set_service(t.service);
        c->set_synced(t.synced);
        c->set_instances(t.instances);
        c->set_overflow(t.overflow);
        c->set_empty_answers_kept(t.empty_answers_kept);
        c->set_errors(t.errors);
        c->set_last_error(t.last_error);
        c->set_changes(t.changes);
      }
    };
    auto started = AdminServer::Start(*config.global.admin, std::move(admin_ctx));
    if (!started.ok()) {
      std::fprintf(stderr, "%s:%d: 'admin grpc': %s\n", config.global.admin->where.file.c_str(),
                   config.global.admin->where.line, std::string(started.status().message()).c_str());
      return 1;
    }
    admin = std::move(*started);
    TENDER_LOG(kInfo, "admin service listening on ", admin->address());
    // Not ready until every discovery source has synced: a fresh sidecar never serves
    // from empty pools.
    if (!(*discovery)->empty()) {
      admin->SetServing(false);
      admin_for_ready = admin.get();
    }
  }
  for (auto& w : workers) w->Start();
  control_loop->Post([h = health->get()] { h->Start(); });
  (*discovery)->Start();
  std::thread control_thread([&control_loop] { control_loop->Run(); });
  TENDER_LOG(kInfo, "tender ", kVersion, " ready: ", runtime->listeners.size(), " listener(s), ",
             runtime->pools.size(), " backend(s), ", runtime->threads, " worker thread(s), config ",
             absl::StrJoin(files, ","));

  bool graceful = WaitForStopSignal(set);
  if (graceful) {
    for (auto& w : workers) w->StopAccepting();
    int64_t deadline = runtime->hard_stop_after == absl::InfiniteDuration()
                           ? -1
                           : MonotonicMs() + absl::ToInt64Milliseconds(runtime->hard_stop_after);
    // Poll the session count at a human pace; nothing waits on this loop but the exit.
    while (live_sessions.load() > 0 && (deadline < 0 || MonotonicMs() < deadline)) {
      struct timespec ts = {0, 20 * 1000 * 1000};
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGINT)) break;
      nanosleep(&ts, nullptr);
    }
  }
  (*discovery)->Stop();
  if (admin) admin->Shutdown();  // before the control loop: calls finish there
  control_loop->Stop();
  control_thread.join();
  for (auto& w : workers) w->Stop();
  for (auto& w : workers) w->Join();
  TENDER_LOG(kInfo, "tender stopped");
  return 0;
}

}  // namespace tender
