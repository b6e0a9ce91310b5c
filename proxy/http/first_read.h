// Whether a new client connection is read right at accept, before epoll says so.
#pragma once

#include <cstdint>

namespace tender::http {

// At light load the first request is usually in the socket by the time accept(2)
// returns, and reading it at once saves registering the socket with epoll. Under load
// the request lands a moment later: the read fails with EAGAIN and costs a syscall for
// nothing (bench/run's new-connection scenario: one failed recv per connection). Both
// mistakes cost about one syscall, so the predictor follows the majority of recent
// outcomes. While it says "skip" it still tries one connection in 16, so that it hears
// when the load changes.
class FirstReadPredictor {
 public:
  bool ShouldTry() {
    if (score_ >= 0) return true;
    return (++skipped_ % kProbeEvery) == 0;
  }
  // `data_was_there`: the read at accept found the request (or the client's close).
  void Record(bool data_was_there) {
    if (data_was_there) {
      if (score_ < kMaxScore) ++score_;
    } else if (score_ > kMinScore) {
      --score_;
    }
  }

 private:
  static constexpr int kMaxScore = 7;
  static constexpr int kMinScore = -8;
  static constexpr uint32_t kProbeEvery = 16;
  int score_ = 0;
  uint32_t skipped_ = 0;
};

}  // namespace tender::http
