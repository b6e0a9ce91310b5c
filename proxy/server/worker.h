// One worker thread: its own EventLoop, its own SO_REUSEPORT listening sockets, the
// sessions it accepted, and per-worker balancers built from the pool snapshots it was
// handed. Nothing here is shared with other workers except ServerLoad counters.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "proxy/event/event_loop.h"
#include "proxy/server/runtime.h"
#include "proxy/tcp/tcp_session.h"

namespace tender {

class Worker : public SessionOwner {
 public:
  Worker(int id, const Runtime& runtime, std::atomic<int>& live_sessions);
  ~Worker() override;

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

  EventLoop& loop() override { return *loop_; }
  Balancer* BalancerFor(const std::string& backend) override;
  std::shared_ptr<const BackendPool> PoolFor(const std::string& backend) override;
  void SessionClosed() override { live_sessions_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  class Acceptor : public FdHandler {
   public:
    Acceptor(Worker& w, int fd, const FrontendSettings& fe) : worker_(w), fd_(fd), frontend_(fe) {}
    void OnFdEvents(uint32_t events) override;
    int fd() const { return fd_; }

   private:
    Worker& worker_;
    int fd_;
    const FrontendSettings& frontend_;
  };

  struct BackendState {
    std::shared_ptr<const BackendPool> pool;
    std::unique_ptr<Balancer> balancer;
  };

  void InstallPool(std::shared_ptr<const BackendPool> pool);

  int id_;
  const Runtime& runtime_;
  std::atomic<int>& live_sessions_;
  std::unique_ptr<EventLoop> loop_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::map<std::string, BackendState> backends_;
  std::thread thread_;
};

}  // namespace tender
