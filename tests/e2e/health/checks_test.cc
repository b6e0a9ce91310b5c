// Active and passive health checks through the real binary against real sockets.
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

using Behaviour = TestServer::Behaviour;

constexpr char kDefaults[] =
    "global\n nbthread 1\n"
    "defaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n";

// Occurrences of `needle` in `haystack`.
int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

std::string Between(const std::string& text, const std::string& from, const std::string& to) {
  size_t a = text.find(from);
  if (a == std::string::npos) return "";
  size_t b = text.find(to, a);
  return text.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

TEST(ChecksTest, DownAfterExactlyFallFailuresUpAfterExactlyRiseSuccesses) {
  auto server = std::make_unique<TestServer>("s", Behaviour::kSendName);
  int server_port = server->port();
  TestServer other("other", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(kDefaults, "listen svc\n bind 127.0.0.1:", port, "\n",
                                        " server s 127.0.0.1:", server_port, " check inter 50ms fall 3 rise 2 init-state fully-up\n",
                                        " server other 127.0.0.1:", other.port(), "\n"),
                           {"-d"}))
      << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("Health check for server svc/s succeeded"));
  server.reset();  // refused from now on
  ASSERT_TRUE(tender.WaitForOutput("Server svc/s is DOWN")) << tender.output();
  std::string out = tender.output();
  // Exactly `fall` failed checks, the last of which is the transition.
  std::string going_down = Between(out, "Health check for server svc/s failed", "Server svc/s is DOWN");
  EXPECT_EQ(Count(going_down, "Health check for server svc/s failed"), 3) << going_down;
  EXPECT_NE(out.find("Server svc/s is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", "
                     "check duration: "),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("ms. 1 active and 0 backup servers left."), std::string::npos) << out;
  // While it is down, every connection goes to the other server.
  for (int i = 0; i < 6; ++i) EXPECT_EQ(FetchName(port), "other");

  TestServer back("s", Behaviour::kSendName, server_port);
  ASSERT_TRUE(tender.WaitForOutput("Server svc/s is UP")) << tender.output();
  out = tender.output();
  std::string coming_up = Between(out.substr(out.find("Server svc/s is DOWN")), "Health check for server svc/s succeeded",
                                  "Server svc/s is UP");
  EXPECT_EQ(Count(coming_up, "Health check for server svc/s succeeded"), 2) << coming_up;
  EXPECT_NE(out.find("Server svc/s is UP, reason: Layer4 check passed, check duration: "), std::string::npos) << out;
  std::map<std::string, int> counts;
  for (int i = 0; i < 6; ++i) counts[FetchName(port)]++;
  EXPECT_EQ(counts["s"], 3);
  EXPECT_EQ(counts["other"], 3);
}

TEST(ChecksTest, HttpCheckSeesA500ThatATcpCheckCannot) {
  TestServer web("web", Behaviour::kHttp);
  web.SetHttpResponse(500, "Internal Server Error", "broken\n");
  int port = FreePort(), port2 = FreePort();
  TenderProcess with_httpchk, with_tcp;
  ASSERT_TRUE(with_httpchk.Start(absl::StrCat(kDefaults, "listen svc\n bind 127.0.0.1:", port,
                                              "\n option httpchk GET /health\n server web 127.0.0.1:", web.port(),
                                              " check inter 50ms fall 1 rise 1\n")))
      << with_httpchk.output();
  ASSERT_TRUE(with_tcp.Start(absl::StrCat(kDefaults, "listen svc\n bind 127.0.0.1:", port2,
                                          "\n server web 127.0.0.1:", web.port(), " check inter 50ms fall 1 rise 1\n"),
                             {"-d"}))
      << with_tcp.output();
  ASSERT_TRUE(with_httpchk.WaitForOutput("Server svc/web is DOWN, reason: Layer7 wrong status, code: 500, info: "
                                         "\"Internal Server Error\""))
      << with_httpchk.output();
  ASSERT_TRUE(with_tcp.WaitForOutput("Health check for server svc/web succeeded, reason: Layer4 check passed"));
  EXPECT_EQ(with_tcp.output().find("is DOWN"), std::string::npos);
  web.SetHttpResponse(200, "OK", "fine\n");
  EXPECT_TRUE(with_httpchk.WaitForOutput("Server svc/web is UP, reason: Layer7 check passed, code: 200"))
      << with_httpchk.output();
}

