#include "proxy/common/log.h"

#include <time.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "absl/strings/str_format.h"

namespace tender {
namespace {
std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "NOTICE";
    case LogLevel::kWarning: return "WARNING";
    case LogLevel::kError: return "ALERT";
  }
  return "?";
}
}  // namespace

void SetLogLevel(LogLevel level) { g_min_level.store(static_cast<int>(level)); }

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed);
}

void LogLine(LogLevel level, absl::string_view message) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  std::string line = absl::StrFormat("[%s] %04d-%02d-%02dT%02d:%02d:%02d.%03dZ %s\n",
                                     LevelName(level), tm.tm_year + 1900, tm.tm_mon + 1,
                                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                                     static_cast<int>(ts.tv_nsec / 1000000), message);
  ssize_t unused = write(STDERR_FILENO, line.data(), line.size());
  (void)unused;
}

}  // namespace tender
