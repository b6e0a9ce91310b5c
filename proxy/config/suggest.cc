#include "proxy/config/suggest.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace tender::config {
namespace {

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string ClosestMatch(absl::string_view word, const std::vector<std::string>& candidates) {
  size_t best = std::max<size_t>(1, word.size() / 3) + 1;
  std::string match;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best) {
      best = d;
      match = c;
    }
  }
  return match;
}

std::string DidYouMean(absl::string_view word, const std::vector<std::string>& candidates) {
  std::string m = ClosestMatch(word, candidates);
  if (m.empty()) return "";
  return absl::StrCat(" (did you mean '", m, "'?)");
}

}  // namespace tender::config
