// "Did you mean ...?" for misspelt keywords and names.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace tender::config {

// The candidate closest to `word` by edit distance, if it is close enough to be a likely
// typo (distance at most a third of the word's length, and at least 1); "" otherwise.
std::string ClosestMatch(absl::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'X'?)" or "".
std::string DidYouMean(absl::string_view word, const std::vector<std::string>& candidates);

}  // namespace tender::config
