// tender: flags -> configuration -> server. Command line as HAProxy's where they overlap:
//   -f FILE|DIR (repeatable), -c (check only), -d (debug), -v (version), --dump.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "proxy/common/log.h"
#include "proxy/config/dump.h"
#include "proxy/config/parser.h"
#include "proxy/server/server.h"
#include "proxy/version.h"

namespace {

struct Flags {
  std::vector<std::string> files;
  bool check_only = false;
  bool debug = false;
  bool dump = false;
};

void Usage(FILE* out) {
  std::fprintf(out,
               "Usage: tender -f <cfgfile|cfgdir> [-f ...] [-c] [-d] [--dump] [-v]\n"
               "  -f FILE  load a configuration file, or every *.cfg in a directory (repeatable)\n"
               "  -c       check the configuration and exit (0: valid, 1: invalid)\n"
               "  -d       debug output\n"
               "  --dump   print the effective configuration (defaults applied) and exit\n"
               "  -v       print the version and exit\n");
}

// Returns -1 to go on, or an exit code.
int ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-f") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "tender: '-f' needs a file or directory\n");
        return 1;
      }
      flags->files.push_back(argv[++i]);
    } else if (a == "-c") {
      flags->check_only = true;
    } else if (a == "-d" || a == "-db") {
      flags->debug = true;
    } else if (a == "--dump") {
      flags->dump = true;
    } else if (a == "-v" || a == "-vv" || a == "--version") {
      std::printf("tender version %s\n", tender::kVersion);
      return 0;
    } else if (a == "-h" || a == "--help") {
      Usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "tender: unknown option '%s'\n", a.c_str());
      Usage(stderr);
      return 1;
    }
  }
  if (flags->files.empty()) {
    std::fprintf(stderr, "tender: no configuration file given\n");
    Usage(stderr);
    return 1;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  int rc = ParseFlags(argc, argv, &flags);
  if (rc >= 0) return rc;
  if (flags.debug) tender::SetLogLevel(tender::LogLevel::kDebug);

  auto loaded = tender::config::LoadConfigFiles(flags.files, tender::config::ProcessEnv());
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
    std::fprintf(stderr, "Fatal errors found in configuration.\n");
    return 1;
  }
  for (const std::string& w : loaded->warnings) std::fprintf(stderr, "[WARNING] %s\n", w.c_str());
  if (flags.dump) {
    std::fputs(tender::config::Dump(loaded->config).c_str(), stdout);
    return 0;
  }
  if (flags.check_only) {
    std::printf("Configuration file is valid\n");
    return 0;
  }
  return tender::RunServer(loaded->config, flags.files);
}
