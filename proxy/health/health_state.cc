#include "proxy/health/health_state.h"

namespace tender {

HealthParams HealthParams::From(const config::ServerParams& p) {
  HealthParams h;
  h.rise = p.rise;
  h.fall = p.fall;
  h.inter = p.inter;
  h.fastinter = p.fastinter.value_or(p.inter);
  h.downinter = p.downinter.value_or(p.inter);
  h.init_state = p.init_state;
  h.on_error = p.on_error;
  return h;
}

HealthState::HealthState(const HealthParams& params) : params_(params) {
  switch (params_.init_state) {
    case config::InitState::kUp:  // UP, but the first failure takes it down
      counter_ = params_.rise;
      up_ = true;
      break;
    case config::InitState::kFullyUp:
      counter_ = top();
      up_ = true;
      break;
    case config::InitState::kDown:  // DOWN, but the first success brings it up
      counter_ = params_.rise - 1;
      up_ = false;
      break;
    case config::InitState::kFullyDown:
      counter_ = 0;
      up_ = false;
      break;
  }
}

Transition HealthState::OnCheckPassed() {
  force_fastinter_ = false;
  if (counter_ < top()) ++counter_;
  if (!up_ && counter_ >= params_.rise) {
    up_ = true;
    counter_ = top();
    return Transition::kWentUp;
  }
  return Transition::kNone;
}

Transition HealthState::OnCheckFailed() {
  force_fastinter_ = false;
  if (counter_ > params_.rise) {
    --counter_;
    return Transition::kNone;
  }
  if (!up_) {
    if (counter_ > 0) --counter_;
    return Transition::kNone;
  }
  return MarkDown();
}

Transition HealthState::MarkDown() {
  counter_ = 0;
  if (!up_) return Transition::kNone;
  up_ = false;
  return Transition::kWentDown;
}

Transition HealthState::OnErrorLimit() {
  Transition t = Transition::kNone;
  switch (params_.on_error) {
    case config::OnError::kFastinter:
      break;
    case config::OnError::kFailCheck:
      t = OnCheckFailed();
      break;
    case config::OnError::kSuddenDeath:
      // One more failure will take it down.
      if (up_) counter_ = params_.rise;
      else counter_ = 0;
      break;
    case config::OnError::kMarkDown:
      t = MarkDown();
      break;
  }
  force_fastinter_ = true;  // every on-error action speeds up the next check
  return t;
}

absl::Duration HealthState::NextInterval() const {
  if (force_fastinter_) return params_.fastinter;
  if (up_ && counter_ == top()) return params_.inter;
  if (!up_ && counter_ == 0) return params_.downinter;
  return params_.fastinter;
}

}  // namespace tender
