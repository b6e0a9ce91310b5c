// Connections to servers, and the per-worker pool of idle ones that `http-reuse` draws
// from. A connection is used by one session at a time; between requests it rests in its
// worker's pool (never shared across workers, so no lock), keyed by the server's load
// counters (which outlive snapshots) and its address (an operator may move a server).
// An idle connection that the server closes, or that talks out of turn, is closed; one
// idle for `kIdlePurgeMs` is closed too (HAProxy's pool-purge-delay, 5 s).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "proxy/event/event_loop.h"
#include "proxy/http/first_read.h"
#include "proxy/http/http1.h"
#include "proxy/net/address.h"
#include "proxy/pool/pool.h"

namespace tender::http {

class ServerConnection;

// The session a connection is serving.
class ConnectionUser {
 public:
  virtual ~ConnectionUser() = default;
  virtual void OnServerEvents(uint32_t events) = 0;
};

class ServerConnection : public FdHandler, public TimerHandler, public Deferred {
 public:
  ServerConnection(int fd, std::shared_ptr<ServerLoad> server, const SocketAddress& address)
      : fd_(fd), server_(std::move(server)), address_(address) {}
  ~ServerConnection() override;

  int fd() const { return fd_; }
  const ServerLoad* server() const { return server_.get(); }
  const SocketAddress& address() const { return address_; }
  // Has carried at least one complete exchange (`http-reuse aggressive` trusts those).
  bool proven() const { return proven_; }
  void set_proven() { proven_ = true; }
  void set_user(ConnectionUser* user) { user_ = user; }

  void OnFdEvents(uint32_t events) override;
  void OnTimer() override;

 private:
  friend class IdlePool;
  int fd_;
  std::shared_ptr<ServerLoad> server_;
  SocketAddress address_;
  bool proven_ = false;
  ConnectionUser* user_ = nullptr;
  class IdlePool* pool_ = nullptr;  // set while idle
  ServerConnection* idle_prev_ = nullptr;
  ServerConnection* idle_next_ = nullptr;
  Timer idle_timer_{this};
};

class IdlePool {
 public:
  static constexpr int64_t kIdlePurgeMs = 5000;

  explicit IdlePool(EventLoop& loop) : loop_(loop) {}
  ~IdlePool();

  // An idle connection to `server` at `address`, most recently used first; with
  // `proven_only`, only one that has served before. Null if none.
  ServerConnection* Take(const ServerLoad* server, const SocketAddress& address, bool proven_only);
  // Rests `c` in the pool (it must have no user and nothing unread).
  void Park(ServerConnection* c);
  // Closes and frees a connection that is not in the pool.
  void Discard(ServerConnection* c);
  size_t idle_count() const { return idle_count_; }

 private:
  friend class ServerConnection;
  void Unlink(ServerConnection* c);
  // Called by an idle connection that must go (server closed, data out of turn, purge).
  void Expire(ServerConnection* c);

  EventLoop& loop_;
  absl::flat_hash_map<const ServerLoad*, ServerConnection*> heads_;
  size_t idle_count_ = 0;
};

// A worker's HTTP state.
class WorkerHttp {
 public:
  WorkerHttp(EventLoop& loop, int max_headers) : idle_(loop), fields_(max_headers) {}
  IdlePool& idle() { return idle_; }
  // Scratch space for the fields of the head being handled now; valid until the handler
  // returns to the loop.
  HeaderField* fields() { return fields_.data(); }
  int max_headers() const { return static_cast<int>(fields_.size()); }
  // Per-field marks for header rules (deleted fields), sized like fields().
  std::vector<uint8_t>& marks() { return marks_; }
  FirstReadPredictor& first_read() { return first_read_; }

 private:
  IdlePool idle_;
  FirstReadPredictor first_read_;
  std::vector<HeaderField> fields_;
  std::vector<uint8_t> marks_;
};

}  // namespace tender::http
