// Socket addresses: parsing and resolving "host" + port, and printing them back.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

#include "absl/status/statusor.h"

namespace tender {

struct SocketAddress {
  struct sockaddr_storage storage = {};
  socklen_t length = 0;

  const struct sockaddr* sa() const { return reinterpret_cast<const struct sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
  int port() const;
  // "10.0.0.1:80" or "[::1]:80".
  std::string ToString() const;
  // The address without the port.
  std::string HostString() const;
};

// An IPv4 or IPv6 socket address in 32 bytes where SocketAddress takes 136: what a
// long-lived idle connection keeps of its peer. Another family keeps the family only.
struct InetAddress {
  struct sockaddr_in6 storage = {};  // large enough for a sockaddr_in as well
  socklen_t length = 0;

  static InetAddress From(const SocketAddress& a);
  SocketAddress Expand() const;
};

// Resolves `host` (an IP literal, or a name resolved once, at load time) with `port`.
// An empty host means "any": the IPv6 wildcard when IPv6 is available (dual stack), else
// IPv4's.
absl::StatusOr<SocketAddress> ResolveAddress(const std::string& host, int port);

// The local or peer address of a connected socket.
SocketAddress LocalAddressOf(int fd);
SocketAddress PeerAddressOf(int fd);

}  // namespace tender
