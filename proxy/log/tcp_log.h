// HAProxy's `option tcplog` line:
//   %ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq
// e.g. "10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "proxy/net/address.h"

namespace tender {

struct TcpLogRecord {
  const SocketAddress* client = nullptr;
  int64_t accept_unix_ms = 0;     // wall clock at accept
  const std::string* frontend = nullptr;
  const std::string* backend = nullptr;  // "" before a backend was chosen
  const std::string* server = nullptr;   // "" when no server was reached
  int64_t queue_ms = -1;          // Tw: time queued; -1 when the session never got that far
  int64_t connect_ms = -1;        // Tc: time to connect; -1 if never connected
  int64_t total_ms = 0;           // Tt
  uint64_t bytes_to_client = 0;   // B
  char termination[3] = "--";     // ts: cause and state, HAProxy's codes
  int active_process = 0, active_frontend = 0, active_backend = 0, active_server = 0;
  int retries = 0;
  bool redispatched = false;
  int server_queue = 0, backend_queue = 0;
};

// Writes the line (no newline) into `out` and returns its length, at most `capacity`.
size_t FormatTcpLog(const TcpLogRecord& r, char* out, size_t capacity);

// HAProxy's `option httplog` line:
//   %ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r
// (no captures, so %CC %CS are "-" and %hr %hs are left out, as HAProxy does without
// `capture` lines).
struct HttpLogRecord {
  const SocketAddress* client = nullptr;
  int64_t request_unix_ms = 0;    // tr: when the request's first byte was awaited
  const std::string* frontend = nullptr;
  const std::string* backend = nullptr;
  const std::string* server = nullptr;
  int64_t request_ms = -1;        // TR: time to receive the full request head
  int64_t queue_ms = -1;          // Tw
  int64_t connect_ms = -1;        // Tc
  int64_t response_ms = -1;       // Tr: server's time to send the response head
  int64_t active_ms = 0;          // Ta: request's whole life
  int status = 0;                 // ST
  uint64_t bytes_to_client = 0;   // B
  char termination[5] = "----";   // tsc: cause, state, persistence cookie (client, server)
  int active_process = 0, active_frontend = 0, active_backend = 0, active_server = 0;
  int retries = 0;
  bool redispatched = false;
  int server_queue = 0, backend_queue = 0;
  const char* request_line = "";  // %r, quoted; truncated at 1024 bytes as tune.http.logurilen
  size_t request_line_length = 0;
};
size_t FormatHttpLog(const HttpLogRecord& r, char* out, size_t capacity);

// An address without its port, IPv4-mapped IPv6 shown as IPv4 (as in logs and
// X-Forwarded-For); no allocation.
void FormatHost(const SocketAddress& a, char* out, size_t capacity);
// HAProxy's log date, "22/Nov/2026:14:28:43.744".
void FormatLogDate(int64_t unix_ms, char* out, size_t capacity);

}  // namespace tender
