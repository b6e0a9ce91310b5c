#include "proxy/config/lexer.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tender::config {
namespace {

bool IsVarChar(char c, bool first) {
  return c == '_' || absl::ascii_isalpha(static_cast<unsigned char>(c)) ||
         (!first && absl::ascii_isdigit(static_cast<unsigned char>(c)));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(static_cast<unsigned char>(c));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Lexes one physical line. Kept as a class so each state transition is a short method.
class LineLexer {
 public:
  LineLexer(absl::string_view file, int number, absl::string_view text, const EnvLookup& env,
            std::vector<std::string>* warnings)
      : file_(file), number_(number), text_(text), env_(env), warnings_(warnings) {}

  absl::StatusOr<std::vector<Word>> Run() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r') {
        EndWord();
        ++pos_;
      } else if (c == '#') {
        break;
      } else {
        if (!in_word_) StartWord();
        absl::Status s = Piece();
        if (!s.ok()) return s;
      }
    }
    EndWord();
    return std::move(words_);
  }

 private:
  absl::Status Error(size_t at, absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_, ":", number_, ":", at + 1, ": ", what));
  }

  void StartWord() {
    in_word_ = true;
    current_ = Word{"", static_cast<int>(pos_) + 1};
  }
  void EndWord() {
    if (in_word_) words_.push_back(std::move(current_));
    in_word_ = false;
  }

  // One unquoted character, escape, or quoted run.
  absl::Status Piece() {
    char c = text_[pos_];
    if (c == '\\') return Escape(/*in_double_quotes=*/false);
    if (c == '\'') return StrongQuoted();
    if (c == '"') return WeakQuoted();
    current_.text.push_back(c);
    ++pos_;
    return absl::OkStatus();
  }

  absl::Status Escape(bool in_double_quotes) {
    size_t at = pos_;
    if (pos_ + 1 >= text_.size()) return Error(at, "a backslash ends the line; nothing to escape");
    char n = text_[pos_ + 1];
    pos_ += 2;
    switch (n) {
      case ' ': case '#': case '\\': case '\'': case '"': current_.text.push_back(n); return absl::OkStatus();
      case '$':
        if (in_double_quotes) { current_.text.push_back('$'); return absl::OkStatus(); }
        break;
      case 't': current_.text.push_back('\t'); return absl::OkStatus();
      case 'n': current_.text.push_back('\n'); return absl::OkStatus();
      case 'r': current_.text.push_back('\r'); return absl::OkStatus();
      case 'x': {
        if (pos_ + 2 > text_.size() || HexValue(text_[pos_]) < 0 || HexValue(text_[pos_ + 1]) < 0) {
          return Error(at, "'\\x' must be followed by two hexadecimal digits");
        }
        current_.text.push_back(static_cast<char>(HexValue(text_[pos_]) * 16 + HexValue(text_[pos_ + 1])));
        pos_ += 2;
        return absl::OkStatus();
      }
      default: break;
    }
    // HAProxy keeps an unknown escape as written (regexes such as \d rely on it).
    current_.text.push_back('\\');
    current_.text.push_back(n);
    return absl::OkStatus();
  }

  absl::Status StrongQuoted() {
    size_t open = pos_++;
    size_t close = text_.find('\'', pos_);
    if (close == absl::string_view::npos) return Error(open, "unterminated single quote");
    current_.text.append(text_.data() + pos_, close - pos_);
    pos_ = close + 1;
    return absl::OkStatus();
  }

  absl::Status WeakQuoted() {
    size_t open = pos_++;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '"') { ++pos_; return absl::OkStatus(); }
      if (c == '\\') {
        absl::Status s = Escape(/*in_double_quotes=*/true);
        if (!s.ok()) return s;
      } else if (c == '$') {
        absl::Status s = Variable();
        if (!s.ok()) return s;
      } else {
        current_.text.push_back(c);
        ++pos_;
      }
    }
    return Error(open, "unterminated double quote");
  }

  // At '$' inside double quotes: $NAME, ${NAME} or ${NAME-default}.
  absl::Status Variable() {
    size_t at = pos_++;
    bool braced = pos_ < text_.size() && text_[pos_] == '{';
    if (braced) ++pos_;
    size_t name_start = pos_;
    while (pos_ < text_.size() && IsVarChar(text_[pos_], pos_ == name_start)) ++pos_;
    std::string name(text_.substr(name_start, pos_ - name_start));
    if (name.empty()) {
      if (braced) return Error(at, "'${' must be followed by a variable name");
      current_.text.push_back('$');  // a lone dollar stays as written
      return absl::OkStatus();
    }
    std::optional<std::string> fallback;
    if (braced) {
      if (pos_ < text_.size() && text_[pos_] == '-') {
        size_t end = text_.find('}', pos_);
        if (end == absl::string_view::npos) return Error(at, "unterminated '${'");
        fallback = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
        pos_ = end;
      }
      if (pos_ >= text_.size() || text_[pos_] != '}') {
        return Error(at, absl::StrCat("'${", name, "' is not closed by '}'"));
      }
      ++pos_;
    }
    std::optional<std::string> value = env_(name);
    if (!value.has_value()) {
      if (fallback.has_value()) {
        value = fallback;
      } else {
        warnings_->push_back(absl::StrCat(file_, ":", number_, ":", at + 1,
                                          ": environment variable '", name,
                                          "' is not set; it expands to an empty string"));
        value = "";
      }
    }
    current_.text.append(*value);
    return absl::OkStatus();
  }

  absl::string_view file_;
  int number_;
  absl::string_view text_;
  const EnvLookup& env_;
  std::vector<std::string>* warnings_;
  size_t pos_ = 0;
  bool in_word_ = false;
  Word current_;
  std::vector<Word> words_;
};

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

absl::StatusOr<std::vector<Line>> Lex(absl::string_view file, absl::string_view text,
                                      const EnvLookup& env, std::vector<std::string>* warnings) {
  std::vector<Line> lines;
  int number = 0;
  for (absl::string_view physical : absl::StrSplit(text, '\n')) {
    ++number;
    LineLexer lexer(file, number, physical, env, warnings);
    absl::StatusOr<std::vector<Word>> words = lexer.Run();
    if (!words.ok()) return words.status();
    if (words->empty()) continue;
    lines.push_back(Line{std::string(file), number, std::move(*words)});
  }
  return lines;
}

}  // namespace tender::config
