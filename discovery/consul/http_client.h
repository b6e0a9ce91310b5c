// A small blocking HTTP/1.1 GET for Consul's agent, used on discovery's own threads only
// (long polls never hold a data-plane worker). Plain TCP, TLS (OpenSSL, the certificate
// verified against a CA file and the host name or IP), or a UNIX socket.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace tender::discovery {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased: Consul's casing varies
  std::string body;
};

struct HttpTarget {
  std::string host;       // IP or name (resolved per request, off the data path)
  int port = 8500;
  std::string unix_path;  // instead of host:port
  bool tls = false;       // HTTPS: the server's certificate must verify for `host`
  std::string ca_file;    // trusted CAs for HTTPS; empty: the system's
};

// `path` includes the query string. Fails with UNAVAILABLE on connection problems and
// DEADLINE_EXCEEDED when `timeout` passes.
// `cancel_fd` (optional, -1 for none): readable means give up now (CANCELLED).
absl::StatusOr<HttpResponse> HttpGet(const HttpTarget& target, const std::string& path,
                                     const std::map<std::string, std::string>& headers, absl::Duration timeout,
                                     int cancel_fd = -1);

// Percent-encodes a query parameter value.
std::string UrlEncode(const std::string& value);

}  // namespace tender::discovery
