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

}  // namespace tender
