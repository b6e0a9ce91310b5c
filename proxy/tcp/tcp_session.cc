#include "proxy/tcp/tcp_session.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "proxy/common/log.h"
#include "proxy/net/address.h"
#include "proxy/net/socket.h"

namespace tender {
namespace {

constexpr size_t kSpliceChunk = 64 * 1024;

int64_t ToMs(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return -1;
  return absl::ToInt64Milliseconds(d);
}

uint32_t HashClient(const SocketAddress& client) {
  std::string host = client.HostString();
  uint32_t h = 0;
  for (unsigned char c : host) h = c + (h << 6) + (h << 16) - h;
  return h;
}

}  // namespace

void TcpSession::Start(SessionOwner& owner, const FrontendSettings& frontend, int client_fd,
                       const SocketAddress& client_address) {
  auto* s = new TcpSession(owner, frontend, client_fd, client_address);
  s->ConnectToServer();
}

TcpSession::TcpSession(SessionOwner& owner, const FrontendSettings& frontend, int client_fd,
                       const SocketAddress& client_address)
    : owner_(owner), frontend_(frontend), client_fd_(client_fd), client_address_(client_address) {
  start_ms_ = owner_.loop().now_ms();
  last_activity_ms_ = start_ms_;
  pool_ = owner_.PoolFor(frontend_.backend);
}

TcpSession::~TcpSession() {
  for (Direction* d : {&upstream_, &downstream_}) {
    if (d->pipe_read >= 0) close(d->pipe_read);
    if (d->pipe_write >= 0) close(d->pipe_write);
  }
}

void TcpSession::ConnectToServer() {
  Balancer* balancer = owner_.BalancerFor(frontend_.backend);
  PickContext ctx;
  // Redispatch on the last retry, as HAProxy's `option redispatch` does by default.
  bool redispatch = pool_ && pool_->redispatch && attempts_ > 0 && attempts_ == pool_->retries;
  if (server_index_ >= 0 && !redispatch) {
    // Retry the same server.
  } else {
    if (pool_ && pool_->balance.algorithm == config::BalanceAlgorithm::kSource) ctx.client_hash = HashClient(client_address_);
    ctx.exclude = redispatch ? server_index_ : -1;
    server_index_ = balancer ? balancer->Pick(ctx) : -1;
  }
  if (server_index_ < 0) {
    Close("no server available");
    return;
  }
  const ServerEntry& server = pool_->servers[server_index_];
  SocketAddress target = server.address;
  if (server.port_from_client) {
    SocketAddress local = LocalAddressOf(client_fd_);
    reinterpret_cast<sockaddr_in*>(&target.storage)->sin_port =
        reinterpret_cast<sockaddr_in*>(&local.storage)->sin_port;
  }
  ++attempts_;
  absl::StatusOr<int> fd = StartConnect(target);
  if (!fd.ok()) {
    server.load->connect_failures.fetch_add(1, std::memory_order_relaxed);
    if (attempts_ <= pool_->retries) {
      ConnectToServer();
    } else {
      Close("connect failed");
    }
    return;
  }
  server_fd_ = *fd;
  server.load->active.fetch_add(1, std::memory_order_relaxed);
  server.load->total.fetch_add(1, std::memory_order_relaxed);
  owner_.loop().Add(server_fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
  connect_deadline_ms_ = owner_.loop().now_ms() + ToMs(pool_->connect_timeout);
  owner_.loop().Arm(&timer_, connect_deadline_ms_);
}

void TcpSession::OnFdEvents(uint32_t events) {
  if (closed_) return;
  if (!connected_) {
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) OnConnectResult();
    return;
  }
  Relay();
}

void TcpSession::OnConnectResult() {
  int err = SocketError(server_fd_);
  const ServerEntry& server = pool_->servers[server_index_];
  if (err != 0) {
    TENDER_LOG(kDebug, "connect to ", server.name, " failed: ", strerror(err));
    server.load->connect_failures.fetch_add(1, std::memory_order_relaxed);
    server.load->active.fetch_sub(1, std::memory_order_relaxed);
    owner_.loop().Remove(server_fd_);
    close(server_fd_);
    server_fd_ = -1;
    if (attempts_ <= pool_->retries) {
      ConnectToServer();
    } else {
      Close("connect failed");
    }
    return;
  }
  connected_ = true;
  upstream_.from = client_fd_;
  upstream_.to = server_fd_;
  downstream_.from = server_fd_;
  downstream_.to = client_fd_;
  owner_.loop().Add(client_fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
  ArmIdleTimer();
  Relay();
}

bool TcpSession::EnsurePipe(Direction& d) {
  if (d.pipe_read >= 0) return true;
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return false;
  d.pipe_read = fds[0];
  d.pipe_write = fds[1];
  return true;
}

bool TcpSession::Pump(Direction& d) {
  if (d.done) return true;
  if (!EnsurePipe(d)) return false;
  for (;;) {
    if (d.in_pipe > 0) {
      ssize_t n = splice(d.pipe_read, nullptr, d.to, nullptr, d.in_pipe, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
      if (n < 0) return errno == EAGAIN;
      d.in_pipe -= n;
      d.bytes += n;
      last_activity_ms_ = owner_.loop().now_ms();
      continue;
    }
    if (d.from_eof) {
      shutdown(d.to, SHUT_WR);
      d.done = true;
      return true;
    }
    ssize_t n = splice(d.from, nullptr, d.pipe_write, nullptr, kSpliceChunk, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
    if (n == 0) {
      d.from_eof = true;
      continue;
    }
    if (n < 0) return errno == EAGAIN;
    d.in_pipe += n;
  }
}

void TcpSession::Relay() {
  if (!Pump(upstream_) || !Pump(downstream_)) {
    Close("connection error");
    return;
  }
  if (upstream_.done && downstream_.done) {
    Close("done");
    return;
  }
  ArmIdleTimer();
}

int64_t TcpSession::IdleTimeoutMs() const {
  // Once one side has finished, the *-fin timeouts apply; `timeout tunnel` overrides the
  // client and server timeouts for established TCP sessions, as in HAProxy.
  if (upstream_.done && frontend_.has_client_fin) return ToMs(frontend_.client_fin_timeout);
  if (pool_->has_tunnel_timeout) return ToMs(pool_->tunnel_timeout);
  int64_t c = ToMs(frontend_.client_timeout), s = ToMs(pool_->server_timeout);
  if (c < 0) return s;
  if (s < 0) return c;
  return std::min(c, s);
}

void TcpSession::ArmIdleTimer() {
  int64_t idle = IdleTimeoutMs();
  if (idle < 0) {
    owner_.loop().Disarm(&timer_);
    return;
  }
  if (!timer_.armed()) owner_.loop().Arm(&timer_, last_activity_ms_ + idle);
}

void TcpSession::OnTimer() {
  if (closed_) return;
  int64_t now = owner_.loop().now_ms();
  if (!connected_) {
    if (now >= connect_deadline_ms_) {
      // A connect timeout is a connect failure: retry, maybe elsewhere.
      const ServerEntry& server = pool_->servers[server_index_];
      server.load->connect_failures.fetch_add(1, std::memory_order_relaxed);
      server.load->active.fetch_sub(1, std::memory_order_relaxed);
      owner_.loop().Remove(server_fd_);
      close(server_fd_);
      server_fd_ = -1;
      if (attempts_ <= pool_->retries) {
        ConnectToServer();
      } else {
        Close("connect timeout");
      }
    }
    return;
  }
  int64_t idle = IdleTimeoutMs();
  if (idle < 0) return;
  // Activity only records a time; the timer checks it lazily, so moving bytes never
  // touches the timer heap.
  if (now - last_activity_ms_ >= idle) {
    Close("timeout");
  } else {
    owner_.loop().Arm(&timer_, last_activity_ms_ + idle);
  }
}

void TcpSession::Close(const char* reason) {
  if (closed_) return;
  closed_ = true;
  owner_.loop().Disarm(&timer_);
  if (frontend_.tcplog) {
    TENDER_LOG(kInfo, client_address_.ToString(), " [", frontend_.name, "] ", frontend_.backend, "/",
               server_index_ >= 0 ? pool_->servers[server_index_].name : "<NOSRV>", " ",
               owner_.loop().now_ms() - start_ms_, "ms ", downstream_.bytes, " bytes ", reason);
  }
  if (server_fd_ >= 0) {
    owner_.loop().Remove(server_fd_);
    close(server_fd_);
    pool_->servers[server_index_].load->active.fetch_sub(1, std::memory_order_relaxed);
  }
  if (connected_) owner_.loop().Remove(client_fd_);
  close(client_fd_);
  owner_.SessionClosed();
  owner_.loop().DeleteLater(this);
}

}  // namespace tender
