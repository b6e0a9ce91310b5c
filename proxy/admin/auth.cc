#include "proxy/admin/auth.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"

namespace tender {
namespace {

absl::StatusOr<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("admin token file '", path, "': cannot open it"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(ss.str()));
  if (token.size() < 16) {
    return absl::InvalidArgumentError(absl::StrCat("admin token file '", path, "': the token must be at least 16 characters"));
  }
  return token;
}

}  // namespace

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  // Always walk the expected length, so that timing does not reveal a matching prefix.
  for (size_t i = 0; i < b.size(); ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    diff |= x ^ static_cast<unsigned char>(b[i]);
  }
  return diff == 0;
}

absl::StatusOr<TokenAuth> TokenAuth::Load(const std::string& admin_token_file, const std::string& read_token_file) {
  TokenAuth auth;
  if (!admin_token_file.empty()) {
    auto t = ReadToken(admin_token_file);
    if (!t.ok()) return t.status();
    auth.admin_token_ = *t;
  }
  if (!read_token_file.empty()) {
    auto t = ReadToken(read_token_file);
    if (!t.ok()) return t.status();
    auth.read_token_ = *t;
  }
  return auth;
}

AdminRole TokenAuth::RoleFor(absl::string_view authorization) const {
  if (!enabled()) return AdminRole::kAdmin;
  absl::string_view token = authorization;
  if (!absl::ConsumePrefix(&token, "Bearer ") && !absl::ConsumePrefix(&token, "bearer ")) return AdminRole::kNone;
  // Both comparisons always run, so the time does not tell which token matched.
  bool admin = admin_token_ && ConstantTimeEquals(token, *admin_token_);
  bool read = read_token_ && ConstantTimeEquals(token, *read_token_);
  if (admin) return AdminRole::kAdmin;
  if (read) return AdminRole::kRead;
  return AdminRole::kNone;
}

}  // namespace tender
