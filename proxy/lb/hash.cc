#include "proxy/lb/hash.h"

#include <netinet/in.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace tender {

uint32_t SdbmHash(absl::string_view key) {
  uint32_t h = 0;
  for (unsigned char c : key) h = c + (h << 6) + (h << 16) - h;
  return h;
}

uint32_t Avalanche(uint32_t h) {
  // A full-avalanche integer mix (every input bit flips about half of the output bits).
  h ^= h >> 16;
  h *= 0x7feb352d;
  h ^= h >> 15;
  h *= 0x846ca68b;
  h ^= h >> 16;
  return h;
}

uint32_t HashAddress(const SocketAddress& address) {
  const unsigned char* bytes = nullptr;
  size_t n = 0;
  if (address.family() == AF_INET) {
    bytes = reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in*>(&address.storage)->sin_addr);
    n = 4;
  } else if (address.family() == AF_INET6) {
    const in6_addr& v6 = reinterpret_cast<const sockaddr_in6*>(&address.storage)->sin6_addr;
    bool mapped = IN6_IS_ADDR_V4MAPPED(&v6);
    bytes = v6.s6_addr + (mapped ? 12 : 0);
    n = mapped ? 4 : 16;
  }
  return SdbmHash(absl::string_view(reinterpret_cast<const char*>(bytes), n));
}

HashBalancer::HashBalancer(std::shared_ptr<const BackendPool> pool, std::unique_ptr<Balancer> fallback)
    : pool_(std::move(pool)), fallback_(std::move(fallback)) {
  std::vector<int> eligible = pool_->EligibleServers();
  if (pool_->balance.hash_type == config::HashType::kMapBased) {
    for (int i : eligible) weighted_table_.insert(weighted_table_.end(), pool_->servers[i].weight, i);
    return;
  }
  // Points are derived from the server's name, not its position, so the ring of the
  // servers that stay is unchanged when another server comes or goes.
  constexpr int kPointsPerWeight = 16;
  for (int i : eligible) {
    const ServerEntry& s = pool_->servers[i];
    for (int p = 0; p < s.weight * kPointsPerWeight; ++p) {
      ring_.emplace_back(Avalanche(SdbmHash(absl::StrCat(s.name, "#", p))), i);
    }
  }
  std::sort(ring_.begin(), ring_.end());
}

int HashBalancer::PickMapBased(uint32_t hash) const {
  if (weighted_table_.empty()) return -1;
  return weighted_table_[hash % weighted_table_.size()];
}

int HashBalancer::PickConsistent(uint32_t hash) const {
  if (ring_.empty()) return -1;
  auto it = std::lower_bound(ring_.begin(), ring_.end(), std::make_pair(hash, -1));
  if (it == ring_.end()) it = ring_.begin();
  return it->second;
}

int HashBalancer::Pick(const PickContext& context) {
  if (context.no_hash_key && fallback_ != nullptr) return fallback_->Pick(context);
  uint32_t h = context.client_hash;
  if (pool_->balance.avalanche || pool_->balance.hash_type == config::HashType::kConsistent) h = Avalanche(h);
  int s = pool_->balance.hash_type == config::HashType::kMapBased ? PickMapBased(h) : PickConsistent(h);
  if (s == context.exclude && s >= 0) {
    // Redispatch: the next server on the table or ring.
    return pool_->balance.hash_type == config::HashType::kMapBased ? PickMapBased(h + 1) : PickConsistent(h + 1);
  }
  return s;
}

}  // namespace tender
