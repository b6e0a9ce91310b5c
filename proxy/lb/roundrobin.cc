#include "proxy/lb/roundrobin.h"

namespace tender {

RoundRobinBalancer::RoundRobinBalancer(std::shared_ptr<const BackendPool> pool)
    : pool_(std::move(pool)), eligible_(pool_->EligibleServers()) {
  for (int i : eligible_) {
    weights_.push_back(pool_->servers[i].weight);
    total_weight_ += pool_->servers[i].weight;
    if (weights_.back() != weights_.front()) equal_weights_ = false;
  }
  current_.assign(eligible_.size(), 0);
}

int RoundRobinBalancer::PickOnce() {
  if (eligible_.empty()) return -1;
  if (equal_weights_) return eligible_[cursor_++ % eligible_.size()];
  size_t best = 0;
  for (size_t i = 0; i < eligible_.size(); ++i) {
    current_[i] += weights_[i];
    if (current_[i] > current_[best]) best = i;
  }
  current_[best] -= total_weight_;
  return eligible_[best];
}

int RoundRobinBalancer::Pick(const PickContext& context) {
  for (size_t tries = 0; tries <= eligible_.size(); ++tries) {
    int s = PickOnce();
    if (s != context.exclude || eligible_.size() == 1) return s;
  }
  return -1;
}

}  // namespace tender
