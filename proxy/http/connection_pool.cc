#include "proxy/http/connection_pool.h"

#include <sys/socket.h>
#include <unistd.h>

namespace tender::http {

ServerConnection::~ServerConnection() {
  if (fd_ >= 0) close(fd_);
}

void ServerConnection::OnFdEvents(uint32_t events) {
  if (user_ != nullptr) {
    user_->OnServerEvents(events);
    return;
  }
  if (pool_ == nullptr) return;
  // Idle: the server may close (that is normal), but must not send anything.
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) pool_->Expire(this);
}

void ServerConnection::OnTimer() {
  if (pool_ != nullptr) pool_->Expire(this);
}

IdlePool::~IdlePool() {
  for (auto& [server, head] : heads_) {
    for (ServerConnection* c = head; c != nullptr;) {
      ServerConnection* next = c->idle_next_;
      loop_.Disarm(&c->idle_timer_);
      loop_.Remove(c->fd_);
      delete c;
      c = next;
    }
  }
}

ServerConnection* IdlePool::Take(const ServerLoad* server, const SocketAddress& address, bool proven_only) {
  auto it = heads_.find(server);
  if (it == heads_.end()) return nullptr;
  for (ServerConnection* c = it->second; c != nullptr; c = c->idle_next_) {
    if (proven_only && !c->proven_) continue;
    if (c->address_.length != address.length || memcmp(&c->address_.storage, &address.storage, address.length) != 0) {
      continue;
    }
    Unlink(c);
    return c;
  }
  return nullptr;
}

void IdlePool::Park(ServerConnection* c) {
  c->user_ = nullptr;
  c->pool_ = this;
  ServerConnection*& head = heads_[c->server_.get()];
  c->idle_prev_ = nullptr;
  c->idle_next_ = head;
  if (head != nullptr) head->idle_prev_ = c;
  head = c;
  ++idle_count_;
  loop_.Arm(&c->idle_timer_, loop_.now_ms() + kIdlePurgeMs);
}

void IdlePool::Unlink(ServerConnection* c) {
  auto it = heads_.find(c->server_.get());
  if (c->idle_prev_ != nullptr) c->idle_prev_->idle_next_ = c->idle_next_;
  else if (it != heads_.end()) it->second = c->idle_next_;
  if (c->idle_next_ != nullptr) c->idle_next_->idle_prev_ = c->idle_prev_;
  if (it != heads_.end() && it->second == nullptr) heads_.erase(it);
  c->idle_prev_ = c->idle_next_ = nullptr;
  c->pool_ = nullptr;
  --idle_count_;
  loop_.Disarm(&c->idle_timer_);
}

void IdlePool::Expire(ServerConnection* c) {
  Unlink(c);
  Discard(c);
}

void IdlePool::Discard(ServerConnection* c) {
  c->user_ = nullptr;
  loop_.Disarm(&c->idle_timer_);
  close(c->fd_);  // also takes it out of the epoll set
  c->fd_ = -1;
  // Events for it may already be in the loop's current batch.
  loop_.DeleteLater(c);
}

}  // namespace tender::http
