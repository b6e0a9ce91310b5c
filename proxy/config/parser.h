// haproxy.cfg text -> Config. The parser fills plain structs and never touches sockets;
// LoadConfigFiles adds reading files and directories; Validate (validate.h) checks
// cross-references. Every error names file:line:column and the keyword.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proxy/config/config.h"
#include "proxy/config/lexer.h"

namespace tender::config {

struct ParseOutput {
  Config config;
  std::vector<std::string> warnings;
};

// Parses several files' texts as one configuration, in order (sections may not span
// files, as in HAProxy). All errors found are reported together, one per line.
struct SourceText {
  std::string name;
  std::string text;
};
absl::StatusOr<ParseOutput> ParseTexts(const std::vector<SourceText>& sources,
                                       const EnvLookup& env);

// Convenience for one text.
absl::StatusOr<ParseOutput> ParseText(absl::string_view name, absl::string_view text,
                                      const EnvLookup& env);

// Reads each path (a directory contributes its *.cfg files in lexical order), parses and
// validates. This is what `tender -f` and reloads use.
absl::StatusOr<ParseOutput> LoadConfigFiles(const std::vector<std::string>& paths,
                                            const EnvLookup& env);

}  // namespace tender::config
