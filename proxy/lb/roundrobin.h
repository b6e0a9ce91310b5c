// roundrobin and static-rr: smooth weighted round robin. Over every cycle of
// sum(weights) picks each server gets exactly its weight, and picks are interleaved (no
// burst to the heaviest server). Equal weights take an O(1) path; unequal weights are
// O(number of eligible servers) per pick.
#pragma once

#include <vector>

#include "proxy/lb/balancer.h"

namespace tender {

class RoundRobinBalancer : public Balancer {
 public:
  explicit RoundRobinBalancer(std::shared_ptr<const BackendPool> pool);
  int Pick(const PickContext& context) override;

 private:
  int PickOnce();

  std::shared_ptr<const BackendPool> pool_;
  std::vector<int> eligible_;
  std::vector<int> weights_;
  std::vector<int64_t> current_;
  int64_t total_weight_ = 0;
  bool equal_weights_ = true;
  size_t cursor_ = 0;
};

}  // namespace tender
