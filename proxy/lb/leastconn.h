// leastconn: the eligible server with the fewest connections relative to its weight;
// among equals, the one picked longest ago (round robin), and full servers (at maxconn)
// are passed over. Counts are this worker's own: each worker balances the connections it
// owns, exactly and without locks, in an ordered set, so a pick is O(log n). With
// SO_REUSEPORT spreading connections evenly over workers, the per-worker view matches the
// global one to within a connection or two per worker (HAProxy counts globally, under a
// lock); with one worker it is exact.
#pragma once

#include <set>
#include <unordered_map>
#include <vector>

#include "proxy/lb/balancer.h"

namespace tender {

class LeastConnBalancer : public Balancer {
 public:
  // Counts carry over from `previous` (may be null) for the servers both pools share.
  LeastConnBalancer(std::shared_ptr<const BackendPool> pool, const LeastConnBalancer* previous);
  int Pick(const PickContext& context) override;
  void Taken(const ServerLoad* server) override;
  void Released(const ServerLoad* server) override;

 private:
  struct Node {
    int active = 0;
    int weight = 1;
    uint64_t last_pick = 0;  // tie-break: least recently picked first
  };
  struct Order {
    const std::vector<Node>* nodes;
    bool operator()(int a, int b) const;
  };
  void Update(int server, int delta);

  std::shared_ptr<const BackendPool> pool_;
  std::vector<Node> nodes_;  // by pool index
  std::set<int, Order> order_;
  std::unordered_map<const ServerLoad*, int> index_;
  uint64_t picks_ = 0;
};

}  // namespace tender
