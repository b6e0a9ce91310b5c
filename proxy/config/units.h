// HAProxy's number formats: times ("5000", "5s", "1m", "250us"; a bare number is
// milliseconds) and sizes ("16384", "16k", "1m", "1g").
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tender::config {

absl::StatusOr<absl::Duration> ParseTime(absl::string_view text);
absl::StatusOr<int64_t> ParseSize(absl::string_view text);
// The canonical spelling ParseTime reads back: "5s", "250ms", "10us", "0".
std::string FormatTime(absl::Duration d);

}  // namespace tender::config
