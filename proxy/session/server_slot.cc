#include "proxy/session/server_slot.h"

#include <netinet/in.h>

#include <cerrno>
#include <cstring>

#include "proxy/common/log.h"

namespace tender {

void ServerSlot::Reset(SessionOwner& owner, const std::string& backend) {
  if (backend_ != backend) backend_ = backend;
  pool_ = owner.PoolFor(backend_);
  server_index_ = -1;
  holds_ = false;
  attempts_ = 0;
  redispatched_ = false;
}

void ServerSlot::Clear() {
  backend_.clear();
  pool_ = nullptr;
  server_index_ = -1;
  holds_ = false;
  attempts_ = 0;
  redispatched_ = false;
}

bool ServerSlot::Take(SessionOwner& owner, int index) {
  const ServerEntry& s = pool_->servers[index];
  if (!s.load->TryAcquire(s.maxconn)) return false;
  server_index_ = index;
  holds_ = true;
  pool_->load->active.fetch_add(1, std::memory_order_relaxed);
  if (Balancer* balancer = owner.BalancerFor(backend_)) balancer->Taken(s.load.get());
  return true;
}

bool ServerSlot::Pick(SessionOwner& owner, PickContext context, int preferred) {
  Balancer* balancer = owner.BalancerFor(backend_);
  if (balancer == nullptr || pool_ == nullptr) return false;
  // Redispatch on the last retry, as HAProxy's `option redispatch` does by default;
  // other retries go back to the same server.
  bool redispatch = pool_->redispatch && attempts_ > 0 && attempts_ == pool_->retries;
  if (server_index_ >= 0 && attempts_ > 0 && !redispatch) return Take(owner, server_index_);
  if (preferred >= 0 && !redispatch && preferred < static_cast<int>(pool_->servers.size()) &&
      pool_->servers[preferred].Usable() && Take(owner, preferred)) {
    return true;
  }
  context.exclude = redispatch ? server_index_ : -1;
  redispatched_ |= redispatch;
  // A full server (at its maxconn) is skipped; the balancer is asked again, at most once
  // per eligible server.
  for (size_t tries = 0; tries <= pool_->servers.size(); ++tries) {
    int picked = balancer->Pick(context);
    if (picked < 0) break;
    if (Take(owner, picked)) return true;
    if (pool_->servers[picked].maxconn == 0) break;
  }
  return false;
}

void ServerSlot::Release(SessionOwner& owner) {
  if (!holds_) return;
  holds_ = false;
  const ServerEntry& s = server();
  s.load->Release();
  pool_->load->active.fetch_sub(1, std::memory_order_relaxed);
  if (Balancer* balancer = owner.BalancerFor(backend_)) balancer->Released(s.load.get());
  if (s.maxconn > 0) owner.SlotFreed(backend_);
}

bool ServerSlot::ConnectFailed(SessionOwner& owner, int error) {
  bool timed_out = error == 0;
  const char* why = timed_out ? "connect timeout" : strerror(error);
  const ServerEntry& s = server();
  // Both layers count connect failures.
  if (s.observe != config::Observe::kNone &&
      s.load->consecutive_errors.fetch_add(1, std::memory_order_relaxed) + 1 == s.error_limit) {
    // Exactly one session reports each time the limit is reached.
    owner.ReportErrorLimit(backend_, s.name, why);
  }
  TENDER_LOG(kDebug, "connect to ", pool_->name, "/", s.name, " failed: ", why);
  s.load->connect_failures.fetch_add(1, std::memory_order_relaxed);
  if (timed_out) s.load->connect_timeouts.fetch_add(1, std::memory_order_relaxed);
  if (error == ECONNREFUSED) s.load->connect_refused.fetch_add(1, std::memory_order_relaxed);
  Release(owner);
  return attempts_ <= pool_->retries;
}

void ServerSlot::Connected() {
  // At layer 7 a connect is not yet a success: the response decides.
  const ServerEntry& s = server();
  if (s.observe == config::Observe::kLayer4 && s.load->consecutive_errors.load(std::memory_order_relaxed) != 0) {
    s.load->consecutive_errors.store(0, std::memory_order_relaxed);
  }
}

void ServerSlot::ObserveResponse(SessionOwner& owner, bool error, const char* why) {
  const ServerEntry& s = server();
  if (s.observe != config::Observe::kLayer7) return;
  if (!error) {
    if (s.load->consecutive_errors.load(std::memory_order_relaxed) != 0) s.load->consecutive_errors.store(0, std::memory_order_relaxed);
    return;
  }
  if (s.load->consecutive_errors.fetch_add(1, std::memory_order_relaxed) + 1 == s.error_limit) {
    owner.ReportErrorLimit(backend_, s.name, why);
  }
}

SocketAddress ServerSlot::Target(absl::FunctionRef<const SocketAddress&()> frontend_address) const {
  const ServerEntry& s = server();
  SocketAddress target = s.address;
  if (s.port_from_client) {
    // sin_port and sin6_port sit at the same offset.
    reinterpret_cast<sockaddr_in*>(&target.storage)->sin_port =
        reinterpret_cast<const sockaddr_in*>(&frontend_address().storage)->sin_port;
  }
  return target;
}

bool ServerSlot::Enqueue(SessionOwner& owner, Session* session) {
  if (pool_->max_queue > 0 && pool_->load->queued.load(std::memory_order_relaxed) >= pool_->max_queue) return false;
  auto& queue = owner.QueueFor(backend_);
  queue_position_ = queue.insert(queue.end(), session);
  queued_at_ms_ = owner.loop().now_ms();
  pool_->load->queued.fetch_add(1, std::memory_order_relaxed);
  return true;
}

int64_t ServerSlot::LeaveQueue(SessionOwner& owner) {
  owner.QueueFor(backend_).erase(queue_position_);
  pool_->load->queued.fetch_sub(1, std::memory_order_relaxed);
  return owner.loop().now_ms() - queued_at_ms_;
}

}  // namespace tender
