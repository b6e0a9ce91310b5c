#include "proxy/config/units.h"

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tender::config {
namespace {

// Splits "123ms" into 123 and "ms"; fails when there is no leading number.
absl::StatusOr<std::pair<int64_t, absl::string_view>> SplitNumber(absl::string_view text,
                                                                  absl::string_view what) {
  size_t i = 0;
  while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) ++i;
  int64_t n = 0;
  if (i == 0 || !absl::SimpleAtoi(text.substr(0, i), &n)) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a valid ", what));
  }
  return std::make_pair(n, text.substr(i));
}

}  // namespace

absl::StatusOr<absl::Duration> ParseTime(absl::string_view text) {
  auto split = SplitNumber(text, "time (expected a number with an optional unit us, ms, s, m, h or d)");
  if (!split.ok()) return split.status();
  auto [n, unit] = *split;
  if (unit.empty() || unit == "ms") return absl::Milliseconds(n);
  if (unit == "us") return absl::Microseconds(n);
  if (unit == "s") return absl::Seconds(n);
  if (unit == "m") return absl::Minutes(n);
  if (unit == "h") return absl::Hours(n);
  if (unit == "d") return absl::Hours(24 * n);
  return absl::InvalidArgumentError(absl::StrCat("unknown time unit '", unit, "' in '", text,
                                                 "' (expected us, ms, s, m, h or d)"));
}

absl::StatusOr<int64_t> ParseSize(absl::string_view text) {
  auto split = SplitNumber(text, "size (expected a number with an optional unit k, m or g)");
  if (!split.ok()) return split.status();
  auto [n, unit] = *split;
  std::string u = absl::AsciiStrToLower(unit);
  int64_t scale = 1;
  if (u == "k") scale = int64_t{1} << 10;
  else if (u == "m") scale = int64_t{1} << 20;
  else if (u == "g") scale = int64_t{1} << 30;
  else if (!u.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown size unit '", unit, "' in '", text,
                                                   "' (expected k, m or g)"));
  }
  if (n > std::numeric_limits<int64_t>::max() / scale) {
    return absl::InvalidArgumentError(absl::StrCat("size '", text, "' is too large"));
  }
  return n * scale;
}

std::string FormatTime(absl::Duration d) {
  int64_t us = absl::ToInt64Microseconds(d);
  if (us == 0) return "0";
  if (us % 1000 != 0) return absl::StrCat(us, "us");
  int64_t ms = us / 1000;
  if (ms % 86400000 == 0) return absl::StrCat(ms / 86400000, "d");
  if (ms % 3600000 == 0) return absl::StrCat(ms / 3600000, "h");
  if (ms % 60000 == 0) return absl::StrCat(ms / 60000, "m");
  if (ms % 1000 == 0) return absl::StrCat(ms / 1000, "s");
  return absl::StrCat(ms, "ms");
}

}  // namespace tender::config
