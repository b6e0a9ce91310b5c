// `balance <algorithm>` -> Balancer.
#include "absl/strings/str_cat.h"
#include "proxy/lb/balancer.h"
#include "proxy/lb/first.h"
#include "proxy/lb/hash.h"
#include "proxy/lb/leastconn.h"
#include "proxy/lb/random.h"
#include "proxy/lb/roundrobin.h"

namespace tender {

absl::StatusOr<std::unique_ptr<Balancer>> CreateBalancer(std::shared_ptr<const BackendPool> pool,
                                                         uint64_t seed, const Balancer* previous) {
  using config::BalanceAlgorithm;
  auto* previous_rr = dynamic_cast<const RoundRobinBalancer*>(previous);
  switch (pool->balance.algorithm) {
    case BalanceAlgorithm::kRoundRobin:
    case BalanceAlgorithm::kStaticRr:
      return std::unique_ptr<Balancer>(new RoundRobinBalancer(std::move(pool), previous_rr));
    case BalanceAlgorithm::kLeastConn:
      return std::unique_ptr<Balancer>(
          new LeastConnBalancer(std::move(pool), dynamic_cast<const LeastConnBalancer*>(previous)));
    case BalanceAlgorithm::kFirst:
      return std::unique_ptr<Balancer>(new FirstBalancer(std::move(pool)));
    case BalanceAlgorithm::kRandom: {
      int draws = pool->balance.random_draws;
      return std::unique_ptr<Balancer>(new RandomBalancer(std::move(pool), draws, seed));
    }
    case BalanceAlgorithm::kSource:
      return std::unique_ptr<Balancer>(new HashBalancer(std::move(pool)));
    case BalanceAlgorithm::kUri:
    case BalanceAlgorithm::kHdr:
    case BalanceAlgorithm::kUrlParam: {
      // Layer 7 keys exist only in HTTP mode; in TCP mode HAProxy falls back to roundrobin,
      // as it does in HTTP mode for a request without the key.
      auto rr = std::unique_ptr<Balancer>(new RoundRobinBalancer(pool, previous_rr));
      if (pool->mode != config::Mode::kHttp) return rr;
      return std::unique_ptr<Balancer>(new HashBalancer(std::move(pool), std::move(rr)));
    }
  }
  return absl::InternalError("unknown balance algorithm");
}

}  // namespace tender
