#pragma once

namespace tender {
inline constexpr char kVersion[] = "0.1.0";
}  // namespace tender
