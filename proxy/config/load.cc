// Reading configuration files and directories for `tender -f`.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "proxy/config/parser.h"

namespace tender::config {
namespace {

absl::Status ReadFile(const std::string& path, std::vector<SourceText>* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open configuration file: ", strerror(errno)));
  std::stringstream ss;
  ss << in.rdbuf();
  out->push_back(SourceText{path, ss.str()});
  return absl::OkStatus();
}

// A directory contributes its regular *.cfg files in lexical order, as HAProxy does.
absl::Status ReadDirectory(const std::string& dir, std::vector<SourceText>* out) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return absl::NotFoundError(absl::StrCat(dir, ": cannot open directory: ", strerror(errno)));
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (absl::EndsWith(name, ".cfg") && name[0] != '.') names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string path = absl::StrCat(dir, "/", name);
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      absl::Status s = ReadFile(path, out);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ParseOutput> LoadConfigFiles(const std::vector<std::string>& paths, const EnvLookup& env) {
  if (paths.empty()) return absl::InvalidArgumentError("no configuration file given (use -f FILE)");
  std::vector<SourceText> sources;
  for (const std::string& path : paths) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      return absl::NotFoundError(absl::StrCat(path, ": cannot open configuration file: ", strerror(errno)));
    }
    absl::Status s = S_ISDIR(st.st_mode) ? ReadDirectory(path, &sources) : ReadFile(path, &sources);
    if (!s.ok()) return s;
  }
  return ParseTexts(sources, env);
}

}  // namespace tender::config
