#include "proxy/tcp/tcp_session.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "proxy/common/log.h"
#include "proxy/lb/hash.h"
#include "proxy/log/tcp_log.h"
#include "proxy/net/proxy_protocol.h"
#include "proxy/net/socket.h"
#include "proxy/session/accept_proxy.h"
#include "proxy/session/log_counters.h"
#include "proxy/session/recycler.h"

namespace tender {
namespace {

constexpr size_t kSpliceChunk = 64 * 1024;

int64_t ToMs(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return -1;
  return absl::ToInt64Milliseconds(d);
}

}  // namespace

void* TcpSession::operator new(size_t size) { return Recycler<TcpSession>::Allocate(size); }
void TcpSession::operator delete(void* p) { Recycler<TcpSession>::Free(p); }

void TcpSession::Start(SessionOwner& owner, const FrontendSettings& frontend, int client_fd,
                       const SocketAddress& client_address, bool accept_proxy) {
  auto* s = new TcpSession(owner, frontend, client_fd, client_address);
  owner.Register(s);
  owner.loop().Add(client_fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP, &s->client_side_);
  if (!frontend.tcplog && !frontend.logs.empty()) s->LogConnect();
  if (accept_proxy) {
    s->state_ = State::kProxyHeader;
    int64_t limit = ToMs(frontend.client_timeout);
    s->deadline_ms_ = limit < 0 ? -1 : s->start_ms_ + limit;
    if (limit >= 0) owner.loop().Arm(&s->timer_, s->deadline_ms_);
    s->ReadProxyHeader();
    return;
  }
  s->Route();
}

TcpSession::TcpSession(SessionOwner& owner, const FrontendSettings& frontend, int client_fd,
                       const SocketAddress& client_address)
    : owner_(owner), frontend_(frontend), client_fd_(client_fd), client_address_(client_address) {
  start_ms_ = owner_.loop().now_ms();
  start_unix_ms_ = absl::ToUnixMillis(absl::Now());
  last_activity_ms_ = start_ms_;
}

const SocketAddress& TcpSession::FrontendAddress() {
  if (!have_frontend_address_) {
    frontend_address_ = LocalAddressOf(client_fd_);
    have_frontend_address_ = true;
  }
  return frontend_address_;
}

void TcpSession::Route() {
  SampleContext sample;
  sample.source = &client_address_;
  if (frontend_.rules_need_destination) sample.destination = &FrontendAddress();
  for (const ContentRule& rule : frontend_.content_rules) {
    if (rule.condition && !rule.condition->Evaluate(sample)) continue;
    if (rule.accept) break;
    frontend_.limit->denied.fetch_add(1, std::memory_order_relaxed);
    Close("PR");
    return;
  }
  const std::string* backend = &frontend_.backend;
  for (const BackendRule& rule : frontend_.use_backends) {
    if (!rule.condition || rule.condition->Evaluate(sample)) {
      backend = &rule.backend;
      break;
    }
  }
  slot_.Reset(owner_, *backend);
  Dispatch();
}

TcpSession::~TcpSession() {
  for (Direction* d : {&upstream_, &downstream_}) {
    if (d->pipe_read >= 0) close(d->pipe_read);
    if (d->pipe_write >= 0) close(d->pipe_write);
    owner_.buffers().Release(d->buffer);
  }
}

void TcpSession::OnEvents(bool client, uint32_t events) {
  switch (state_) {
    case State::kProxyHeader:
      if (client) ReadProxyHeader();
      return;
    case State::kQueued:
      // A client that leaves while queued gives its place up.
      if (client && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) Close("CQ");
      return;
    case State::kConnecting:
      // Client data waits in the socket; the relay drains it once connected.
      if (!client && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) OnConnectResult();
      return;
    case State::kRelaying:
      Relay();
      return;
    case State::kClosed:
      return;
  }
}

void TcpSession::ReadProxyHeader() {
  ProxyHeaderRead read = tender::ReadProxyHeader(client_fd_, frontend_, &client_address_, &frontend_address_,
                                                 &have_frontend_address_);
  if (read == ProxyHeaderRead::kWaiting) return;
  if (read != ProxyHeaderRead::kDone) {
    Close(TerminationFor(read));
    return;
  }
  owner_.loop().Disarm(&timer_);
  Route();
}

bool TcpSession::PickServer() {
  PickContext ctx;
  if (slot_.pool() != nullptr && slot_.pool()->balance.algorithm == config::BalanceAlgorithm::kSource) {
    ctx.client_hash = HashAddress(client_address_);
  }
  return slot_.Pick(owner_, ctx);
}

void TcpSession::Dispatch() {
  state_ = State::kConnecting;
  if (PickServer()) {
    Connect();
    return;
  }
  if (slot_.pool() == nullptr) {
    Close("SC");  // a frontend without a backend
    return;
  }
  // Every server is full, or none is usable: wait in the backend's queue, up to
  // `timeout queue`, for a slot or for a new snapshot with a usable server (a server
  // coming back up, an operator's change, discovery).
  Enqueue();
}

void TcpSession::Enqueue() {
  if (!slot_.Enqueue(owner_, this)) {
    Close("SQ");
    return;
  }
  state_ = State::kQueued;
  deadline_ms_ = owner_.loop().now_ms() + ToMs(slot_.pool()->queue_timeout);
  owner_.loop().Arm(&timer_, deadline_ms_);
  TENDER_LOG(kDebug, "session from ", client_address_.ToString(), " queued for backend ", slot_.backend(),
             " (no usable server has a free slot)");
}

void TcpSession::LeaveQueue() {
  queue_ms_ = slot_.LeaveQueue(owner_);
  owner_.loop().Disarm(&timer_);
}

bool TcpSession::TryLeaveQueue() {
  if (!PickServer()) return false;
  LeaveQueue();
  state_ = State::kConnecting;
  Connect();
  return true;
}

void TcpSession::Connect() {
  SocketAddress target = slot_.Target([this]() -> const SocketAddress& { return FrontendAddress(); });
  slot_.CountAttempt();
  connect_started_ms_ = owner_.loop().now_ms();
  if (queue_ms_ < 0) queue_ms_ = 0;
  int error = 0;
  absl::StatusOr<int> fd = StartConnect(target, &error);
  if (!fd.ok()) {
    ConnectFailed(error != 0 ? error : EIO);
    return;
  }
  server_fd_ = *fd;
  owner_.loop().Add(server_fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, &server_side_);
  deadline_ms_ = owner_.loop().now_ms() + ToMs(slot_.pool()->connect_timeout);
  owner_.loop().Arm(&timer_, deadline_ms_);
}

void TcpSession::ConnectFailed(int error) {
  if (server_fd_ >= 0) {
    close(server_fd_);  // also takes it out of the epoll set
    server_fd_ = -1;
  }
  if (!slot_.ConnectFailed(owner_, error)) {
    Close(error == 0 ? "sC" : "SC");
    return;
  }
  Dispatch();
}

void TcpSession::OnConnectResult() {
  int err = SocketError(server_fd_);
  if (err != 0) {
    ConnectFailed(err);
    return;
  }
  StartRelay();
}

void TcpSession::StartRelay() {
  state_ = State::kRelaying;
  connect_ms_ = owner_.loop().now_ms() - connect_started_ms_;
  slot_.Connected();
  owner_.loop().Disarm(&timer_);
  upstream_ = Direction{client_fd_, server_fd_};
  downstream_ = Direction{server_fd_, client_fd_};
  upstream_.copy = downstream_.copy = !owner_.splice_enabled();
  const ServerEntry& server = slot_.server();
  if (server.send_proxy || server.send_proxy_v2) {
    std::string header = server.send_proxy_v2 ? EncodeProxyV2(client_address_, FrontendAddress())
                                              : EncodeProxyV1(client_address_, FrontendAddress());
    // The header goes first into the upstream pipe or buffer, so the relay sends it before
    // any client byte.
    if (upstream_.copy) {
      upstream_.buffer = owner_.buffers().Acquire();
      memcpy(upstream_.buffer, header.data(), header.size());
      upstream_.buffered = header.size();
    } else if (!EnsurePipe(upstream_) || write(upstream_.pipe_write, header.data(), header.size()) !=
                                             static_cast<ssize_t>(header.size())) {
      Close("PC");
      return;
    } else {
      upstream_.in_pipe = header.size();
    }
  }
  last_activity_ms_ = owner_.loop().now_ms();
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
  return d.copy ? PumpCopy(d) : PumpSplice(d);
}

bool TcpSession::PumpSplice(Direction& d) {
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
    // Reading only into an empty pipe means EAGAIN here can only be "source empty".
    ssize_t n = splice(d.from, nullptr, d.pipe_write, nullptr, kSpliceChunk, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
    if (n == 0) {
      d.from_eof = true;
      continue;
    }
    if (n < 0) {
      if (errno == EINVAL || errno == ENOSYS) {
        // This socket pair cannot splice: copy from now on (the pipe is empty here).
        d.copy = true;
        return PumpCopy(d);
      }
      return errno == EAGAIN;
    }
    d.in_pipe += n;
  }
}

bool TcpSession::PumpCopy(Direction& d) {
  if (d.buffer == nullptr) d.buffer = owner_.buffers().Acquire();
  size_t capacity = owner_.buffers().buffer_size();
  for (;;) {
    if (d.buffered > 0) {
      ssize_t n = send(d.to, d.buffer + d.offset, d.buffered, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) return errno == EAGAIN;
      d.offset += n;
      d.buffered -= n;
      d.bytes += n;
      last_activity_ms_ = owner_.loop().now_ms();
      continue;
    }
    d.offset = 0;
    if (d.from_eof) {
      shutdown(d.to, SHUT_WR);
      d.done = true;
      owner_.buffers().Release(d.buffer);  // an idle direction holds no buffer
      d.buffer = nullptr;
      return true;
    }
    ssize_t n = recv(d.from, d.buffer, capacity, MSG_DONTWAIT);
    if (n == 0) {
      d.from_eof = true;
      continue;
    }
    if (n < 0) return errno == EAGAIN;
    d.buffered = n;
  }
}

void TcpSession::Relay() {
  if (!Pump(upstream_)) {
    Close("CD");
    return;
  }
  if (!Pump(downstream_)) {
    Close("SD");
    return;
  }
  if (upstream_.done && downstream_.done) {
    Close("--");
    return;
  }
  ArmIdleTimer();
}

int64_t TcpSession::IdleTimeoutMs() const {
  // Each side's inactivity limit: its *-fin timeout once the session is half-closed (in
  // TCP both connections are then half-closed together), else `timeout tunnel` when set
  // (it replaces client and server for established TCP sessions, as in HAProxy), else
  // `timeout client` / `timeout server`. The session ends at the smaller of the two.
  bool half_closed = upstream_.from_eof || downstream_.from_eof;
  auto side = [&](const std::optional<absl::Duration>& fin, absl::Duration plain) {
    if (half_closed && fin) return ToMs(*fin);
    if (slot_.pool()->tunnel_timeout) return ToMs(*slot_.pool()->tunnel_timeout);
    return ToMs(plain);
  };
  int64_t c = side(frontend_.client_fin_timeout, frontend_.client_timeout);
  int64_t s = side(slot_.pool()->server_fin_timeout, slot_.pool()->server_timeout);
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
  // Usually the timer is already armed further out and is left alone (OnTimer re-checks
  // the activity time); it moves only when the limit shrinks, e.g. at a half-close.
  int64_t want = last_activity_ms_ + idle;
  if (!timer_.armed() || timer_.deadline_ms > want) owner_.loop().Arm(&timer_, want);
}

void TcpSession::OnTimer() {
  int64_t now = owner_.loop().now_ms();
  switch (state_) {
    case State::kProxyHeader:
      Close("cR");
      return;
    case State::kQueued:
      slot_.pool()->load->queue_timeouts.fetch_add(1, std::memory_order_relaxed);
      if (slot_.pool()->EligibleServers().empty()) slot_.pool()->load->no_server.fetch_add(1, std::memory_order_relaxed);
      Close("sQ");
      return;
    case State::kConnecting:
      // A connect timeout is a connect failure: retry, maybe elsewhere.
      ConnectFailed(/*error=*/0);
      return;
    case State::kRelaying: {
      int64_t idle = IdleTimeoutMs();
      if (idle < 0) return;
      // Moving bytes only records a time; the timer checks it here, lazily, so the relay
      // never touches the timer heap.
      if (now - last_activity_ms_ >= idle) {
        Close(frontend_.client_timeout_first ? "cD" : "sD");
      } else {
        owner_.loop().Arm(&timer_, last_activity_ms_ + idle);
      }
      return;
    }
    case State::kClosed:
      return;
  }
}

void TcpSession::ReleaseServer() { slot_.Release(owner_); }

void TcpSession::ShutdownIfOn(const ServerLoad* server) {
  if (state_ != State::kRelaying || !slot_.holds() || slot_.server().load.get() != server) return;
  Close("KD");
}

void TcpSession::LogConnect() {
  // HAProxy's line for a TCP frontend without `option tcplog`.
  char line[256];
  int n = snprintf(line, sizeof(line), "Connect from %s to %s (%s/TCP)", client_address_.ToString().c_str(),
                   FrontendAddress().ToString().c_str(), frontend_.name.c_str());
  if (n > 0) SendToAll(frontend_.logs, Severity::kInfo, line, std::min<size_t>(n, sizeof(line) - 1));
}

void TcpSession::LogSession(const char* termination) {
  if (frontend_.logs.empty() || !frontend_.tcplog) return;
  if (frontend_.dontlognull && upstream_.bytes == 0 && termination[0] == '-') return;
  static const std::string kNone;
  TcpLogRecord r;
  r.client = &client_address_;
  r.accept_unix_ms = start_unix_ms_;
  r.frontend = &frontend_.name;
  r.backend = &slot_.backend();
  bool reached_server = slot_.picked() && connect_ms_ >= 0;
  r.server = slot_.picked() ? &slot_.server().name : &kNone;
  r.queue_ms = queue_ms_;
  r.connect_ms = reached_server ? connect_ms_ : -1;
  r.total_ms = owner_.loop().now_ms() - start_ms_;
  r.bytes_to_client = downstream_.bytes;
  r.termination[0] = termination[0];
  r.termination[1] = termination[1];
  FillLogCounters(frontend_, slot_, &r);
  char line[1024];
  size_t n = FormatTcpLog(r, line, sizeof(line));
  SendToAll(frontend_.logs, Severity::kInfo, line, n);
}

void TcpSession::Close(const char* termination) {
  if (state_ == State::kClosed) return;
  if (state_ == State::kQueued) LeaveQueue();
  state_ = State::kClosed;
  owner_.loop().Disarm(&timer_);
  LogSession(termination);
  if (server_fd_ >= 0) {
    close(server_fd_);  // also takes it out of the epoll set
  }
  close(client_fd_);  // also takes it out of the epoll set
  ReleaseServer();
  owner_.Unregister(this);
  owner_.SessionClosed(frontend_.index);
  owner_.loop().DeleteLater(this);
}

}  // namespace tender