struct ExpectCase {
  const char* rule;
  int status;
  const char* body;
  bool up;
};

TEST(ChecksTest, HttpCheckExpectVariants) {
  const ExpectCase cases[] = {
      {"http-check expect status 204", 204, "", true},
      {"http-check expect status 204", 200, "", false},
      {"http-check expect rstatus ^3", 302, "", true},
      {"http-check expect rstatus ^3", 200, "", false},
      {"http-check expect string ready", 200, "ready\n", true},
      {"http-check expect string ready", 200, "busy\n", false},
      {"http-check expect rstring \"^v[0-9]+ ok$\"", 200, "v12 ok", true},
      {"http-check expect rstring \"^v[0-9]+ ok$\"", 200, "v12 degraded", false},
      {"http-check expect ! string maintenance", 200, "all good", true},
  };
  for (const ExpectCase& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.rule, " / ", c.status, " ", c.body));
    TestServer web("web", Behaviour::kHttp);
    web.SetHttpResponse(c.status, "Whatever", c.body);
    int port = FreePort();
    TenderProcess tender;
    // init-state down: the first check decides, one way or the other.
    ASSERT_TRUE(tender.Start(absl::StrCat(kDefaults, "listen svc\n bind 127.0.0.1:", port,
                                          "\n option httpchk GET /\n ", c.rule, "\n server web 127.0.0.1:", web.port(),
                                          " check inter 50ms fall 1 rise 1 init-state down\n"),
                             {"-d"}))
        << tender.output();
    ASSERT_TRUE(tender.WaitForOutput("Health check for server svc/web")) << tender.output();
    std::string out = tender.output();
    EXPECT_EQ(out.find("Health check for server svc/web succeeded") != std::string::npos, c.up) << out;
  }
}

TEST(ChecksTest, BackupTakesOverAndGivesBack) {
  // The seed tutorial's `listen speapp`: app2 is a backup for app1.
  auto app1 = std::make_unique<TestServer>("app1", Behaviour::kSendName);
  int app1_port = app1->port();
  TestServer app2("app2", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n"
      "defaults\n mode tcp\n retries 3\n option redispatch\n timeout connect 5000\n timeout client 10000\n timeout server 10000\n"
      "listen speapp\n bind 127.0.0.1:", port, "\n balance roundrobin\n mode tcp\n"
      " server app1 127.0.0.1:", app1_port, " check inter 50ms\n"
      " server app2 127.0.0.1:", app2.port(), " check inter 50ms backup\n")))
      << tender.output();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(FetchName(port), "app1");
  app1.reset();
  ASSERT_TRUE(tender.WaitForOutput("Server speapp/app1 is DOWN")) << tender.output();
  EXPECT_NE(tender.output().find("0 active and 1 backup servers left."), std::string::npos) << tender.output();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(FetchName(port), "app2");
  TestServer app1_again("app1", Behaviour::kSendName, app1_port);
  ASSERT_TRUE(tender.WaitForOutput("Server speapp/app1 is UP")) << tender.output();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(FetchName(port), "app1");
}

TEST(ChecksTest, EverythingDownIsAnnounced) {
  auto only = std::make_unique<TestServer>("only", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(kDefaults, "listen svc\n bind 127.0.0.1:", port,
                                        "\n timeout queue 100ms\n server only 127.0.0.1:", only->port(),
                                        " check inter 50ms fall 1\n")))
      << tender.output();
  only.reset();
  ASSERT_TRUE(tender.WaitForOutput("backend svc has no server available!")) << tender.output();
  int fd = ConnectTo(port);
  EXPECT_TRUE(WaitForClose(fd));  // after timeout queue
  close(fd);
}

