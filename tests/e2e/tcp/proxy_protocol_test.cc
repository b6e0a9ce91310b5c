// PROXY protocol against a real peer: HAProxy 2.6 (Debian's) listens with accept-proxy
// and answers each HTTP request with the client address it was told. tender sits in front,
// with accept-proxy on its own listener and send-proxy or send-proxy-v2 towards HAProxy.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include <random>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "tender/admin/v1/admin.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

class HaproxyPeer {
 public:
  // The test binds and listens itself and hands the socket to HAProxy (`bind fd@N`), so
  // connections made before HAProxy is up wait in the backlog: no readiness race.
  HaproxyPeer() {
    listen_fd_ = ListenLoopback(0, 64, &port_, /*inheritable=*/true);
    std::string dir = std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp";
    std::string cfg = absl::StrCat(dir, "/haproxy-peer-", port_, ".cfg");
    std::ofstream(cfg) << "global\n  log stderr format raw local0 err\n"
                          "defaults\n  mode http\n  timeout connect 2s\n  timeout client 5s\n  timeout server 5s\n"
                          "frontend peer\n  bind fd@" << listen_fd_ << " accept-proxy\n"
                          "  http-request return status 200 content-type text/plain lf-string \"src=%[src]:%[src_port] dst=%[dst]:%[dst_port]\\n\"\n";
    pid_ = fork();
    if (pid_ == 0) {
      execlp("haproxy", "haproxy", "-db", "-f", cfg.c_str(), nullptr);
      _exit(127);
    }
  }
  ~HaproxyPeer() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    close(listen_fd_);
  }
  int port() const { return port_; }

 private:
  int listen_fd_;
  int port_;
  pid_t pid_;
};

std::string Config(int port, int peer_port, const std::string& send) {
  return absl::StrCat("global\n nbthread 1\n"
                      "defaults\n mode tcp\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
                      "listen relay\n bind 127.0.0.1:", port, " accept-proxy\n"
                      " server peer 127.0.0.1:", peer_port, " ", send, "\n");
}

std::string AskThroughTender(int port, const std::string& proxy_header) {
  int fd = ConnectTo(port);
  std::string request = proxy_header + "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  EXPECT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  std::string response = ReadAll(fd);
  close(fd);
  size_t body = response.find("src=");
  return body == std::string::npos ? response : response.substr(body);
}

TEST(ProxyProtocolE2eTest, V1InV2OutCarriesTheOriginalClient) {
  HaproxyPeer peer;
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, peer.port(), "send-proxy-v2"))) << tender.output();
  EXPECT_EQ(AskThroughTender(port, "PROXY TCP4 203.0.113.7 198.51.100.9 40000 443\r\n"),
            "src=203.0.113.7:40000 dst=198.51.100.9:443\n");
}

TEST(ProxyProtocolE2eTest, V2InV1OutWithIPv6) {
  HaproxyPeer peer;
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, peer.port(), "send-proxy"))) << tender.output();
  std::string v2("\r\n\r\n\0\r\nQUIT\n\x21\x21\x00\x24", 16);
  unsigned char src[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
  unsigned char dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  v2.append(reinterpret_cast<char*>(src), 16);
  v2.append(reinterpret_cast<char*>(dst), 16);
  v2.append("\x1f\x90\x01\xbb", 4);  // 8080 -> 443
  EXPECT_EQ(AskThroughTender(port, v2), "src=2001:db8::42:8080 dst=2001:db8::1:443\n");
}

TEST(ProxyProtocolE2eTest, HeaderGoesFirstInCopyModeToo) {
  HaproxyPeer peer;
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start("global\n nosplice\n" + Config(port, peer.port(), "send-proxy-v2"))) << tender.output();
  EXPECT_EQ(AskThroughTender(port, "PROXY TCP4 203.0.113.8 198.51.100.9 40001 443\r\n"),
            "src=203.0.113.8:40001 dst=198.51.100.9:443\n");
}

TEST(ProxyProtocolE2eTest, MalformedHeaderClosesOnlyThatConnection) {
  HaproxyPeer peer;
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, peer.port(), "send-proxy"))) << tender.output();
  for (const std::string& junk : {std::string("GET / HTTP/1.1\r\n\r\n"), std::string("PROXY TCP4 1.2.3.4\r\n"),
                                  std::string("PROXY TCP4 1.2.3.4 5.6.7.8 99999 1\r\n"),
                                  std::string("\r\n\r\n\0\r\nQUIT\n\x31\x11\x00\x0c", 16)}) {
    int fd = ConnectTo(port);
    ASSERT_EQ(write(fd, junk.data(), junk.size()), static_cast<ssize_t>(junk.size()));
    EXPECT_TRUE(WaitForClose(fd));
    close(fd);
  }
  EXPECT_TRUE(tender.WaitForOutput("invalid PROXY protocol header"));
  // The process is still up and serves a well-formed client.
  EXPECT_EQ(AskThroughTender(port, "PROXY TCP4 192.0.2.1 192.0.2.2 1000 80\r\n"), "src=192.0.2.1:1000 dst=192.0.2.2:80\n");
}

TEST(ProxyProtocolE2eTest, MalformedHeadersMoveACounter) {
  HaproxyPeer peer;
  int port = FreePort(), admin_port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat("global\n admin grpc 127.0.0.1:", admin_port, "\n") +
                           Config(port, peer.port(), "send-proxy")))
      << tender.output();
  std::mt19937 rng(7);
  for (int i = 0; i < 20; ++i) {
    std::string junk(1 + rng() % 200, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    junk[0] = 'G';  // never a valid start of either version
    int fd = ConnectTo(port);
    ASSERT_EQ(write(fd, junk.data(), junk.size()), static_cast<ssize_t>(junk.size()));
    EXPECT_TRUE(WaitForClose(fd));
    close(fd);
  }
  auto stub = ::tender::admin::v1::AdminService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", admin_port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ::tender::admin::v1::Stats stats;
  ASSERT_TRUE(stub->GetStats(&ctx, ::tender::admin::v1::GetStatsRequest(), &stats).ok());
  EXPECT_EQ(stats.frontends(0).proxy_header_errors(), 20u);
  EXPECT_EQ(AskThroughTender(port, "PROXY TCP4 192.0.2.1 192.0.2.2 1000 80\r\n"), "src=192.0.2.1:1000 dst=192.0.2.2:80\n");
}

}  // namespace
}  // namespace tender::testing
