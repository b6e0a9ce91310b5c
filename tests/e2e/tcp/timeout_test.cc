// Every TCP timeout fires on its own: each test makes the timeout under test short and
// every other one long, so the close it observes can only come from that timeout. Where
// the server's first line must cross tender before the timeout runs (server, tunnel),
// the short one is 1 s: room for a loaded machine under TSan.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

using Behaviour = TestServer::Behaviour;

std::string Config(int port, const TestServer& s, const std::string& timeouts) {
  return absl::StrCat("global\n nbthread 1\n"
                      "defaults\n mode tcp\n timeout connect 5s\n", timeouts,
                      "listen svc\n bind 127.0.0.1:", port, "\n server s 127.0.0.1:", s.port(), "\n");
}

TEST(TimeoutTest, ServerTimeout) {
  TestServer hold("hold", Behaviour::kHold);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, hold, " timeout client 1h\n timeout server 1s\n"))) << tender.output();
  int fd = ConnectTo(port);
  EXPECT_EQ(ReadLine(fd), "hold");
  EXPECT_TRUE(WaitForClose(fd));
  close(fd);
}

TEST(TimeoutTest, TunnelReplacesClientAndServer) {
  TestServer hold("hold", Behaviour::kHold);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, hold, " timeout client 1h\n timeout server 1h\n timeout tunnel 1s\n")))
      << tender.output();
  int fd = ConnectTo(port);
  EXPECT_EQ(ReadLine(fd), "hold");
  EXPECT_TRUE(WaitForClose(fd));
  close(fd);
}

TEST(TimeoutTest, ClientFinAppliesOnceTheClientHalfCloses) {
  TestServer stubborn("stubborn", Behaviour::kIgnoreFin);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, stubborn, " timeout client 1h\n timeout server 1h\n timeout client-fin 200ms\n")))
      << tender.output();
  int fd = ConnectTo(port);
  EXPECT_EQ(ReadLine(fd), "stubborn");
  shutdown(fd, SHUT_WR);  // the server never closes; only client-fin can end this
  EXPECT_TRUE(WaitForClose(fd));
  close(fd);
}

TEST(TimeoutTest, ServerFinAppliesOnceTheServerHalfCloses) {
  TestServer half("half", Behaviour::kHalfClose);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, half, " timeout client 1h\n timeout server 1h\n timeout server-fin 200ms\n")))
      << tender.output();
  int fd = ConnectTo(port);
  EXPECT_EQ(ReadLine(fd), "half");
  EXPECT_TRUE(WaitForClose(fd));  // the server's FIN, relayed at once
  // Our write side stays open, so the session lives on half-closed; only server-fin can
  // end it, and the server then sees EOF and closes its connection.
  EXPECT_TRUE(half.WaitForOpenConnectionsAtMost(0));
  close(fd);
}

TEST(TimeoutTest, HardStopAfterEndsLingeringSessions) {
  TestServer hold("hold", Behaviour::kHold);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat("global\n nbthread 1\n hard-stop-after 300ms\n"
                                        "defaults\n mode tcp\n timeout connect 5s\n timeout client 1h\n timeout server 1h\n"
                                        "listen svc\n bind 127.0.0.1:", port, "\n server s 127.0.0.1:", hold.port(), "\n")))
      << tender.output();
  int fd = ConnectTo(port);
  EXPECT_EQ(ReadLine(fd), "hold");
  kill(tender.pid(), SIGTERM);
  EXPECT_EQ(tender.Stop(0), 0);  // exits by itself once hard-stop-after expires
  EXPECT_TRUE(WaitForClose(fd));
  close(fd);
}

TEST(TimeoutTest, DropsPrivilegesAfterBinding) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
  TestServer named("named", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat("global\n nbthread 1\n user nobody\n group nogroup\n"
                                        "defaults\n mode tcp\n timeout connect 5s\n timeout client 5s\n timeout server 5s\n"
                                        "listen svc\n bind 127.0.0.1:", port, "\n server s 127.0.0.1:", named.port(), "\n")))
      << tender.output();
  std::ifstream status(absl::StrCat("/proc/", tender.pid(), "/status"));
  std::string line, uid, gid;
  while (std::getline(status, line)) {
    if (line.rfind("Uid:", 0) == 0) uid = line;
    if (line.rfind("Gid:", 0) == 0) gid = line;
  }
  EXPECT_EQ(uid, "Uid:\t65534\t65534\t65534\t65534");
  EXPECT_EQ(gid, "Gid:\t65534\t65534\t65534\t65534");
  EXPECT_EQ(FetchName(port), "named");  // still serving on the port bound as root
}

}  // namespace
}  // namespace tender::testing