TEST(ChecksTest, PassiveObserveMarksDownAfterErrorLimitAndChecksBringItBack) {
  TestServer good("good", Behaviour::kSendName);
  auto flaky = std::make_unique<TestServer>("flaky", Behaviour::kSendName);
  int flaky_port = flaky->port();
  int port = FreePort();
  TenderProcess tender;
  // Only the passive errors may mark flaky down: it starts fully up with a large `fall`,
  // so an active check that happens to run after flaky has gone (the first one may, on a
  // slow machine) cannot; once it is down, downinter and rise 1 bring it back quickly.
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n"
      "defaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n retries 0\n"
      "listen svc\n bind 127.0.0.1:", port, "\n balance first\n"
      " server flaky 127.0.0.1:", flaky_port,
      " check inter 10s fastinter 50ms downinter 50ms rise 1 fall 100 init-state fully-up observe layer4 error-limit 3"
      " on-error mark-down\n"
      " server good 127.0.0.1:", good.port(), "\n")))
      << tender.output();
  EXPECT_EQ(FetchName(port), "flaky");  // `first` prefers flaky while it is up
  flaky.reset();
  // Three connections fail on flaky (no retries), which reaches the error limit.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(FetchName(port), "");
  ASSERT_TRUE(tender.WaitForOutput("Server svc/flaky is DOWN, reason: Health analyze")) << tender.output();
  EXPECT_EQ(FetchName(port), "good");
  TestServer flaky_again("flaky", Behaviour::kSendName, flaky_port);
  ASSERT_TRUE(tender.WaitForOutput("Server svc/flaky is UP")) << tender.output();
  EXPECT_EQ(FetchName(port), "flaky");
}

TEST(ChecksTest, OnMarkedDownShutsSessionsDown) {
  TestServer hold("hold", Behaviour::kHold);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(kDefaults, "listen svc\n bind 127.0.0.1:", port, "\n server hold 127.0.0.1:",
                                        hold.port(), " check inter 50ms fall 1 on-marked-down shutdown-sessions\n")))
      << tender.output();
  int fd = ConnectTo(port);
  ASSERT_EQ(ReadLine(fd), "hold");
  hold.StopListening();  // checks fail; the established session would live on
  ASSERT_TRUE(tender.WaitForOutput("Server svc/hold is DOWN")) << tender.output();
  EXPECT_TRUE(WaitForClose(fd));
  close(fd);
}

TEST(ChecksTest, SlowstartRampsTheWeightUpAfterRecovery) {
  auto s = std::make_unique<TestServer>("s", Behaviour::kSendName);
  int s_port = s->port();
  TestServer other("other", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(kDefaults, "listen svc\n bind 127.0.0.1:", port, "\n server s 127.0.0.1:", s_port,
                                        " check inter 50ms fall 1 rise 1 weight 100 slowstart 1s\n server other 127.0.0.1:",
                                        other.port(), " weight 100\n"),
                           {"-d"}))
      << tender.output();
  s.reset();
  ASSERT_TRUE(tender.WaitForOutput("Server svc/s is DOWN"));
  TestServer back("s", Behaviour::kSendName, s_port);
  ASSERT_TRUE(tender.WaitForOutput("Server svc/s slowstart: effective weight 100/100")) << tender.output();
  // The weight went up in steps, starting low.
  std::string out = tender.output();
  std::vector<int> steps;
  const std::string marker = "Server svc/s slowstart: effective weight ";
  for (size_t at = out.find(marker); at != std::string::npos; at = out.find(marker, at + 1)) {
    steps.push_back(std::stoi(out.substr(at + marker.size())));
  }
  ASSERT_GE(steps.size(), 3u) << out;
  EXPECT_LE(steps.front(), 20);
  EXPECT_EQ(steps.back(), 100);
  for (size_t i = 1; i < steps.size(); ++i) EXPECT_GE(steps[i], steps[i - 1]);
}

