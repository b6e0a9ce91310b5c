// Traffic logs: HAProxy's tcplog line over UDP syslog, level filters, and stdout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

using Behaviour = TestServer::Behaviour;

class SyslogReceiver {
 public:
  SyslogReceiver() {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SyslogReceiver() { close(fd_); }
  int port() const { return port_; }
  // The next datagram, waiting up to `timeout_ms` (0: only what has already arrived).
  std::string Next(int timeout_ms = 10000) {
    struct pollfd p = {fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return "";
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, n) : "";
  }

 private:
  int fd_;
  int port_;
};

TEST(LogTest, TcplogLineReachesSyslogInRfc3164) {
  SyslogReceiver syslog;
  TestServer named("srv1", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n log 127.0.0.1:", syslog.port(), " local0\n"
      "defaults\n mode tcp\n log global\n option tcplog\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "frontend fnt\n bind 127.0.0.1:", port, "\n default_backend bck\n"
      "backend bck\n server srv1 127.0.0.1:", named.port(), "\n")))
      << tender.output();
  ASSERT_EQ(FetchName(port), "srv1");
  std::string line = syslog.Next();
  // <134> = local0 (16) * 8 + info (6).
  std::regex expected(
      R"(<134>\w{3} [ \d]\d \d\d:\d\d:\d\d tender\[\d+\]: 127\.0\.0\.1:\d+ \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] )"
      R"(fnt bck/srv1 0/\d+/\d+ 5 -- \d+/\d+/\d+/\d+/0 0/0)");
  EXPECT_TRUE(std::regex_match(line, expected)) << line;
}

TEST(LogTest, LevelFilterAndRawStdout) {
  SyslogReceiver notice_only, everything;
  TestServer named("s", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n"
      " log 127.0.0.1:", notice_only.port(), " local0 notice\n"
      " log 127.0.0.1:", everything.port(), " format raw local1\n"
      " log stdout format raw daemon\n"
      "defaults\n mode tcp\n log global\n option tcplog\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "listen svc\n bind 127.0.0.1:", port, "\n server s 127.0.0.1:", named.port(), "\n")))
      << tender.output();
  ASSERT_EQ(FetchName(port), "s");
  std::string raw = everything.Next();
  EXPECT_EQ(raw.rfind("127.0.0.1:", 0), 0u) << raw;  // raw: no syslog header
  EXPECT_NE(raw.find(" svc svc/s "), std::string::npos) << raw;
  // Targets are written in order: the notice-only one came first and got nothing.
  EXPECT_EQ(notice_only.Next(0), "");
  EXPECT_TRUE(tender.WaitForOutput(" svc svc/s ")) << tender.output();
}

TEST(LogTest, WithoutTcplogAConnectLineIsLogged) {
  SyslogReceiver syslog;
  TestServer named("s", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n log 127.0.0.1:", syslog.port(), " format raw local0\n"
      "defaults\n mode tcp\n log global\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "listen svc\n bind 127.0.0.1:", port, "\n server s 127.0.0.1:", named.port(), "\n")))
      << tender.output();
  ASSERT_EQ(FetchName(port), "s");
  std::string line = syslog.Next();
  std::regex expected(absl::StrCat(R"(Connect from 127\.0\.0\.1:\d+ to 127\.0\.0\.1:)", port, R"( \(svc/TCP\))"));
  EXPECT_TRUE(std::regex_match(line, expected)) << line;
}

TEST(LogTest, DontlognullSkipsSessionsThatSentNothing) {
  SyslogReceiver syslog;
  TestServer named("s", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n log 127.0.0.1:", syslog.port(), " format raw local0\n"
      "defaults\n mode tcp\n log global\n option tcplog\n option dontlognull\n"
      " timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "listen svc\n bind 127.0.0.1:", port, "\n server s 127.0.0.1:", named.port(), "\n")))
      << tender.output();
  ASSERT_EQ(FetchName(port), "s");  // sends nothing: not logged
  int fd = ConnectTo(port);
  ASSERT_EQ(write(fd, "hello", 5), 5);  // sends data: logged
  EXPECT_EQ(ReadLine(fd), "s");
  close(fd);
  std::string line = syslog.Next();
  EXPECT_NE(line.find(" svc svc/s "), std::string::npos) << line;
  EXPECT_EQ(syslog.Next(0), "");  // exactly one line
}

}  // namespace
}  // namespace tender::testing
