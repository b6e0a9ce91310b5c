// Fuzzes the PROXY protocol v1/v2 parser. Invariants: a complete header lies within the
// input; its addresses re-encode (v1 and v2) to headers that parse to the same addresses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "proxy/net/proxy_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tender::ProxyHeader;
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  ProxyHeader h = tender::ParseProxyHeader(input);
  if (h.status != ProxyHeader::Status::kComplete) return 0;
  if (h.length == 0 || h.length > size) std::abort();
  if (h.local) return 0;
  for (const std::string& again : {tender::EncodeProxyV1(h.source, h.destination),
                                   tender::EncodeProxyV2(h.source, h.destination)}) {
    ProxyHeader r = tender::ParseProxyHeader(again);
    if (r.status != ProxyHeader::Status::kComplete || r.length != again.size()) std::abort();
    if (!r.local && (r.source.ToString() != h.source.ToString() ||
                     r.destination.ToString() != h.destination.ToString())) {
      std::abort();
    }
  }
  return 0;
}
