// `bind ... accept-proxy`: reading the PROXY protocol header a connection starts with,
// for any kind of session. The header is peeked, checked, then consumed exactly, so what
// follows belongs to the session's stream.
#pragma once

#include "proxy/net/address.h"
#include "proxy/session/session.h"

namespace tender {

enum class ProxyHeaderRead {
  kWaiting,        // not all of it yet
  kDone,           // consumed; addresses updated unless it was a LOCAL header
  kClientClosed,   // the client closed or failed first
  kInvalid,        // malformed (counted on the frontend and logged)
};

// The log's termination code for a read that ended the session (kClientClosed: "CR",
// kInvalid: "PR").
inline const char* TerminationFor(ProxyHeaderRead r) { return r == ProxyHeaderRead::kInvalid ? "PR" : "CR"; }

ProxyHeaderRead ReadProxyHeader(int fd, const FrontendSettings& frontend, SocketAddress* client,
                                SocketAddress* destination, bool* have_destination);

}  // namespace tender
