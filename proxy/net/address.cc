#include "proxy/net/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>

#include "absl/strings/str_cat.h"

namespace tender {

int SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return 0;
}

std::string SocketAddress::HostString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof(buf));
  } else if (family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], buf, sizeof(buf));
    } else {
      inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
    }
  }
  return buf;
}

std::string SocketAddress::ToString() const {
  if (family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    if (!IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return absl::StrCat("[", HostString(), "]:", port());
  }
  return absl::StrCat(HostString(), ":", port());
}

absl::StatusOr<SocketAddress> ResolveAddress(const std::string& host, int port) {
  SocketAddress out;
  if (host.empty() || host == "::") {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_any;
    in6->sin6_port = htons(port);
    out.length = sizeof(sockaddr_in6);
    return out;
  }
  struct addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  struct addrinfo* res = nullptr;
  std::string service = absl::StrCat(port);
  int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("cannot resolve '", host, "': ", gai_strerror(rc)));
  }
  memcpy(&out.storage, res->ai_addr, res->ai_addrlen);
  out.length = res->ai_addrlen;
  freeaddrinfo(res);
  return out;
}

InetAddress InetAddress::From(const SocketAddress& a) {
  InetAddress c;
  if (a.length <= sizeof(c.storage) && (a.family() == AF_INET || a.family() == AF_INET6)) {
    memcpy(&c.storage, &a.storage, a.length);
    c.length = a.length;
  } else {
    c.storage.sin6_family = static_cast<sa_family_t>(a.family());
    c.length = sizeof(sa_family_t);
  }
  return c;
}

SocketAddress InetAddress::Expand() const {
  SocketAddress a;
  memcpy(&a.storage, &storage, sizeof(storage));
  a.length = length;
  return a;
}

SocketAddress LocalAddressOf(int fd) {
  SocketAddress a;
  a.length = sizeof(a.storage);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a.storage), &a.length);
  return a;
}

SocketAddress PeerAddressOf(int fd) {
  SocketAddress a;
  a.length = sizeof(a.storage);
  getpeername(fd, reinterpret_cast<sockaddr*>(&a.storage), &a.length);
  return a;
}

}  // namespace tender
