#include "proxy/event/event_loop.h"

#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace tender {

int64_t MonotonicMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

absl::StatusOr<std::unique_ptr<EventLoop>> EventLoop::Create() {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return absl::InternalError(absl::StrCat("epoll_create1: ", strerror(errno)));
  int wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake < 0) {
    close(ep);
    return absl::InternalError(absl::StrCat("eventfd: ", strerror(errno)));
  }
  std::unique_ptr<EventLoop> loop(new EventLoop(ep, wake));
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // the wake-up fd is the one entry without a handler
  epoll_ctl(ep, EPOLL_CTL_ADD, wake, &ev);
  return loop;
}

EventLoop::EventLoop(int epoll_fd, int wake_fd) : epoll_fd_(epoll_fd), wake_fd_(wake_fd) { UpdateNow(); }

EventLoop::~EventLoop() {
  close(epoll_fd_);
  close(wake_fd_);
}

bool EventLoop::Add(int fd, uint32_t events, FdHandler* handler) {
  struct epoll_event ev = {};
  ev.events = events | EPOLLET;
  ev.data.ptr = handler;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool EventLoop::AddLevelTriggered(int fd, uint32_t events, FdHandler* handler) {
  struct epoll_event ev = {};
  ev.events = events;
  ev.data.ptr = handler;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void EventLoop::Remove(int fd) { epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::UpdateNow() { now_ms_ = MonotonicMs(); }

void EventLoop::SwapNodes(size_t a, size_t b) {
  std::swap(heap_[a], heap_[b]);
  heap_[a]->heap_index = a;
  heap_[b]->heap_index = b;
}

void EventLoop::SiftUp(size_t i) {
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (heap_[parent]->deadline_ms <= heap_[i]->deadline_ms) break;
    SwapNodes(i, parent);
    i = parent;
  }
}

void EventLoop::SiftDown(size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < heap_.size() && heap_[l]->deadline_ms < heap_[m]->deadline_ms) m = l;
    if (r < heap_.size() && heap_[r]->deadline_ms < heap_[m]->deadline_ms) m = r;
    if (m == i) return;
    SwapNodes(i, m);
    i = m;
  }
}

void EventLoop::Arm(Timer* t, int64_t deadline_ms) {
  if (t->armed()) {
    int64_t old = t->deadline_ms;
    t->deadline_ms = deadline_ms;
    if (deadline_ms < old) SiftUp(t->heap_index);
    else SiftDown(t->heap_index);
    return;
  }
  t->deadline_ms = deadline_ms;
  t->heap_index = heap_.size();
  heap_.push_back(t);
  SiftUp(t->heap_index);
}

void EventLoop::Disarm(Timer* t) {
  if (!t->armed()) return;
  size_t i = t->heap_index;
  size_t last = heap_.size() - 1;
  if (i != last) SwapNodes(i, last);
  heap_.pop_back();
  t->heap_index = Timer::kNotArmed;
  if (i < heap_.size()) {
    SiftDown(i);
    SiftUp(i);
  }
}

void EventLoop::RunTimers() {
  while (!heap_.empty() && heap_[0]->deadline_ms <= now_ms_) {
    Timer* t = heap_[0];
    Disarm(t);
    t->handler->OnTimer();  // may re-arm or destroy its owner
  }
}

int EventLoop::NextTimeoutMs() const {
  if (heap_.empty()) return 1000;
  int64_t wait = heap_[0]->deadline_ms - now_ms_;
  if (wait < 0) return 0;
  return wait > 1000 ? 1000 : static_cast<int>(wait);
}

void EventLoop::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(post_mu_);
    posted_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  ssize_t unused = write(wake_fd_, &one, sizeof(one));
  (void)unused;
}

void EventLoop::RunPosted() {
  uint64_t count;
  ssize_t unused = read(wake_fd_, &count, sizeof(count));
  (void)unused;
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(post_mu_);
    batch.swap(posted_);
  }
  for (auto& fn : batch) fn();
}

void EventLoop::Stop() {
  stop_.store(true);
  Post([] {});
}

void EventLoop::Run() {
  constexpr int kMaxEvents = 256;
  struct epoll_event events[kMaxEvents];
  while (!stop_.load(std::memory_order_relaxed)) {
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, NextTimeoutMs());
    UpdateNow();
    // Posted work first: a snapshot published before a client connected must be in place
    // before that client's accept is handled, whatever order epoll reports them in.
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == nullptr) RunPosted();
    }
    for (int i = 0; i < n; ++i) {
      auto* handler = static_cast<FdHandler*>(events[i].data.ptr);
      if (handler != nullptr) handler->OnFdEvents(events[i].events);
    }
    RunTimers();
    for (Deferred* d : graveyard_) delete d;
    graveyard_.clear();
  }
}

}  // namespace tender
