// What every client session (layer 4 TcpSession, layer 7 HttpSession) shares with the
// worker that owns it: the worker's loop, balancers, queues and buffers, and the frontend
// settings it was accepted under. A session is created, run and deleted on one worker's
// thread only.
#pragma once

#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "proxy/acl/acl.h"
#include "proxy/event/event_loop.h"
#include "proxy/http/settings.h"
#include "proxy/lb/balancer.h"
#include "proxy/log/log_target.h"
#include "proxy/net/buffer_pool.h"
#include "proxy/pool/pool.h"

namespace tender {

namespace http {
class WorkerHttp;
}

// The worker-facing side of a session: what the worker may ask of any of its sessions.
class Session {
 public:
  virtual ~Session() = default;
  // A server slot may be free: take it and go on; false if still waiting.
  virtual bool TryLeaveQueue() = 0;
  // A queued session moves to the backend's newest snapshot.
  virtual void UsePool(std::shared_ptr<const BackendPool> pool) = 0;
  // Closes the session at once (process stop).
  virtual void Abort() = 0;
  // Closes the session if it is established on `server` (on-marked-down/up shutdowns).
  virtual void ShutdownIfOn(const ServerLoad* server) = 0;
  // The process is stopping gracefully: finish what is in flight, take nothing new (an
  // HTTP connection closes when idle, or after its current response). TCP sessions just
  // run to their end.
  virtual void Drain() {}

  // The owner's intrusive list of live sessions.
  Session* next_live = nullptr;
  Session* prev_live = nullptr;
};

// What a session needs from the worker that owns it.
class SessionOwner {
 public:
  virtual ~SessionOwner() = default;
  virtual EventLoop& loop() = 0;
  virtual Balancer* BalancerFor(const std::string& backend) = 0;
  virtual std::shared_ptr<const BackendPool> PoolFor(const std::string& backend) = 0;
  // Queue of sessions waiting for a server slot in `backend`, on this worker.
  virtual std::list<Session*>& QueueFor(const std::string& backend) = 0;
  // A server of `backend` has a free slot again.
  virtual void SlotFreed(const std::string& backend) = 0;
  virtual void SessionClosed(int frontend) = 0;
  // `error-limit` consecutive traffic errors were seen on a server (`observe layer4`).
  virtual void ReportErrorLimit(const std::string& backend, const std::string& server,
                                const std::string& last_error) = 0;
  // Every live session is registered with its owner (for shutdowns).
  virtual void Register(Session* session) = 0;
  virtual void Unregister(Session* session) = 0;
  // The worker's buffers.
  virtual BufferPool& buffers() = 0;
  // False when `nosplice` asks for the copy relay.
  virtual bool splice_enabled() const = 0;
  // The worker's HTTP state: idle server connections and per-request scratch space.
  virtual http::WorkerHttp& http() = 0;
};

// `use_backend NAME [cond]`; without a condition, always.
struct BackendRule {
  std::optional<CompiledCondition> condition;
  std::string backend;
};

// `tcp-request content accept|reject [cond]`; without a condition, always.
struct ContentRule {
  std::optional<CompiledCondition> condition;
  bool accept = true;
};

struct FrontendSettings {
  int index = 0;
  std::string name;
  std::string backend;  // default_backend, or the listen section itself
  std::vector<BackendRule> use_backends;
  std::vector<ContentRule> content_rules;
  bool rules_need_destination = false;
  absl::Duration client_timeout = absl::InfiniteDuration();
  std::optional<absl::Duration> client_fin_timeout;
  bool tcplog = false;
  bool dontlognull = false;
  bool client_timeout_first = true;  // which side an idle timeout is blamed on in logs
  LogTargets logs;
  std::shared_ptr<ConnectionLimit> process_limit;  // global maxconn's counter, for logs
  std::shared_ptr<ConnectionLimit> limit = std::make_shared<ConnectionLimit>();
  // Set for `mode http` frontends.
  std::shared_ptr<const http::FrontendHttp> http;
};

}  // namespace tender
