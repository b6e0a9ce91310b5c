// Where traffic logs go: stdout/stderr, a UDP syslog server, or a UNIX datagram socket
// such as /dev/log, with HAProxy's log formats (raw, short, priority, local, rfc3164,
// rfc5424, iso, timed) and level filter. Send() is thread-safe: each line is one write(2)
// or sendto(2), formatted in a caller-provided stack buffer, so logging allocates nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proxy/config/config.h"
#include "proxy/net/address.h"

namespace tender {

// Syslog severities, most important first.
enum class Severity { kEmerg = 0, kAlert, kCrit, kErr, kWarning, kNotice, kInfo, kDebug };

class LogTarget {
 public:
  static absl::StatusOr<std::shared_ptr<LogTarget>> Create(const config::LogTarget& config);
  ~LogTarget();
  // Sends one line (without a trailing newline) at `severity`, if the target's level lets
  // it through.
  void Send(Severity severity, const char* message, size_t length) const;

 private:
  enum class Kind { kFd, kUdp, kUnixDatagram };
  enum class Format { kRaw, kShort, kLocal, kRfc3164, kRfc5424, kIso, kTimed };
  LogTarget() = default;

  Kind kind_ = Kind::kFd;
  Format format_ = Format::kRfc3164;
  int fd_ = -1;
  bool owns_fd_ = false;
  SocketAddress udp_address_;
  std::string unix_path_;
  int facility_ = 16;  // local0
  int max_severity_ = static_cast<int>(Severity::kDebug);
  int min_severity_ = static_cast<int>(Severity::kEmerg);
  std::string hostname_;
};

using LogTargets = std::vector<std::shared_ptr<LogTarget>>;

// Sends to every target.
void SendToAll(const LogTargets& targets, Severity severity, const char* message, size_t length);

}  // namespace tender
