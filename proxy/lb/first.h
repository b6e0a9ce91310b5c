// first: the first eligible server (in declaration order) that still has a free
// connection slot under its maxconn; servers without maxconn always have one.
#pragma once

#include <vector>

#include "proxy/lb/balancer.h"

namespace tender {

class FirstBalancer : public Balancer {
 public:
  explicit FirstBalancer(std::shared_ptr<const BackendPool> pool);
  int Pick(const PickContext& context) override;

 private:
  std::shared_ptr<const BackendPool> pool_;
  std::vector<int> eligible_;
};

}  // namespace tender
