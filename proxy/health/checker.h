// One active check of one server at a time, on the control loop: a non-blocking connect
// (layer 4), then for `option httpchk` a request and a response judged by
// HttpExpectations (layer 7). Reports each result to its owner; scheduling is the owner's.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "proxy/event/event_loop.h"
#include "proxy/health/http_check.h"
#include "proxy/net/address.h"

namespace tender {

struct CheckTarget {
  SocketAddress address;  // where to probe (`addr`/`port` applied)
  bool http = false;
  std::string request;
  std::shared_ptr<const HttpExpectations> expectations;
  // HAProxy: without `timeout check` the whole check must fit in `inter`; with it, the
  // connect gets min(timeout connect, inter) and the response `timeout check`.
  absl::Duration connect_timeout = absl::Seconds(2);
  absl::Duration response_timeout = absl::Seconds(2);
  bool whole_check_in_connect_timeout = true;
  size_t max_response = 16384;  // tune.chksize
};

struct CheckResult {
  bool passed = false;
  std::string reason;  // "Layer4 check passed", "Layer4 connection problem", "Layer7 timeout", ...
  std::string info;    // "Connection refused", the reason phrase, ...
  int code = 0;        // HTTP status for layer 7 results
  int64_t duration_ms = 0;
};

class Checker : public FdHandler, public TimerHandler {
 public:
  using Callback = std::function<void(const CheckResult&)>;
  Checker(EventLoop& loop, CheckTarget target, Callback done);
  ~Checker() override;

  // Runs one check at `when_ms` (loop time); the callback fires once with its result.
  void RunAt(int64_t when_ms);
  // True between checks (a next one scheduled, none in flight).
  bool waiting() const { return phase_ == Phase::kWaiting; }
  // Stops checking (an in-flight check is abandoned without a result).
  void Stop();
  // Probes `address` from the next check on.
  void set_address(const SocketAddress& address) { target_.address = address; }

  void OnFdEvents(uint32_t events) override;
  void OnTimer() override;

 private:
  enum class Phase { kIdle, kWaiting, kConnecting, kExchanging };
  void Begin();
  void Finish(bool passed, std::string reason, std::string info, int code = 0);
  void OnConnected();
  void Exchange();

  EventLoop& loop_;
  CheckTarget target_;
  Callback done_;
  Phase phase_ = Phase::kIdle;
  Timer timer_{this};
  int fd_ = -1;
  int64_t started_ms_ = 0;
  size_t sent_ = 0;
  std::string response_;
};

}  // namespace tender