TEST(ChecksTest, PortAndAddrProbeElsewhere) {
  // Nothing listens on the traffic port, so a passing check proves the probe went to
  // `addr`:`port`.
  int traffic_port = FreePort();
  auto health = std::make_unique<TestServer>("health", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(kDefaults, "listen svc\n bind 127.0.0.1:", port, "\n server s 127.0.0.1:",
                                        traffic_port, " check addr 127.0.0.1 port ", health->port(),
                                        " inter 50ms fall 1\n"),
                           {"-d"}))
      << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("Health check for server svc/s succeeded")) << tender.output();
  health.reset();  // now the checks fail
  ASSERT_TRUE(tender.WaitForOutput("Server svc/s is DOWN")) << tender.output();
}

TEST(ChecksTest, OnMarkedUpShutsBackupSessionsDown) {
  auto primary = std::make_unique<TestServer>("primary", Behaviour::kHold);
  int primary_port = primary->port();
  TestServer backup("backup", Behaviour::kHold);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(kDefaults, "listen svc\n bind 127.0.0.1:", port, "\n server primary 127.0.0.1:",
                                        primary_port, " check inter 50ms fall 1 rise 1 on-marked-up shutdown-backup-sessions\n",
                                        " server backup 127.0.0.1:", backup.port(), " backup\n")))
      << tender.output();
  primary.reset();
  ASSERT_TRUE(tender.WaitForOutput("Server svc/primary is DOWN")) << tender.output();
  int fd = ConnectTo(port);
  ASSERT_EQ(ReadLine(fd), "backup");
  TestServer primary_again("primary", Behaviour::kHold, primary_port);
  ASSERT_TRUE(tender.WaitForOutput("Server svc/primary is UP")) << tender.output();
  EXPECT_TRUE(WaitForClose(fd));  // the backup's session was shut when the primary came back
  close(fd);
}

TEST(ChecksTest, FailoverUnderLoadLosesNoConnection) {
  std::vector<std::unique_ptr<TestServer>> servers;
  for (const char* name : {"a", "b", "c"}) servers.push_back(std::make_unique<TestServer>(name, Behaviour::kSendName));
  int b_port = servers[1]->port();
  int port = FreePort();
  TenderProcess tender;
  std::string backend;
  for (auto& s : servers) {
    absl::StrAppend(&backend, " server ", s->name(), " 127.0.0.1:", s->port(), " check inter 50ms fall 2 rise 2\n");
  }
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 2\n"
      "defaults\n mode tcp\n retries 3\n option redispatch\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n"
      "listen svc\n bind 127.0.0.1:", port, "\n balance roundrobin\n", backend)))
      << tender.output();
  std::atomic<int> done{0}, failed{0};
  std::atomic<bool> restarted{false};
  std::map<std::string, int> after_restart;
  std::mutex mu;
  std::thread client([&] {
    for (int i = 0; i < 2000; ++i) {
      std::string name = FetchName(port);
      if (name.empty()) failed++;
      if (restarted) {
        std::lock_guard<std::mutex> lock(mu);
        after_restart[name]++;
      }
      done++;
    }
  });
  while (done < 300) std::this_thread::yield();
  servers[1].reset();  // b dies under load
  ASSERT_TRUE(tender.WaitForOutput("Server svc/b is DOWN")) << tender.output();
  while (done < 900) std::this_thread::yield();
  servers[1] = std::make_unique<TestServer>("b", Behaviour::kSendName, b_port);
  ASSERT_TRUE(tender.WaitForOutput("Server svc/b is UP")) << tender.output();
  restarted = true;
  client.join();
  EXPECT_EQ(failed, 0);
  EXPECT_GT(after_restart["b"], 0);  // traffic came back to b after `rise` checks
}

}  // namespace
}  // namespace tender::testing
