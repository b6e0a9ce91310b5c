#include "proxy/log/tcp_log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>

#include <cstdio>

namespace tender {

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

void FormatLogDate(int64_t unix_ms, char* date, size_t capacity) {
  time_t seconds = unix_ms / 1000;
  struct tm tm;
  localtime_r(&seconds, &tm);
  size_t n = strftime(date, capacity, "%d/%b/%Y:%H:%M:%S", &tm);
  snprintf(date + n, capacity - n, ".%03d", static_cast<int>(unix_ms % 1000));
}

size_t FormatTcpLog(const TcpLogRecord& r, char* out, size_t capacity) {
  char host[INET6_ADDRSTRLEN];
  FormatHost(*r.client, host, sizeof(host));
  char date[48];
  FormatLogDate(r.accept_unix_ms, date, sizeof(date));
  const char* be = r.backend->empty() ? "-" : r.backend->c_str();
  const char* srv = r.server->empty() ? "<NOSRV>" : r.server->c_str();
  int n = snprintf(out, capacity, "%s:%d [%s] %s %s/%s %lld/%lld/%lld %llu %s %d/%d/%d/%d/%s%d %d/%d",
                   host, r.client->port(), date,
                   r.frontend->c_str(), be, srv, static_cast<long long>(r.queue_ms),
                   static_cast<long long>(r.connect_ms), static_cast<long long>(r.total_ms),
                   static_cast<unsigned long long>(r.bytes_to_client), r.termination, r.active_process,
                   r.active_frontend, r.active_backend, r.active_server, r.redispatched ? "+" : "", r.retries,
                   r.server_queue, r.backend_queue);
  if (n < 0) return 0;
  return static_cast<size_t>(n) < capacity ? n : capacity - 1;
}

size_t FormatHttpLog(const HttpLogRecord& r, char* out, size_t capacity) {
  char host[INET6_ADDRSTRLEN];
  FormatHost(*r.client, host, sizeof(host));
  char date[48];
  FormatLogDate(r.request_unix_ms, date, sizeof(date));
  const char* be = r.backend->empty() ? r.frontend->c_str() : r.backend->c_str();
  const char* srv = r.server->empty() ? "<NOSRV>" : r.server->c_str();
  int line_length = static_cast<int>(r.request_line_length > 1024 ? 1024 : r.request_line_length);
  int n = snprintf(out, capacity,
                   "%s:%d [%s] %s %s/%s %lld/%lld/%lld/%lld/%lld %d %llu - - %s %d/%d/%d/%d/%s%d %d/%d \"%.*s\"",
                   host, r.client->port(), date, r.frontend->c_str(), be, srv,
                   static_cast<long long>(r.request_ms), static_cast<long long>(r.queue_ms),
                   static_cast<long long>(r.connect_ms), static_cast<long long>(r.response_ms),
                   static_cast<long long>(r.active_ms), r.status, static_cast<unsigned long long>(r.bytes_to_client),
                   r.termination, r.active_process, r.active_frontend, r.active_backend, r.active_server,
                   r.redispatched ? "+" : "", r.retries, r.server_queue, r.backend_queue, line_length,
                   r.request_line);
  if (n < 0) return 0;
  return static_cast<size_t>(n) < capacity ? n : capacity - 1;
}

}  // namespace tender
