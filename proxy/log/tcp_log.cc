#include "proxy/log/tcp_log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>

#include <cstdio>

namespace tender {

namespace {

// The client's address without allocating (IPv4-mapped IPv6 shown as IPv4, as HAProxy).
void FormatHost(const SocketAddress& a, char* out, size_t capacity) {
  out[0] = '\0';
  if (a.family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&a.storage)->sin_addr, out, capacity);
  } else if (a.family() == AF_INET6) {
    const in6_addr& v6 = reinterpret_cast<const sockaddr_in6*>(&a.storage)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      inet_ntop(AF_INET, v6.s6_addr + 12, out, capacity);
    } else {
      inet_ntop(AF_INET6, &v6, out, capacity);
    }
  }
}

}  // namespace

size_t FormatTcpLog(const TcpLogRecord& r, char* out, size_t capacity) {
  char host[INET6_ADDRSTRLEN];
  FormatHost(*r.client, host, sizeof(host));
  time_t seconds = r.accept_unix_ms / 1000;
  struct tm tm;
  localtime_r(&seconds, &tm);
  char date[40];
  strftime(date, sizeof(date), "%d/%b/%Y:%H:%M:%S", &tm);
  const char* be = r.backend->empty() ? "-" : r.backend->c_str();
  const char* srv = r.server->empty() ? "<NOSRV>" : r.server->c_str();
  int n = snprintf(out, capacity, "%s:%d [%s.%03d] %s %s/%s %lld/%lld/%lld %llu %s %d/%d/%d/%d/%s%d %d/%d",
                   host, r.client->port(), date, static_cast<int>(r.accept_unix_ms % 1000),
                   r.frontend->c_str(), be, srv, static_cast<long long>(r.queue_ms),
                   static_cast<long long>(r.connect_ms), static_cast<long long>(r.total_ms),
                   static_cast<unsigned long long>(r.bytes_to_client), r.termination, r.active_process,
                   r.active_frontend, r.active_backend, r.active_server, r.redispatched ? "+" : "", r.retries,
                   r.server_queue, r.backend_queue);
  if (n < 0) return 0;
  return static_cast<size_t>(n) < capacity ? n : capacity - 1;
}

}  // namespace tender
