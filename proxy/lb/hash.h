// Hash-based picks (balance source today; uri, hdr and url_param in HTTP mode later).
// map-based: the hash modulo the total weight over a weighted table, so a pool change
// remaps most keys. consistent: a ring with points per server in proportion to weight,
// so a server joining or leaving moves only about 1/N of the keys.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "proxy/lb/balancer.h"

namespace tender {

// HAProxy's default hash function for hash-type (sdbm), with the optional avalanche step.
uint32_t SdbmHash(absl::string_view key);
uint32_t Avalanche(uint32_t h);
// The sdbm hash of an address's IP bytes (4 for IPv4 and IPv4-mapped IPv6, else 16), so
// that `balance source` hashes a client without formatting its address.
uint32_t HashAddress(const SocketAddress& address);

class HashBalancer : public Balancer {
 public:
  // `fallback` picks when a request has no key (balance hdr/url_param); may be null.
  explicit HashBalancer(std::shared_ptr<const BackendPool> pool, std::unique_ptr<Balancer> fallback = nullptr);
  int Pick(const PickContext& context) override;

 private:
  int PickMapBased(uint32_t hash) const;
  int PickConsistent(uint32_t hash) const;

  std::shared_ptr<const BackendPool> pool_;
  std::unique_ptr<Balancer> fallback_;
  std::vector<int> weighted_table_;                 // map-based
  std::vector<std::pair<uint32_t, int>> ring_;      // consistent: (point, server)
};

}  // namespace tender
