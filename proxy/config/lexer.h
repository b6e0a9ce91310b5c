// Splits haproxy.cfg text into lines of words, exactly as HAProxy does: `#` comments,
// backslash escapes (\ , \#, \\, \', \", \t, \n, \r, \xHH), weak "..." quoting with
// $NAME / ${NAME} / ${NAME-default} environment expansion, strong '...' quoting with no
// interpretation, and concatenation of adjacent pieces into one word.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tender::config {

struct Word {
  std::string text;
  int column = 0;  // 1-based column where the word starts
};

struct Line {
  std::string file;
  int number = 0;  // 1-based
  std::vector<Word> words;
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
EnvLookup ProcessEnv();

// Returns the non-empty lines of `text`. An error names file:line:column and what is wrong
// (an unterminated quote, a bad escape). `warnings` receives a line per unset variable,
// which expands to nothing as in HAProxy.
absl::StatusOr<std::vector<Line>> Lex(absl::string_view file, absl::string_view text,
                                      const EnvLookup& env, std::vector<std::string>* warnings);

}  // namespace tender::config
