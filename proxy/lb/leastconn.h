// leastconn: the eligible server with the fewest active connections relative to its
// weight; ties go round robin so that equal servers share new connections.
#pragma once

#include <vector>

#include "proxy/lb/balancer.h"

namespace tender {

class LeastConnBalancer : public Balancer {
 public:
  explicit LeastConnBalancer(std::shared_ptr<const BackendPool> pool);
  int Pick(const PickContext& context) override;

 private:
  std::shared_ptr<const BackendPool> pool_;
  std::vector<int> eligible_;
  size_t cursor_ = 0;
};

}  // namespace tender
