// A small levelled logger writing single lines to stderr. Thread-safe: each line is one
// write(2), so lines from different threads never interleave.
#pragma once

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace tender {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Lines below this level are dropped. Default kInfo; `-d` sets kDebug.
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
void LogLine(LogLevel level, absl::string_view message);

}  // namespace tender

#define TENDER_LOG(level, ...)                                        \
  do {                                                                \
    if (::tender::LogEnabled(::tender::LogLevel::level)) {            \
      ::tender::LogLine(::tender::LogLevel::level, absl::StrCat(__VA_ARGS__)); \
    }                                                                 \
  } while (0)
