// Fuzzes the decoding of Consul's /v1/health/service JSON. Invariants: every decoded
// instance has an id with a node/service separator and a weight within HAProxy's range.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "discovery/consul/consul_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = tender::discovery::DecodeHealthService(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!decoded.ok()) return 0;
  for (const auto& e : *decoded) {
    if (e.id.find('/') == std::string::npos || e.weight < 0 || e.weight > 256) std::abort();
  }
  return 0;
}
