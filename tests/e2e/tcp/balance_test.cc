// Balancing through the real binary: which server answers each new connection.
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

using Behaviour = TestServer::Behaviour;

std::string Config(int port, const std::string& backend_body) {
  return absl::StrCat(
      "global\n nbthread 1\n"
      "defaults\n mode tcp\n timeout connect 2s\n timeout client 10s\n timeout server 10s\n"
      "frontend fe\n bind 127.0.0.1:", port, "\n default_backend be\n"
      "backend be\n", backend_body);
}

std::string ServerLine(const TestServer& s, const std::string& params = "") {
  return absl::StrCat(" server ", s.name(), " 127.0.0.1:", s.port(), " ", params, "\n");
}

TEST(BalanceTest, RoundRobinVisitsServersInOrder) {
  TestServer a("a", Behaviour::kSendName), b("b", Behaviour::kSendName), c("c", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, " balance roundrobin\n" + ServerLine(a) + ServerLine(b) + ServerLine(c))))
      << tender.output();
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(FetchName(port), std::string(1, "abc"[i % 3])) << "connection " << i;
  }
  EXPECT_EQ(a.connections(), 100);
  EXPECT_EQ(b.connections(), 100);
  EXPECT_EQ(c.connections(), 100);
}

TEST(BalanceTest, WeightsAreExactOverACycleAndSmooth) {
  TestServer a("a", Behaviour::kSendName), b("b", Behaviour::kSendName), c("c", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, " balance roundrobin\n" + ServerLine(a, "weight 1") +
                                            ServerLine(b, "weight 2") + ServerLine(c, "weight 3"))))
      << tender.output();
  std::map<std::string, int> counts;
  std::string previous;
  int run = 0, longest_c_run = 0;
  for (int i = 0; i < 60; ++i) {
    std::string name = FetchName(port);
    counts[name]++;
    run = name == previous ? run + 1 : 1;
    previous = name;
    if (name == "c") longest_c_run = std::max(longest_c_run, run);
  }
  EXPECT_EQ(counts["a"], 10);
  EXPECT_EQ(counts["b"], 20);
  EXPECT_EQ(counts["c"], 30);
  // Smooth: the heaviest server never gets its whole share in one burst.
  EXPECT_LE(longest_c_run, 2);
}

TEST(BalanceTest, LeastConnAvoidsServersHoldingConnections) {
  TestServer a("a", Behaviour::kHold), b("b", Behaviour::kHold);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, " balance leastconn\n" + ServerLine(a) + ServerLine(b)))) << tender.output();
  // Three held connections spread 2/1 (ties go round robin) ...
  std::vector<int> held;
  std::map<std::string, int> counts;
  for (int i = 0; i < 3; ++i) {
    int fd = ConnectTo(port);
    counts[ReadLine(fd)]++;
    held.push_back(fd);
  }
  EXPECT_EQ(counts["a"] + counts["b"], 3);
  std::string lighter = counts["a"] < counts["b"] ? "a" : "b";
  // ... so the next connection goes to the lighter server.
  int fd = ConnectTo(port);
  EXPECT_EQ(ReadLine(fd), lighter);
  close(fd);
  for (int h : held) close(h);
}

TEST(BalanceTest, SourceHashSticksAClient) {
  TestServer a("a", Behaviour::kSendName), b("b", Behaviour::kSendName), c("c", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, " balance source\n" + ServerLine(a) + ServerLine(b) + ServerLine(c))))
      << tender.output();
  std::string first = FetchName(port);
  ASSERT_FALSE(first.empty());
  for (int i = 0; i < 30; ++i) EXPECT_EQ(FetchName(port), first);
}

TEST(BalanceTest, BackupTakesOverOnlyWhenNoActiveServerIsUsable) {
  TestServer backup("backup", Behaviour::kSendName), active("active", Behaviour::kSendName);
  int port = FreePort();
  {
    TenderProcess tender;
    ASSERT_TRUE(tender.Start(Config(port, ServerLine(active) + ServerLine(backup, "backup")))) << tender.output();
    for (int i = 0; i < 5; ++i) EXPECT_EQ(FetchName(port), "active");
  }
  {
    // The only active server is in maintenance: the backup serves.
    TenderProcess tender;
    ASSERT_TRUE(tender.Start(Config(port, ServerLine(active, "disabled") + ServerLine(backup, "backup"))))
        << tender.output();
    for (int i = 0; i < 5; ++i) EXPECT_EQ(FetchName(port), "backup");
  }
}

TEST(BalanceTest, OnlyTheFirstBackupServesUnlessAllBackups) {
  TestServer b1("b1", Behaviour::kSendName), b2("b2", Behaviour::kSendName), active("active", Behaviour::kSendName);
  std::string servers = ServerLine(active, "disabled") + ServerLine(b1, "backup") + ServerLine(b2, "backup");
  int port = FreePort();
  {
    TenderProcess tender;
    ASSERT_TRUE(tender.Start(Config(port, servers))) << tender.output();
    for (int i = 0; i < 4; ++i) EXPECT_EQ(FetchName(port), "b1");
  }
  {
    TenderProcess tender;
    ASSERT_TRUE(tender.Start(Config(port, " option allbackups\n" + servers))) << tender.output();
    std::map<std::string, int> counts;
    for (int i = 0; i < 4; ++i) counts[FetchName(port)]++;
    EXPECT_EQ(counts["b1"], 2);
    EXPECT_EQ(counts["b2"], 2);
  }
}

TEST(BalanceTest, RedispatchMovesARefusedConnectionToAnotherServer) {
  TestServer good("good", Behaviour::kSendName);
  int dead_port = FreePort();  // nothing listens there: connections are refused
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, absl::StrCat(" retries 2\n option redispatch\n server dead 127.0.0.1:",
                                                     dead_port, "\n") + ServerLine(good))))
      << tender.output();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(FetchName(port), "good") << "connection " << i;
}

TEST(BalanceTest, WithoutRedispatchARefusingServerFailsItsClients) {
  TestServer good("good", Behaviour::kSendName);
  int dead_port = FreePort();
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, absl::StrCat(" retries 1\n server dead 127.0.0.1:", dead_port, "\n") +
                                            ServerLine(good))))
      << tender.output();
  std::map<std::string, int> counts;
  for (int i = 0; i < 10; ++i) counts[FetchName(port)]++;
  EXPECT_EQ(counts["good"], 5);
  EXPECT_EQ(counts[""], 5);  // closed without an answer
}

TEST(BalanceTest, NoUsableServerClosesTheClientAfterTimeoutQueue) {
  TestServer a("a", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, " timeout queue 100ms\n" + ServerLine(a, "disabled")), {"-d"}))
      << tender.output();
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(tender.WaitForOutput("queued for backend be"));  // waits, then gives up
  EXPECT_TRUE(WaitForClose(fd));
  close(fd);
  EXPECT_EQ(a.connections(), 0);
}

}  // namespace
}  // namespace tender::testing
