// Bearer tokens for the admin service: an admin token (every RPC) and a read-only token
// (read RPCs), each read from a file at start. Comparisons run in constant time.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tender {

enum class AdminRole { kNone, kRead, kAdmin };

class TokenAuth {
 public:
  // Empty paths: that token is not configured. With no token at all, every caller is
  // an admin (the service then listens on loopback or a UNIX socket only by default).
  static absl::StatusOr<TokenAuth> Load(const std::string& admin_token_file, const std::string& read_token_file);

  bool enabled() const { return admin_token_.has_value() || read_token_.has_value(); }
  // The role the `authorization` metadata value grants.
  AdminRole RoleFor(absl::string_view authorization) const;

 private:
  std::optional<std::string> admin_token_;
  std::optional<std::string> read_token_;
};

// Equal strings, in time that depends only on their lengths.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace tender
