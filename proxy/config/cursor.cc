#include "proxy/config/cursor.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "proxy/config/units.h"

namespace tender::config {

const std::string& Cursor::keyword() const {
  return keyword_.empty() ? line_.words[0].text : keyword_;
}

std::string Cursor::Prefix(int column) const {
  return absl::StrCat(line_.file, ":", line_.number, ":", column, ": '", keyword(), "': ");
}

bool Cursor::FailAt(const Word& w, absl::string_view message) {
  diag_.errors.push_back(absl::StrCat(Prefix(w.column), message));
  return false;
}

bool Cursor::Fail(absl::string_view message) {
  if (!AtEnd()) return FailAt(*Peek(), message);
  const Word& last = line_.words.back();
  Word end{"", last.column + static_cast<int>(last.text.size())};
  return FailAt(end, message);
}

void Cursor::WarnAt(const Word& w, absl::string_view message) {
  diag_.warnings.push_back(absl::StrCat(Prefix(w.column), message));
}

void Cursor::Warn(absl::string_view message) { WarnAt(line_.words[0], message); }

bool Cursor::TakeString(absl::string_view what, std::string* out) {
  if (AtEnd()) return Fail(absl::StrCat("missing argument: expected ", what));
  *out = Take().text;
  return true;
}

bool Cursor::TakeInt(absl::string_view what, int min, int max, int* out) {
  if (AtEnd()) return Fail(absl::StrCat("missing argument: expected ", what));
  const Word& w = Take();
  int v = 0;
  if (!absl::SimpleAtoi(w.text, &v) || v < min || v > max) {
    return FailAt(w, absl::StrCat("'", w.text, "' is not a valid ", what, " (expected an integer from ",
                                  min, " to ", max, ")"));
  }
  *out = v;
  return true;
}

bool Cursor::TakeTime(absl::string_view what, absl::Duration* out) {
  if (AtEnd()) {
    return Fail(absl::StrCat("missing argument: expected ", what,
                             " (a number of milliseconds, or with a unit us, ms, s, m, h, d)"));
  }
  const Word& w = Take();
  absl::StatusOr<absl::Duration> d = ParseTime(w.text);
  if (!d.ok()) return FailAt(w, d.status().message());
  *out = *d;
  return true;
}

bool Cursor::ExpectEnd() {
  if (AtEnd()) return true;
  return Fail(absl::StrCat("unexpected argument '", Peek()->text, "'"));
}

}  // namespace tender::config
