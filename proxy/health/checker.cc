#include "proxy/health/checker.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "proxy/net/socket.h"

namespace tender {

Checker::Checker(EventLoop& loop, CheckTarget target, Callback done)
    : loop_(loop), target_(std::move(target)), done_(std::move(done)) {}

Checker::~Checker() {
  loop_.Disarm(&timer_);
  if (fd_ >= 0) {
    loop_.Remove(fd_);
    close(fd_);
  }
}

void Checker::RunAt(int64_t when_ms) {
  phase_ = Phase::kWaiting;
  loop_.Arm(&timer_, when_ms);
}

void Checker::Stop() {
  loop_.Disarm(&timer_);
  if (fd_ >= 0) {
    loop_.Remove(fd_);
    close(fd_);
    fd_ = -1;
  }
  phase_ = Phase::kIdle;
}

void Checker::Begin() {
  started_ms_ = loop_.now_ms();
  response_.clear();
  sent_ = 0;
  absl::StatusOr<int> fd = StartConnect(target_.address, nullptr, /*probe_only=*/!target_.http);
  if (!fd.ok()) {
    Finish(false, "Layer4 connection problem", std::string(fd.status().message()));
    return;
  }
  fd_ = *fd;
  phase_ = Phase::kConnecting;
  loop_.Add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, this);
  loop_.Arm(&timer_, started_ms_ + absl::ToInt64Milliseconds(target_.connect_timeout));
}

void Checker::OnTimer() {
  switch (phase_) {
    case Phase::kWaiting:
      Begin();
      return;
    case Phase::kConnecting:
      Finish(false, "Layer4 timeout", "");
      return;
    case Phase::kExchanging:
      Finish(false, "Layer7 timeout", "");
      return;
    case Phase::kIdle:
      return;
  }
}

void Checker::OnFdEvents(uint32_t events) {
  if (phase_ == Phase::kConnecting) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    int err = SocketError(fd_);
    if (err != 0) {
      Finish(false, "Layer4 connection problem", strerror(err));
      return;
    }
    OnConnected();
    return;
  }
  if (phase_ == Phase::kExchanging) Exchange();
}

void Checker::OnConnected() {
  if (!target_.http) {
    Finish(true, "Layer4 check passed", "");
    return;
  }
  phase_ = Phase::kExchanging;
  int64_t deadline = target_.whole_check_in_connect_timeout
                         ? started_ms_ + absl::ToInt64Milliseconds(target_.connect_timeout)
                         : loop_.now_ms() + absl::ToInt64Milliseconds(target_.response_timeout);
  loop_.Arm(&timer_, deadline);
  Exchange();
}

void Checker::Exchange() {
  while (sent_ < target_.request.size()) {
    ssize_t n = send(fd_, target_.request.data() + sent_, target_.request.size() - sent_, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN) return;
      Finish(false, "Layer4 connection problem", strerror(errno));
      return;
    }
    sent_ += n;
  }
  char buf[4096];
  bool complete = false;
  for (;;) {
    size_t room = target_.max_response - response_.size();
    if (room == 0) {
      complete = true;
      break;
    }
    ssize_t n = recv(fd_, buf, std::min(room, sizeof(buf)), MSG_DONTWAIT);
    if (n == 0) {
      complete = true;
      break;
    }
    if (n < 0) {
      if (errno == EAGAIN) break;
      complete = true;  // a reset after a response still lets the response be judged
      break;
    }
    response_.append(buf, n);
  }
  HttpExpectations::Verdict v = target_.expectations->Evaluate(response_, complete);
  if (v.result == HttpExpectations::Verdict::Result::kNeedMore) return;
  Finish(v.result == HttpExpectations::Verdict::Result::kPass, v.reason, v.info, v.code);
}

void Checker::Finish(bool passed, std::string reason, std::string info, int code) {
  loop_.Disarm(&timer_);
  if (fd_ >= 0) {
    CloseWithReset(fd_);  // also takes it out of the epoll set
    fd_ = -1;
  }
  phase_ = Phase::kIdle;
  CheckResult r;
  r.passed = passed;
  r.reason = std::move(reason);
  r.info = std::move(info);
  r.code = code;
  r.duration_ms = loop_.now_ms() - started_ms_;
  done_(r);  // may call RunAt for the next check
}

}  // namespace tender
