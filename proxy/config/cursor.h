// Internal to the parser: walks the words of one line and reports errors that name
// file:line:column and the keyword being parsed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "proxy/config/config.h"
#include "proxy/config/lexer.h"

namespace tender::config {

struct Diagnostics {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

class Cursor {
 public:
  Cursor(const Line& line, Diagnostics& diag) : line_(line), diag_(diag) {}

  const Line& line() const { return line_; }
  Diagnostics& diag() const { return diag_; }
  // The keyword as shown in messages, e.g. "timeout connect". Defaults to the first word.
  void set_keyword(std::string keyword) { keyword_ = std::move(keyword); }
  const std::string& keyword() const;

  bool AtEnd() const { return pos_ >= line_.words.size(); }
  const Word* Peek() const { return AtEnd() ? nullptr : &line_.words[pos_]; }
  bool PeekIs(absl::string_view text) const { return !AtEnd() && Peek()->text == text; }
  const Word& Take() { return line_.words[pos_++]; }
  size_t position() const { return pos_; }

  SourceLocation Where() const { return WhereOf(line_.words[0]); }
  SourceLocation WhereOf(const Word& w) const { return {line_.file, line_.number, w.column}; }

  // Record an error at `w` (or at the current word, or at the line's end) and return false.
  bool FailAt(const Word& w, absl::string_view message);
  bool Fail(absl::string_view message);
  void WarnAt(const Word& w, absl::string_view message);
  void Warn(absl::string_view message);

  // Typed readers: on a missing or bad argument they record "expected <what>" and return
  // false.
  bool TakeString(absl::string_view what, std::string* out);
  bool TakeInt(absl::string_view what, int min, int max, int* out);
  bool TakeTime(absl::string_view what, absl::Duration* out);
  // Fails on the first word left, naming it as unexpected.
  bool ExpectEnd();

 private:
  std::string Prefix(int column) const;

  const Line& line_;
  Diagnostics& diag_;
  size_t pos_ = 1;  // words_[0] is the keyword itself
  std::string keyword_;
};

}  // namespace tender::config
