// The server side of dispatching a session, shared by TCP and HTTP sessions: picking a
// server that has a free slot (balancer, maxconn, retries to the same server, redispatch
// on the last retry, a preferred server such as a persistence cookie's), holding and
// releasing the slot, waiting in the backend's queue, and accounting a failed connect.
#pragma once

#include <list>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "proxy/lb/balancer.h"
#include "proxy/net/address.h"
#include "proxy/pool/pool.h"
#include "proxy/session/session.h"

namespace tender {

class ServerSlot {
 public:
  // Starts over for a new dispatch to `backend` (HTTP: each request).
  void Reset(SessionOwner& owner, const std::string& backend);
  // No backend chosen (between HTTP requests); keeps the name's storage for the next.
  void Clear();

  // Takes a free slot on a server: the same one again when retrying (unless this is the
  // redispatching retry), else `preferred` when usable, else the balancer's pick.
  bool Pick(SessionOwner& owner, PickContext context, int preferred = -1);
  void Release(SessionOwner& owner);
  // Accounts a failed connect (`error` 0: a timeout) on the current server: counters,
  // `observe layer4`'s error limit, and the slot's release. True if another attempt is
  // allowed (`retries`).
  bool ConnectFailed(SessionOwner& owner, int error);
  // Resets `observe layer4`'s consecutive error count after a successful connect.
  void Connected();
  // `observe layer7`: the outcome of an HTTP exchange with the current server (`error`:
  // a 5xx other than 501 and 505, an invalid response, a response timeout); `why` names
  // it for the health manager's log.
  void ObserveResponse(SessionOwner& owner, bool error, const char* why);
  // The address to connect to (the client's destination port for a port-less server).
  // `frontend_address` is asked only for a server without a port of its own (one
  // getsockname(2) a connection saved otherwise).
  SocketAddress Target(absl::FunctionRef<const SocketAddress&()> frontend_address) const;
  // One more connection attempt starts.
  void CountAttempt() { ++attempts_; }

  // The backend's queue, while no server has a free slot. False when `maxqueue` is full.
  bool Enqueue(SessionOwner& owner, Session* session);
  // Leaves the queue; returns the milliseconds spent in it (the log's %Tw).
  int64_t LeaveQueue(SessionOwner& owner);

  const std::string& backend() const { return backend_; }
  const std::shared_ptr<const BackendPool>& pool() const { return pool_; }
  void set_pool(std::shared_ptr<const BackendPool> pool) { pool_ = std::move(pool); }
  int index() const { return server_index_; }
  bool picked() const { return server_index_ >= 0; }
  const ServerEntry& server() const { return pool_->servers[server_index_]; }
  bool holds() const { return holds_; }
  int attempts() const { return attempts_; }
  bool redispatched() const { return redispatched_; }

 private:
  bool Take(SessionOwner& owner, int index);

  std::string backend_;
  std::shared_ptr<const BackendPool> pool_;
  int server_index_ = -1;
  bool holds_ = false;
  int attempts_ = 0;
  bool redispatched_ = false;
  std::list<Session*>::iterator queue_position_;
  int64_t queued_at_ms_ = 0;
};

}  // namespace tender
