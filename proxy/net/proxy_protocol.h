// The PROXY protocol (haproxy.org's proxy-protocol.txt), versions 1 (text) and 2
// (binary): encoding towards servers (`send-proxy`, `send-proxy-v2`) and strict parsing
// of what a client sends on an `accept-proxy` listener.
#pragma once

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "proxy/net/address.h"

namespace tender {

// "PROXY TCP4 <src> <dst> <sport> <dport>\r\n" (TCP6 for IPv6; UNKNOWN when the families
// differ or are not IP).
std::string EncodeProxyV1(const SocketAddress& source, const SocketAddress& destination);

// The binary header with the PROXY command over TCP/IPv4 or TCP/IPv6, or the LOCAL command
// (no addresses) when the families differ or are not IP.
std::string EncodeProxyV2(const SocketAddress& source, const SocketAddress& destination);

struct ProxyHeader {
  enum class Status { kIncomplete, kInvalid, kComplete };
  Status status = Status::kIncomplete;
  size_t length = 0;       // bytes the header occupies, when complete
  bool local = false;      // v2 LOCAL or v1 UNKNOWN: keep the connection's own addresses
  SocketAddress source;
  SocketAddress destination;
  std::string error;       // why it is invalid
};

// The largest header tender accepts: v1's 107 bytes, or v2's 16 plus up to 4080 bytes of
// addresses and TLVs (HAProxy bounds it by its buffer in the same way).
inline constexpr size_t kMaxProxyHeader = 4096;

// Parses the start of what a client sent. kIncomplete asks for more bytes (only while
// fewer than kMaxProxyHeader have arrived and nothing seen so far is wrong).
ProxyHeader ParseProxyHeader(absl::string_view data);

}  // namespace tender
