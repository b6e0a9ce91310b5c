#include "proxy/log/log_target.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tender {
namespace {

int FacilityCode(const std::string& name) {
  static const char* kNames[] = {"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
                                 "uucp", "cron", "auth2", "ftp", "ntp", "audit", "alert", "cron2",
                                 "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"};
  for (int i = 0; i < 24; ++i) {
    if (name == kNames[i]) return i;
  }
  return 16;
}

int SeverityCode(const std::string& name, int fallback) {
  static const char* kNames[] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
  for (int i = 0; i < 8; ++i) {
    if (name == kNames[i]) return i;
  }
  return fallback;
}

}  // namespace

absl::StatusOr<std::shared_ptr<LogTarget>> LogTarget::Create(const config::LogTarget& c) {
  std::shared_ptr<LogTarget> t(new LogTarget());
  t->facility_ = FacilityCode(c.facility);
  t->max_severity_ = SeverityCode(c.max_level, static_cast<int>(Severity::kDebug));
  t->min_severity_ = SeverityCode(c.min_level, static_cast<int>(Severity::kEmerg));
  const std::string& f = c.format;
  if (f == "raw") t->format_ = Format::kRaw;
  else if (f == "short" || f == "priority") t->format_ = Format::kShort;
  else if (f == "local") t->format_ = Format::kLocal;
  else if (f == "rfc5424") t->format_ = Format::kRfc5424;
  else if (f == "iso") t->format_ = Format::kIso;
  else if (f == "timed") t->format_ = Format::kTimed;
  else t->format_ = Format::kRfc3164;
  char hostname[256] = {};
  gethostname(hostname, sizeof(hostname) - 1);
  t->hostname_ = hostname;

  absl::string_view addr = c.address;
  if (addr == "stdout" || addr == "fd@1") {
    t->fd_ = STDOUT_FILENO;
    return t;
  }
  if (addr == "stderr" || addr == "fd@2") {
    t->fd_ = STDERR_FILENO;
    return t;
  }
  if (absl::StartsWith(addr, "/") || absl::ConsumePrefix(&addr, "unix@")) {
    t->kind_ = Kind::kUnixDatagram;
    t->unix_path_ = std::string(addr);
    t->fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    t->owns_fd_ = true;
    return t;
  }
  absl::ConsumePrefix(&addr, "udp@");
  absl::ConsumePrefix(&addr, "udp4@");
  absl::ConsumePrefix(&addr, "udp6@");
  absl::ConsumePrefix(&addr, "ipv4@");
  absl::ConsumePrefix(&addr, "ipv6@");
  std::string host(addr);
  int port = 514;  // the syslog port, as HAProxy defaults
  size_t colon = host.rfind(':');
  bool bracketed = absl::StartsWith(host, "[");
  if (colon != std::string::npos && (bracketed ? host[colon - 1] == ']' : host.find(':') == colon)) {
    if (!absl::SimpleAtoi(host.substr(colon + 1), &port) || port < 1 || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat(c.where.file, ":", c.where.line, ": 'log': invalid port in '", c.address, "'"));
    }
    host = host.substr(0, colon);
  }
  if (bracketed) host = host.substr(1, host.size() - 2);
  auto resolved = ResolveAddress(host, port);
  if (!resolved.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(c.where.file, ":", c.where.line, ": 'log': ", resolved.status().message()));
  }
  t->kind_ = Kind::kUdp;
  t->udp_address_ = *resolved;
  t->fd_ = socket(resolved->family(), SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  t->owns_fd_ = true;
  return t;
}

LogTarget::~LogTarget() {
  if (owns_fd_ && fd_ >= 0) close(fd_);
}

void LogTarget::Send(Severity severity, const char* message, size_t length) const {
  int sev = static_cast<int>(severity);
  if (sev > max_severity_) return;
  if (sev < min_severity_) sev = min_severity_;  // "capped" to the minimum level
  char line[2048];
  int pri = facility_ * 8 + sev;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  int n = 0;
  switch (format_) {
    case Format::kRaw:
      break;
    case Format::kShort:
      n = snprintf(line, sizeof(line), "<%d>", pri);
      break;
    case Format::kLocal:
    case Format::kRfc3164: {
      localtime_r(&ts.tv_sec, &tm);
      char when[32];
      strftime(when, sizeof(when), "%b %e %H:%M:%S", &tm);
      n = snprintf(line, sizeof(line), "<%d>%s tender[%d]: ", pri, when, getpid());
      break;
    }
    case Format::kRfc5424: {
      gmtime_r(&ts.tv_sec, &tm);
      char when[32];
      strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
      n = snprintf(line, sizeof(line), "<%d>1 %s.%06ldZ %s tender %d - - ", pri, when, ts.tv_nsec / 1000,
                   hostname_.c_str(), getpid());
      break;
    }
    case Format::kIso:
    case Format::kTimed: {
      gmtime_r(&ts.tv_sec, &tm);
      char when[32];
      strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
      n = format_ == Format::kTimed ? snprintf(line, sizeof(line), "<%d>%s.%06ldZ ", pri, when, ts.tv_nsec / 1000)
                                    : snprintf(line, sizeof(line), "%s.%06ldZ ", when, ts.tv_nsec / 1000);
      break;
    }
  }
  size_t room = sizeof(line) - n - 1;
  size_t copy = length < room ? length : room;
  memcpy(line + n, message, copy);
  size_t total = n + copy;
  if (kind_ == Kind::kFd) {
    line[total++] = '\n';
    ssize_t unused = write(fd_, line, total);
    (void)unused;
  } else if (kind_ == Kind::kUdp) {
    sendto(fd_, line, total, MSG_DONTWAIT, udp_address_.sa(), udp_address_.length);
  } else {
    sockaddr_un un = {};
    un.sun_family = AF_UNIX;
    strncpy(un.sun_path, unix_path_.c_str(), sizeof(un.sun_path) - 1);
    sendto(fd_, line, total, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&un), sizeof(un));
  }
}

void SendToAll(const LogTargets& targets, Severity severity, const char* message, size_t length) {
  for (const auto& t : targets) t->Send(severity, message, length);
}

}  // namespace tender
