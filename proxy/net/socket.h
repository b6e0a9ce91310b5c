// Thin wrappers over socket(2) calls that the listeners and sessions share.
#pragma once

#include "absl/status/statusor.h"
#include "proxy/net/address.h"

namespace tender {

// A non-blocking listening socket with SO_REUSEADDR and SO_REUSEPORT (so every worker can
// bind its own), IPV6_V6ONLY off for the IPv6 wildcard (dual stack, as HAProxy's "::").
absl::StatusOr<int> ListenOn(const SocketAddress& address, int backlog);

// Starts a non-blocking connect; the fd is returned at once (EINPROGRESS is success). On
// an immediate failure `*error` (if given) receives the errno.
absl::StatusOr<int> StartConnect(const SocketAddress& address, int* error = nullptr);

// The pending error of a socket (SO_ERROR), 0 if none.
int SocketError(int fd);

}  // namespace tender
