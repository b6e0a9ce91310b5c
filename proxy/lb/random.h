// random(N): power of N choices. Draws N servers at random in proportion to their
// weights and keeps the least loaded of them (N=2 is HAProxy's default and the seed
// tutorial's "Random Draws: 2").
#pragma once

#include <random>
#include <vector>

#include "proxy/lb/balancer.h"

namespace tender {

class RandomBalancer : public Balancer {
 public:
  RandomBalancer(std::shared_ptr<const BackendPool> pool, int draws, uint64_t seed);
  int Pick(const PickContext& context) override;

 private:
  int DrawOne();

  std::shared_ptr<const BackendPool> pool_;
  int draws_;
  std::vector<int> eligible_;
  std::vector<int64_t> cumulative_weight_;
  std::mt19937_64 rng_;
};

}  // namespace tender
