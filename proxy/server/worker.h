// One worker thread: its own EventLoop, its own SO_REUSEPORT listening sockets, the
// sessions it accepted, its queues of sessions waiting for a server slot, and per-worker
// balancers built from the pool snapshots it was handed. Shared with other workers: only
// ServerLoad/BackendLoad counters and the connection limits.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "proxy/event/event_loop.h"
#include "proxy/http/connection_pool.h"
#include "proxy/server/runtime.h"
#include "proxy/tcp/tcp_session.h"

namespace tender {

class Worker : public SessionOwner {
 public:
  Worker(int id, const Runtime& runtime, std::atomic<int>& live_sessions);
  ~Worker() override;

  // The other workers, for the rare cross-worker wake-ups (a limit or a queue that another
  // worker's session freed). Set before Start().
  void set_peers(std::vector<Worker*> peers) { peers_ = std::move(peers); }

  // Binds this worker's listeners (on the calling thread, so bind errors reach startup).
  absl::Status Bind();
  void Start();
  // Thread-safe. Stops accepting; established sessions go on.
  void StopAccepting();
  // Thread-safe. Ends the loop.
  void Stop();
  void Join();

  // Thread-safe: installs a new snapshot of a backend's pool on this worker.
  void PublishPool(std::shared_ptr<const BackendPool> pool);
  // Thread-safe: closes this worker's sessions established on `server`.
  void ShutdownSessionsOn(std::shared_ptr<ServerLoad> server);
  // Where `observe` error limits go (the health manager); set before Start().
  using ErrorReporter = std::function<void(const std::string&, const std::string&, const std::string&)>;
  void set_error_reporter(ErrorReporter r) { error_reporter_ = std::move(r); }

  // SessionOwner.
  EventLoop& loop() override { return *loop_; }
  Balancer* BalancerFor(const std::string& backend) override;
  std::shared_ptr<const BackendPool> PoolFor(const std::string& backend) override;
  std::list<Session*>& QueueFor(const std::string& backend) override { return backends_[backend].queue; }
  void SlotFreed(const std::string& backend) override;
  void SessionClosed(int frontend) override;
  void ReportErrorLimit(const std::string& backend, const std::string& server, const std::string& last_error) override {
    if (error_reporter_) error_reporter_(backend, server, last_error);
  }
  void Register(Session* session) override;
  void Unregister(Session* session) override;
  BufferPool& buffers() override { return buffers_; }
  bool splice_enabled() const override { return runtime_.splice; }
  http::WorkerHttp& http() override { return *http_; }

 private:
  // One listening socket. Level-triggered, and one connection per wake-up (as nginx
  // without multi_accept): while connections wait, the listener is reported on every
  // loop iteration, so none is left behind, and no accept4 is spent on an empty queue
  // (reading until EAGAIN cost 0.75 failed accept4 per connection under load).
  class Acceptor : public FdHandler, public TimerHandler {
   public:
    Acceptor(Worker& w, int fd, const FrontendSettings& fe, bool accept_proxy)
        : worker_(w), fd_(fd), frontend_(fe), accept_proxy_(accept_proxy) {}
    ~Acceptor() override;
    void Listen();
    void OnFdEvents(uint32_t events) override { AcceptOne(); }
    // Takes the listener out of the loop: at a connection limit, or when the process is
    // out of file descriptors. Connections wait in the kernel's backlog meanwhile.
    void Pause();
    void Resume();
    void OnTimer() override { Resume(); }
    int fd() const { return fd_; }
    bool paused() const { return paused_; }

   private:
    void AcceptOne();

    Worker& worker_;
    int fd_;
    const FrontendSettings& frontend_;
    bool accept_proxy_;
    bool paused_ = true;
    Timer retry_{this};
  };

  // Once a second: memory that the last second's traffic did not need goes back to the
  // system (BufferPool::Trim, and malloc_trim after a burst of sessions).
  class Housekeeping : public TimerHandler {
   public:
    explicit Housekeeping(Worker& w) : worker_(w) {}
    void OnTimer() override;
    Timer timer{this};

   private:
    Worker& worker_;
  };

  struct BackendState {
    std::shared_ptr<const BackendPool> pool;
    std::unique_ptr<Balancer> balancer;
    std::list<Session*> queue;
  };

  void InstallPool(std::shared_ptr<const BackendPool> pool);
  // Lets queued sessions of `backend` take free slots; true if the queue emptied.
  void DrainQueue(const std::string& backend);
  void ResumeAcceptors();

  int id_;
  const Runtime& runtime_;
  std::atomic<int>& live_sessions_;
  std::unique_ptr<EventLoop> loop_;
  BufferPool buffers_;
  std::unique_ptr<http::WorkerHttp> http_;
  Housekeeping housekeeping_{*this};
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::map<std::string, BackendState> backends_;
  std::vector<Worker*> peers_;
  ErrorReporter error_reporter_;
  Session* live_head_ = nullptr;  // intrusive list of this worker's sessions
  std::thread thread_;
};

}  // namespace tender
