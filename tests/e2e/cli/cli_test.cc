// The command line, as HAProxy's where they overlap: -c, -v, -f (files and directories),
// --dump, and exit codes.
#include <sys/stat.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

std::string Tmp(const std::string& name) { return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name); }

std::string Write(const std::string& name, const std::string& text) {
  std::ofstream(Tmp(name)) << text;
  return Tmp(name);
}

TEST(CliTest, CheckValidConfig) {
  std::string out;
  EXPECT_EQ(RunCommand({"proxy/tender", "-c", "-f", "docs/examples/tcp-web-test.cfg"}, &out), 0);
  EXPECT_EQ(out, "Configuration file is valid\n");
}

TEST(CliTest, EverySeedExamplePassesCheck) {
  for (const char* f : {"http-roundrobin.cfg", "acl-routing.cfg", "tcp-listen-backup.cfg", "tcp-web-test.cfg",
                        "sni-routing.cfg"}) {
    std::string out;
    EXPECT_EQ(RunCommand({"proxy/tender", "-c", "-f", absl::StrCat("docs/examples/", f)}, &out), 0) << f << "\n" << out;
  }
}

TEST(CliTest, CheckInvalidConfigNamesFileLineColumnAndExitsOne) {
  std::string file = Write("bad.cfg", "backend b\n balance roundrobbin\n");
  std::string out;
  EXPECT_EQ(RunCommand({"proxy/tender", "-c", "-f", file}, &out), 1);
  EXPECT_EQ(out, absl::StrCat(file, ":2:10: 'balance': unknown algorithm 'roundrobbin' (expected roundrobin, static-rr, "
                              "leastconn, first, source, random, uri, hdr, url_param) (did you mean 'roundrobin'?)\n"
                              "Fatal errors found in configuration.\n"));
}

TEST(CliTest, WarningsArePrintedButTheConfigIsValid) {
  std::string file = Write("warn.cfg", "defaults\n timeout connect 1s\n timeout server 1s\nbackend lonely\n");
  std::string out;
  EXPECT_EQ(RunCommand({"proxy/tender", "-c", "-f", file}, &out), 0);
  EXPECT_NE(out.find("[WARNING] " + file + ":4:1: backend 'lonely' is not used by any frontend"), std::string::npos) << out;
  EXPECT_NE(out.find("Configuration file is valid"), std::string::npos);
}

TEST(CliTest, Version) {
  std::string out;
  EXPECT_EQ(RunCommand({"proxy/tender", "-v"}, &out), 0);
  EXPECT_EQ(out, "tender version 0.1.0\n");
}

TEST(CliTest, UsageErrors) {
  std::string out;
  EXPECT_EQ(RunCommand({"proxy/tender"}, &out), 1);
  EXPECT_NE(out.find("no configuration file given"), std::string::npos);
  EXPECT_EQ(RunCommand({"proxy/tender", "-x"}, &out), 1);
  EXPECT_NE(out.find("unknown option '-x'"), std::string::npos);
  EXPECT_EQ(RunCommand({"proxy/tender", "-c", "-f", "/nonexistent.cfg"}, &out), 1);
  EXPECT_NE(out.find("/nonexistent.cfg: cannot open configuration file: No such file or directory"), std::string::npos);
}

TEST(CliTest, SeveralFilesAndADirectory) {
  std::string dir = Tmp("conf.d");
  mkdir(dir.c_str(), 0755);
  std::ofstream(dir + "/10-defaults.cfg") << "defaults\n mode tcp\n timeout connect 1s\n timeout client 1s\n timeout server 1s\n";
  std::ofstream(dir + "/20-web.cfg") << "listen web\n bind 127.0.0.1:1\n server s 127.0.0.1:2\n";
  std::ofstream(dir + "/README") << "not a cfg file: ignored\n";
  std::string global = Write("global.cfg", "global\n nbthread 2\n");
  std::string out;
  EXPECT_EQ(RunCommand({"proxy/tender", "--dump", "-f", global, "-f", dir}, &out), 0) << out;
  EXPECT_NE(out.find("    nbthread 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("listen web\n    mode tcp\n"), std::string::npos) << out;
  EXPECT_NE(out.find("    timeout connect 1s\n"), std::string::npos) << out;  // from 10-defaults.cfg
}

TEST(CliTest, DumpParsesBackToTheSameDump) {
  std::string out;
  // stdout only: warnings go to stderr.
  ASSERT_EQ(RunCommand({"proxy/tender", "--dump", "-f", "tests/unit/config/testdata/everything.cfg"}, &out, false), 0)
      << out;
  std::string dumped = Write("dumped.cfg", out);
  std::string again;
  ASSERT_EQ(RunCommand({"proxy/tender", "--dump", "-f", dumped}, &again, false), 0) << again;
  EXPECT_EQ(again, out);
}

}  // namespace
}  // namespace tender::testing
