#include "proxy/session/accept_proxy.h"

#include <sys/socket.h>

#include <cerrno>

#include "proxy/common/log.h"
#include "proxy/net/proxy_protocol.h"

namespace tender {

ProxyHeaderRead ReadProxyHeader(int fd, const FrontendSettings& frontend, SocketAddress* client,
                                SocketAddress* destination, bool* have_destination) {
  char buf[kMaxProxyHeader];
  ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK);
  if (n == 0 || (n < 0 && errno != EAGAIN)) return ProxyHeaderRead::kClientClosed;
  if (n < 0) return ProxyHeaderRead::kWaiting;
  ProxyHeader h = ParseProxyHeader(absl::string_view(buf, n));
  if (h.status == ProxyHeader::Status::kIncomplete) {
    if (static_cast<size_t>(n) < sizeof(buf)) return ProxyHeaderRead::kWaiting;
    h.status = ProxyHeader::Status::kInvalid;
    h.error = "PROXY header too long";
  }
  if (h.status == ProxyHeader::Status::kInvalid) {
    frontend.limit->proxy_header_errors.fetch_add(1, std::memory_order_relaxed);
    TENDER_LOG(kWarning, "frontend ", frontend.name, ": invalid PROXY protocol header from ", client->ToString(), ": ",
               h.error);
    return ProxyHeaderRead::kInvalid;
  }
  // Consume exactly the header; what follows belongs to the session.
  ssize_t unused = recv(fd, buf, h.length, 0);
  (void)unused;
  if (!h.local) {
    *client = h.source;
    *destination = h.destination;
    *have_destination = true;
  }
  return ProxyHeaderRead::kDone;
}

}  // namespace tender
