#include "proxy/lb/leastconn.h"

namespace tender {

LeastConnBalancer::LeastConnBalancer(std::shared_ptr<const BackendPool> pool)
    : pool_(std::move(pool)), eligible_(pool_->EligibleServers()) {}

int LeastConnBalancer::Pick(const PickContext& context) {
  int best = -1, best_active = 0, best_weight = 1;
  size_t n = eligible_.size();
  for (size_t k = 0; k < n; ++k) {
    int i = eligible_[(cursor_ + k) % n];
    if (i == context.exclude && n > 1) continue;
    const ServerEntry& s = pool_->servers[i];
    int active = s.load->active.load(std::memory_order_relaxed);
    if (best < 0 || LessLoaded(active, s.weight, best_active, best_weight)) {
      best = i;
      best_active = active;
      best_weight = s.weight;
    }
  }
  ++cursor_;
  return best;
}

}  // namespace tender
