// The balancing interface. Threading contract: a Balancer is built by one worker from one
// immutable BackendPool snapshot and used only by that worker (its cursor is per worker,
// as in Envoy's per-worker load balancers); a new snapshot means a new Balancer. Loads read
// through ServerLoad are shared across workers and therefore approximate by a few
// in-flight connections, which is what HAProxy's leastconn also tolerates between threads.
#pragma once

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "proxy/pool/pool.h"

namespace tender {

struct PickContext {
  uint32_t client_hash = 0;  // hash of the client address (source balancing)
  int exclude = -1;          // a server not to pick again (redispatch after a failure)
  // balance uri/hdr/url_param found no key in the request: HAProxy then balances round
  // robin.
  bool no_hash_key = false;
};

class Balancer {
 public:
  virtual ~Balancer() = default;
  // An index into the pool's servers, or -1 when no server is eligible.
  virtual int Pick(const PickContext& context) = 0;
  // A session of this worker took / released a connection slot on `server` (identified by
  // its load counters, which outlive snapshots). Only balancers that count use these.
  virtual void Taken(const ServerLoad* server) {}
  virtual void Released(const ServerLoad* server) {}
};

// Builds the balancer that `pool.balance` names. `previous` is the balancer it replaces
// (null at start); algorithms with a rotation continue it instead of starting over.
absl::StatusOr<std::unique_ptr<Balancer>> CreateBalancer(std::shared_ptr<const BackendPool> pool,
                                                         uint64_t seed, const Balancer* previous = nullptr);

// Current load of server `i` relative to its weight, for leastconn and random(N) picks:
// compares a/wa < b/wb without division.
inline bool LessLoaded(int active_a, int weight_a, int active_b, int weight_b) {
  return static_cast<int64_t>(active_a) * weight_b < static_cast<int64_t>(active_b) * weight_a;
}

}  // namespace tender
