// Backend pools as immutable snapshots. The control side builds a new BackendPool for
// every change (health, admin, discovery) and publishes it; workers pick it up through
// EventLoop::Post and never lock to read it. Only ServerLoad is shared and mutable: relaxed
// atomics touched once per connection, never per byte.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "proxy/config/config.h"
#include "proxy/net/address.h"

namespace tender {

namespace http {
struct BackendHttp;
}

enum class AdminState { kReady, kDrain, kMaint };

// Where a server came from.
enum class ServerSource { kConfig, kTemplateSlot, kAdmin };

struct ServerLoad {
  std::atomic<int> active{0};
  std::atomic<uint64_t> total{0};
  std::atomic<uint64_t> connect_failures{0};  // every failed attempt, of which:
  std::atomic<uint64_t> connect_refused{0};
  std::atomic<uint64_t> connect_timeouts{0};
  // HTTP: invalid responses, response timeouts, final responses by class (index status/100).
  std::atomic<uint64_t> invalid_responses{0};
  std::atomic<uint64_t> response_timeouts{0};
  std::atomic<uint64_t> responses[6] = {};
  // Consecutive errors seen in traffic (`observe`); reset by a success.
  std::atomic<int> consecutive_errors{0};

  // Takes a connection slot unless `maxconn` are taken already (0: no limit).
  bool TryAcquire(int maxconn) {
    int current = active.load(std::memory_order_relaxed);
    do {
      if (maxconn > 0 && current >= maxconn) return false;
    } while (!active.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
    total.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  void Release() { active.fetch_sub(1, std::memory_order_relaxed); }
};

// Per backend, shared by every snapshot of it and every worker.
struct BackendLoad {
  std::atomic<int> active{0};  // sessions holding a server slot, all workers
  std::atomic<int> queued{0};  // sessions waiting for a free server slot, all workers
  std::atomic<uint64_t> queue_timeouts{0};
  std::atomic<uint64_t> no_server{0};  // sessions closed because no server was usable
};

// A connection limit shared by the workers (global or one frontend's maxconn).
struct ConnectionLimit {
  std::atomic<int> live{0};
  std::atomic<uint64_t> total{0};  // sessions ever accepted
  // Frontend counters that ride along: connections closed for a malformed PROXY header,
  // connections refused by `tcp-request content reject`, HTTP requests answered with an
  // error for being malformed or too slow.
  std::atomic<uint64_t> proxy_header_errors{0};
  std::atomic<uint64_t> denied{0};
  std::atomic<uint64_t> request_errors{0};
  int max = 0;  // 0: none
  bool Full() const { return max > 0 && live.load(std::memory_order_relaxed) >= max; }
};

struct ServerEntry {
  std::string name;
  SocketAddress address;
  bool port_from_client = false;  // `server s 10.0.0.1` with no port
  int weight = 1;
  bool backup = false;
  AdminState admin = AdminState::kReady;
  bool up = true;  // health; true until checks say otherwise
  int maxconn = 0;
  int configured_weight = 1;  // `weight`; `weight` above is the effective one (slowstart)
  config::Observe observe = config::Observe::kNone;
  int error_limit = 10;
  bool send_proxy = false;
  bool send_proxy_v2 = false;
  std::string cookie;  // `cookie VALUE`: the persistence cookie's value naming this server
  std::shared_ptr<ServerLoad> load = std::make_shared<ServerLoad>();

  // Control-plane bookkeeping (read by the admin service, ignored by the data path).
  ServerSource source = ServerSource::kConfig;
  std::string template_prefix;  // template slots
  std::string instance_id;      // template slots: the discovery instance in the slot
  bool has_address = true;      // false for an empty template slot
  bool slot_maintenance = false;  // the slot's instance is in maintenance in the catalog
  bool slot_draining = false;     // the slot's instance left the catalog; its sessions finish
  bool checked = false;
  // An operator's (or the config's `disabled`) state; it wins over discovery.
  std::optional<AdminState> operator_state;

  // May take new connections.
  bool Usable() const { return admin == AdminState::kReady && up && weight > 0; }
  // `admin` from the operator's state, the slot's contents and the catalog's maintenance.
  void RecomputeAdmin() {
    if (operator_state) admin = *operator_state;
    else if (!has_address || slot_maintenance) admin = AdminState::kMaint;
    else if (slot_draining) admin = AdminState::kDrain;
    else admin = AdminState::kReady;
  }
};

// What the data path needs of a backend; immutable once published.
struct BackendPool {
  std::string name;
  config::BalanceConfig balance;
  config::Mode mode = config::Mode::kTcp;
  bool all_backups = false;
  bool redispatch = false;
  int retries = 3;
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration server_timeout = absl::InfiniteDuration();
  std::optional<absl::Duration> tunnel_timeout;
  std::optional<absl::Duration> server_fin_timeout;
  absl::Duration queue_timeout = absl::Seconds(5);  // `timeout queue`, else `timeout connect`
  int max_queue = 0;  // sum of the servers' maxqueue when every server sets one; 0: none
  std::vector<ServerEntry> servers;
  // Set for `mode http` backends (proxy/http/settings.h).
  std::shared_ptr<const http::BackendHttp> http;
  std::shared_ptr<BackendLoad> load = std::make_shared<BackendLoad>();

  // Indexes of the servers that may take traffic now: the usable active ones, or when there
  // is none, the first usable backup (every usable backup with `option allbackups`).
  std::vector<int> EligibleServers() const;
};

}  // namespace tender
