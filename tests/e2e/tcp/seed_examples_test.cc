// The seed tutorials' TCP configurations from docs/examples, run as written except that
// their addresses are moved onto this machine's loopback.
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

using Behaviour = TestServer::Behaviour;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(SeedExamplesTest, TcpWebTestBalancesRoundRobinOverItsThreeServers) {
  TestServer s1("server1", Behaviour::kSendName), s2("server2", Behaviour::kSendName),
      s3("server3", Behaviour::kSendName);
  int port = FreePort();
  std::string config = absl::StrReplaceAll(
      ReadFile("docs/examples/tcp-web-test.cfg"),
      {{"bind *:80", absl::StrCat("bind 127.0.0.1:", port)},
       {"192.168.1.31:80", absl::StrCat("127.0.0.1:", s1.port())},
       {"192.168.1.32:80", absl::StrCat("127.0.0.1:", s2.port())},
       {"192.168.1.33:80", absl::StrCat("127.0.0.1:", s3.port())}});
  // One worker, so that "in turn" is one rotation (with several, each worker rotates).
  config = "global\n    nbthread 1\n" + config;
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(config)) << tender.output();
  for (int round = 0; round < 10; ++round) {
    EXPECT_EQ(FetchName(port), "server1");
    EXPECT_EQ(FetchName(port), "server2");
    EXPECT_EQ(FetchName(port), "server3");
  }
}

TEST(SeedExamplesTest, TheTutorialsOwnBackendNameMismatchIsRefused) {
  int port = FreePort();
  std::string config = absl::StrReplaceAll(ReadFile("tests/unit/config/testdata/tcp-web-test-mismatch.cfg"),
                                           {{"bind *:80", absl::StrCat("bind 127.0.0.1:", port)}});
  TenderProcess tender;
  EXPECT_FALSE(tender.Start(config));
  EXPECT_NE(tender.output().find("refers to backend 'web-test', which does not exist (did you mean 'web_test'?)"),
            std::string::npos)
      << tender.output();
}

}  // namespace
}  // namespace tender::testing
