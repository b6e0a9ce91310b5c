// Thin wrappers over socket(2) calls that the listeners and sessions share.
#pragma once

#include "absl/status/statusor.h"
#include "proxy/net/address.h"

namespace tender {

// A non-blocking listening socket with SO_REUSEADDR and SO_REUSEPORT (so every worker can
// bind its own), IPV6_V6ONLY off for the IPv6 wildcard (dual stack, as HAProxy's "::").
// `delay_first_ack` (HAProxy's `option tcp-smart-accept`): accepted connections start
// with delayed ACKs (TCP_QUICKACK off, which they inherit), so that a client's request is
// acknowledged by the response instead of an ACK of its own (or after 40 ms at worst).
absl::StatusOr<int> ListenOn(const SocketAddress& address, int backlog, bool delay_first_ack = false);

// Starts a non-blocking connect; the fd is returned at once (EINPROGRESS is success). On
// an immediate failure `*error` (if given) receives the errno.
// `probe_only`: a connect health check that sends nothing. The kernel then holds back the
// handshake's last ACK (TCP_QUICKACK off), so that closing at once with a reset (see
// CloseWithReset) never establishes the connection on the server: the cheapest probe for
// both ends, as HAProxy's pure TCP checks.
absl::StatusOr<int> StartConnect(const SocketAddress& address, int* error = nullptr, bool probe_only = false);
// Closes with a reset instead of a FIN: no TIME_WAIT left behind (a thousand servers
// checked every second would otherwise hold sixty thousand of them).
void CloseWithReset(int fd);

// The pending error of a socket (SO_ERROR), 0 if none.
int SocketError(int fd);

}  // namespace tender
