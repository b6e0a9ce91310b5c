#include "proxy/lb/random.h"

#include <algorithm>

namespace tender {

RandomBalancer::RandomBalancer(std::shared_ptr<const BackendPool> pool, int draws, uint64_t seed)
    : pool_(std::move(pool)), draws_(draws), eligible_(pool_->EligibleServers()), rng_(seed) {
  int64_t sum = 0;
  for (int i : eligible_) {
    sum += pool_->servers[i].weight;
    cumulative_weight_.push_back(sum);
  }
}

int RandomBalancer::DrawOne() {
  std::uniform_int_distribution<int64_t> dist(0, cumulative_weight_.back() - 1);
  int64_t r = dist(rng_);
  size_t k = std::upper_bound(cumulative_weight_.begin(), cumulative_weight_.end(), r) -
             cumulative_weight_.begin();
  return eligible_[k];
}

int RandomBalancer::Pick(const PickContext& context) {
  if (eligible_.empty()) return -1;
  int best = -1;
  for (int d = 0; d < draws_; ++d) {
    int i = DrawOne();
    if (i == context.exclude && eligible_.size() > 1) {
      --d;  // draw again: the excluded server never counts as a choice
      continue;
    }
    const ServerEntry& s = pool_->servers[i];
    if (best < 0) {
      best = i;
      continue;
    }
    const ServerEntry& b = pool_->servers[best];
    if (LessLoaded(s.load->active.load(std::memory_order_relaxed), s.weight,
                   b.load->active.load(std::memory_order_relaxed), b.weight)) {
      best = i;
    }
  }
  return best;
}

}  // namespace tender
