#include "proxy/server/worker.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "proxy/common/log.h"
#include "proxy/http/http_connection.h"
#include "proxy/lb/balancer.h"
#include "proxy/net/socket.h"
#include "proxy/session/recycler.h"

namespace tender {

Worker::Worker(int id, const Runtime& runtime, std::atomic<int>& live_sessions)
    : id_(id), runtime_(runtime), live_sessions_(live_sessions), buffers_(runtime.buffer_size) {
  loop_ = std::move(EventLoop::Create()).value();
  http_ = std::make_unique<http::WorkerHttp>(*loop_, runtime.max_headers);
  for (const auto& [name, pool] : runtime_.pools) InstallPool(pool);
  loop_->Arm(&housekeeping_.timer, loop_->now_ms() + 1000);
}

void Worker::Housekeeping::OnTimer() {
  worker_.buffers_.Trim();
  ReturnFreeMemory();  // proxy/session/recycler.h
  worker_.loop_->Arm(&timer, worker_.loop_->now_ms() + 1000);
}

Worker::~Worker() {
  for (auto& a : acceptors_) close(a->fd());
}

absl::Status Worker::Bind() {
  for (const ListenerSpec& spec : runtime_.listeners) {
    absl::StatusOr<int> fd = ListenOn(spec.address, 1024, spec.smart_accept);
    if (!fd.ok()) return fd.status();
    auto acceptor = std::make_unique<Acceptor>(*this, *fd, runtime_.frontends[spec.frontend], spec.accept_proxy);
    acceptor->Listen();
    acceptors_.push_back(std::move(acceptor));
  }
  return absl::OkStatus();
}

void Worker::Start() {
  thread_ = std::thread([this] { loop_->Run(); });
}

void Worker::StopAccepting() {
  loop_->Post([this] {
    for (auto& a : acceptors_) {
      loop_->Remove(a->fd());
      close(a->fd());
    }
    acceptors_.clear();
    for (Session* s = live_head_; s != nullptr;) {
      Session* next = s->next_live;  // Drain may close (and unregister) s
      s->Drain();
      s = next;
    }
  });
}

void Worker::Stop() {
  // Sessions still open are closed (and freed) on the loop before it ends.
  loop_->Post([this] {
    for (Session* s = live_head_; s != nullptr;) {
      Session* next = s->next_live;  // Close unregisters s
      s->Abort();
      s = next;
    }
    loop_->Stop();
  });
}

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::PublishPool(std::shared_ptr<const BackendPool> pool) {
  loop_->Post([this, pool = std::move(pool)]() mutable { InstallPool(std::move(pool)); });
}

void Worker::Register(Session* session) {
  session->next_live = live_head_;
  session->prev_live = nullptr;
  if (live_head_ != nullptr) live_head_->prev_live = session;
  live_head_ = session;
}

void Worker::Unregister(Session* session) {
  if (session->prev_live != nullptr) session->prev_live->next_live = session->next_live;
  else live_head_ = session->next_live;
  if (session->next_live != nullptr) session->next_live->prev_live = session->prev_live;
  session->next_live = session->prev_live = nullptr;
}

void Worker::ShutdownSessionsOn(std::shared_ptr<ServerLoad> server) {
  loop_->Post([this, server = std::move(server)] {
    for (Session* s = live_head_; s != nullptr;) {
      Session* next = s->next_live;  // Close unregisters s
      s->ShutdownIfOn(server.get());
      s = next;
    }
  });
}

void Worker::InstallPool(std::shared_ptr<const BackendPool> pool) {
  // Each worker seeds its random draws differently so workers do not pick in lockstep.
  BackendState& state = backends_[pool->name];
  auto balancer = CreateBalancer(pool, 0x9e3779b97f4a7c15ULL * (id_ + 1), state.balancer.get());
  state.pool = std::move(pool);
  state.balancer = balancer.ok() ? std::move(*balancer) : nullptr;
  // A new snapshot may bring a usable server to sessions waiting in the queue.
  for (Session* s : state.queue) s->UsePool(state.pool);
  DrainQueue(state.pool->name);
}

Balancer* Worker::BalancerFor(const std::string& backend) {
  auto it = backends_.find(backend);
  return it == backends_.end() ? nullptr : it->second.balancer.get();
}

std::shared_ptr<const BackendPool> Worker::PoolFor(const std::string& backend) {
  auto it = backends_.find(backend);
  return it == backends_.end() ? nullptr : it->second.pool;
}

void Worker::DrainQueue(const std::string& backend) {
  std::list<Session*>& queue = QueueFor(backend);
  while (!queue.empty()) {
    if (!queue.front()->TryLeaveQueue()) return;
  }
}

void Worker::SlotFreed(const std::string& backend) {
  DrainQueue(backend);
  if (!QueueFor(backend).empty()) return;
  // Our queue is empty; sessions queued on other workers may take the slot. This post
  // happens only while a backend is saturated.
  auto pool = PoolFor(backend);
  if (pool == nullptr || pool->load->queued.load(std::memory_order_relaxed) == 0) return;
  for (Worker* peer : peers_) {
    if (peer != this) peer->loop().Post([peer, backend] { peer->DrainQueue(backend); });
  }
}

void Worker::SessionClosed(int frontend) {
  live_sessions_.fetch_sub(1, std::memory_order_relaxed);
  const FrontendSettings& fe = runtime_.frontends[frontend];
  bool was_full = fe.limit->Full() || runtime_.global_limit->Full();
  fe.limit->live.fetch_sub(1, std::memory_order_relaxed);
  runtime_.global_limit->live.fetch_sub(1, std::memory_order_relaxed);
  if (!was_full) return;
  ResumeAcceptors();
  for (Worker* peer : peers_) {
    if (peer != this) peer->loop().Post([peer] { peer->ResumeAcceptors(); });
  }
}

void Worker::ResumeAcceptors() {
  for (auto& a : acceptors_) {
    if (a->paused()) a->Resume();
  }
}

Worker::Acceptor::~Acceptor() { worker_.loop_->Disarm(&retry_); }

void Worker::Acceptor::Listen() { Resume(); }

void Worker::Acceptor::Pause() {
  if (paused_) return;
  worker_.loop_->Remove(fd_);
  paused_ = true;
}

void Worker::Acceptor::Resume() {
  worker_.loop_->Disarm(&retry_);
  if (!paused_) return;
  worker_.loop_->AddLevelTriggered(fd_, EPOLLIN, this);
  paused_ = false;
}

void Worker::Acceptor::AcceptOne() {
  // At a limit, connections wait in the kernel's backlog, as with HAProxy's maxconn;
  // SessionClosed resumes the listener.
  if (worker_.runtime_.global_limit->Full() || frontend_.limit->Full()) {
    Pause();
    return;
  }
  SocketAddress client;
  int fd;
  do {
    client.length = sizeof(client.storage);
    fd = accept4(fd_, reinterpret_cast<sockaddr*>(&client.storage), &client.length, SOCK_NONBLOCK | SOCK_CLOEXEC);
  } while (fd < 0 && (errno == EINTR || errno == ECONNABORTED));
  if (fd < 0) {
    if (errno == EAGAIN) return;  // another thread's listener, or the client gave up
    // Out of descriptors or memory: the listener would be reported ready on every
    // iteration, so it rests for 100 ms (HAProxy pauses its listeners likewise).
    TENDER_LOG(kWarning, "accept on frontend ", frontend_.name, ": ", strerror(errno), "; retrying in 100 ms");
    Pause();
    worker_.loop_->Arm(&retry_, worker_.loop_->now_ms() + 100);
    return;
  }
  ConnectionLimit& global = *worker_.runtime_.global_limit;
  ConnectionLimit& local = *frontend_.limit;
  global.live.fetch_add(1, std::memory_order_relaxed);
  local.live.fetch_add(1, std::memory_order_relaxed);
  local.total.fetch_add(1, std::memory_order_relaxed);
  worker_.live_sessions_.fetch_add(1, std::memory_order_relaxed);
  if (frontend_.http != nullptr) {
    http::HttpConnection::Start(worker_, frontend_, fd, client, accept_proxy_);
  } else {
    TcpSession::Start(worker_, frontend_, fd, client, accept_proxy_);
  }
}

}  // namespace tender
