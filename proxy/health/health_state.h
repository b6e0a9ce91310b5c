// HAProxy's health counter for one server, with no I/O and no clock, so that every rule
// is unit-testable: a counter from 0 to rise+fall-1; the server is UP at rise or above.
// A failed check while UP takes one off until the counter would fall below rise, which
// marks the server DOWN (counter 0): `fall` consecutive failures from fully up. A passed
// check adds one; reaching `rise` marks it UP (counter to the top): `rise` consecutive
// successes from fully down.
#pragma once

#include "absl/time/time.h"
#include "proxy/config/config.h"

namespace tender {

struct HealthParams {
  int rise = 2;
  int fall = 3;
  absl::Duration inter = absl::Seconds(2);
  absl::Duration fastinter = absl::Seconds(2);
  absl::Duration downinter = absl::Seconds(2);
  config::InitState init_state = config::InitState::kUp;
  config::OnError on_error = config::OnError::kFailCheck;

  static HealthParams From(const config::ServerParams& p);
};

enum class Transition { kNone, kWentUp, kWentDown };

class HealthState {
 public:
  explicit HealthState(const HealthParams& params);

  bool up() const { return up_; }
  int counter() const { return counter_; }
  int top() const { return params_.rise + params_.fall - 1; }

  Transition OnCheckPassed();
  Transition OnCheckFailed();
  // `error-limit` consecutive traffic errors were observed: applies `on-error`.
  Transition OnErrorLimit();

  // When the next check is due: `inter` while fully up, `downinter` while fully down,
  // `fastinter` while in between or once `on-error` asked for it (until the next result).
  absl::Duration NextInterval() const;

 private:
  Transition MarkDown();

  HealthParams params_;
  int counter_ = 0;
  bool up_ = true;
  bool force_fastinter_ = false;
};

}  // namespace tender
