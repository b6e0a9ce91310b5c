#include "proxy/lb/first.h"

namespace tender {

FirstBalancer::FirstBalancer(std::shared_ptr<const BackendPool> pool)
    : pool_(std::move(pool)), eligible_(pool_->EligibleServers()) {}

int FirstBalancer::Pick(const PickContext& context) {
  int fallback = -1;
  for (int i : eligible_) {
    if (i == context.exclude) continue;
    const ServerEntry& s = pool_->servers[i];
    if (s.maxconn == 0 || s.load->active.load(std::memory_order_relaxed) < s.maxconn) return i;
    if (fallback < 0) fallback = i;
  }
  if (fallback < 0 && !eligible_.empty()) fallback = eligible_.front();
  return fallback;
}

}  // namespace tender
