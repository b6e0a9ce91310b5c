// tender: flags -> configuration -> server. Command line as HAProxy's where they overlap:
//   -f FILE|DIR (repeatable), -c (check only), -d (debug), -v (version), --dump.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "discovery/remote/remote_discovery.h"
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
  bool external_discovery = false;
  // `tender discovery --admin ADDR [--admin-token-file F] -f FILE`
  bool discovery_process = false;
  std::string admin_address;
  std::string admin_token_file;
};

void Usage(FILE* out) {
  std::fprintf(out,
               "Usage: tender -f <cfgfile|cfgdir> [-f ...] [-c] [-d] [--dump] [--external-discovery] [-v]\n"
               "       tender discovery --admin ADDR [--admin-token-file F] -f <cfgfile|cfgdir> [-d]\n"
               "  -f FILE  load a configuration file, or every *.cfg in a directory (repeatable)\n"
               "  -c       check the configuration and exit (0: valid, 1: invalid)\n"
               "  -d       debug output\n"
               "  --dump   print the effective configuration (defaults applied) and exit\n"
               "  -v       print the version and exit\n"
               "  --external-discovery  leave server-template slots to a separate `tender discovery`\n"
               "  discovery  run only discovery, feeding the tender whose admin service is at ADDR\n");
}

// Returns -1 to go on, or an exit code.
int ParseFlags(int argc, char** argv, Flags* flags) {
  int first = 1;
  if (argc > 1 && std::string(argv[1]) == "discovery") {
    flags->discovery_process = true;
    first = 2;
  }
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (flags->discovery_process && (a == "--admin" || a == "--admin-token-file")) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "tender: '%s' needs a value\n", a.c_str());
        return 1;
      }
      (a == "--admin" ? flags->admin_address : flags->admin_token_file) = argv[++i];
    } else if (a == "discovery" && !flags->discovery_process) {
      flags->discovery_process = true;  // also accepted after -f, for scripts that append it
    } else if (a == "--external-discovery") {
      flags->external_discovery = true;
    } else if (a == "-f") {
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
  if (flags->discovery_process && flags->admin_address.empty()) {
    std::fprintf(stderr, "tender discovery: '--admin ADDR' is required\n");
    return 1;
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
  if (flags.discovery_process) {
    return tender::discovery::RunRemoteDiscovery(loaded->config,
                                                 {flags.admin_address, flags.admin_token_file});
  }
  return tender::RunServer(loaded->config, flags.files, flags.external_discovery);
}
