// One epoll loop per worker thread: fd events (edge-triggered; listeners level-triggered),
// a timer heap, and Post() as the only door from other threads. Everything except Post()
// must be called on the loop's own thread.
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <mutex>

#include "absl/status/statusor.h"

namespace tender {

class FdHandler {
 public:
  virtual ~FdHandler() = default;
  // `events` is the EPOLL* mask that fired.
  virtual void OnFdEvents(uint32_t events) = 0;
};

// Objects that may still be named by events already fetched in the current batch are
// deleted through EventLoop::DeleteLater, after the batch.
class Deferred {
 public:
  virtual ~Deferred() = default;
};

class TimerHandler {
 public:
  virtual ~TimerHandler() = default;
  virtual void OnTimer() = 0;
};

// A timer owned by whoever embeds it; armed on at most one loop at a time.
struct Timer {
  explicit Timer(TimerHandler* h) : handler(h) {}
  TimerHandler* handler;
  int64_t deadline_ms = 0;
  size_t heap_index = kNotArmed;
  static constexpr size_t kNotArmed = ~size_t{0};
  bool armed() const { return heap_index != kNotArmed; }
};

class EventLoop {
 public:
  static absl::StatusOr<std::unique_ptr<EventLoop>> Create();
  ~EventLoop();

  // Registers `fd` edge-triggered for `events` (EPOLLIN/EPOLLOUT/EPOLLRDHUP).
  bool Add(int fd, uint32_t events, FdHandler* handler);
  // Level-triggered: `handler` hears of `fd` on every iteration while it is ready. For
  // listeners, which take one connection per wake-up instead of reading until EAGAIN.
  bool AddLevelTriggered(int fd, uint32_t events, FdHandler* handler);
  // For an fd that stays open. close(2) takes a socket out of the set by itself (tender
  // never dup()s one, and every socket is CLOEXEC), which saves a syscall per connection.
  void Remove(int fd);

  // Milliseconds on CLOCK_MONOTONIC, refreshed once per loop iteration.
  int64_t now_ms() const { return now_ms_; }
  void Arm(Timer* t, int64_t deadline_ms);
  void Disarm(Timer* t);

  // Deletes `obj` once the current batch of events has been handled.
  void DeleteLater(Deferred* obj) { graveyard_.push_back(obj); }

  // Thread-safe: runs `fn` on the loop's thread soon.
  void Post(std::function<void()> fn);

  // Runs until Stop(); `Stop` is thread-safe.
  void Run();
  void Stop();

 private:
  EventLoop(int epoll_fd, int wake_fd);
  void UpdateNow();
  void RunTimers();
  void RunPosted();
  int NextTimeoutMs() const;
  void SiftUp(size_t i);
  void SiftDown(size_t i);
  void SwapNodes(size_t a, size_t b);

  int epoll_fd_;
  int wake_fd_;
  int64_t now_ms_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<Timer*> heap_;
  std::vector<Deferred*> graveyard_;
  // std::mutex rather than absl::Mutex: Debian's Abseil is not built for ThreadSanitizer,
  // which then cannot see absl::Mutex and reports every guarded access as a race.
  std::mutex post_mu_;
  std::vector<std::function<void()>> posted_;  // guarded by post_mu_
};

int64_t MonotonicMs();

}  // namespace tender
