// Hostile input on every listener: random bytes, and malformed PROXY headers where a
// listener expects one. Each such connection is closed (with an HTTP error first where
// HTTP is spoken), a counter moves, the process stays up, and a well-behaved client on the
// same listener is served before, between and after.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tender/admin/v1/admin.grpc.pb.h"
#include "tests/fakes/harness.h"
#include "tests/fakes/http_origin.h"

namespace tender::testing {
namespace {

constexpr int kJunkPerListener = 30;

struct Ports {
  int tcp_proxy = FreePort();   // mode tcp, accept-proxy
  int http = FreePort();        // mode http
  int http_proxy = FreePort();  // mode http, accept-proxy
  int admin = FreePort();       // the gRPC admin service
};

std::string Config(const Ports& p, int name_server, int origin) {
  return absl::StrCat(
      "global\n nbthread 2\n admin grpc 127.0.0.1:", p.admin, "\n"
      "defaults\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n timeout http-request 5s\n"
      "frontend tcp_proxy\n mode tcp\n bind 127.0.0.1:", p.tcp_proxy, " accept-proxy\n default_backend names\n"
      "frontend http\n mode http\n bind 127.0.0.1:", p.http, "\n default_backend web\n"
      "frontend http_proxy\n mode http\n bind 127.0.0.1:", p.http_proxy, " accept-proxy\n default_backend web\n"
      "backend names\n mode tcp\n server n 127.0.0.1:", name_server, "\n"
      "backend web\n mode http\n server o 127.0.0.1:", origin, "\n");
}

// 1..300 random bytes whose first byte can start neither PROXY protocol version ("P" for
// v1, "\r" for v2's signature), so that the header is invalid from its first byte on.
std::string Junk(std::mt19937& rng) {
  std::string junk(1 + rng() % 300, '\0');
  for (char& c : junk) c = static_cast<char>(rng());
  while (junk[0] == 'P' || junk[0] == '\r') junk[0] = static_cast<char>(rng());
  return junk;
}

// Sends `bytes` and returns what comes back until tender closes (empty if nothing).
std::string SendAndWaitForClose(int port, const std::string& bytes, bool* closed) {
  int fd = ConnectTo(port);
  if (fd < 0) return "";
  send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string reply = ReadAll(fd);
  *closed = WaitForClose(fd);
  close(fd);
  return reply;
}

std::string Get(int port, const std::string& proxy_header = "") {
  return RawExchange(port, proxy_header + "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
}

::tender::admin::v1::Stats::FrontendCounters Counters(int admin_port, const std::string& frontend) {
  auto stub = ::tender::admin::v1::AdminService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", admin_port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ::tender::admin::v1::Stats stats;
  EXPECT_TRUE(stub->GetStats(&ctx, ::tender::admin::v1::GetStatsRequest(), &stats).ok());
  for (const auto& f : stats.frontends()) {
    if (f.name() == frontend) return f;
  }
  ADD_FAILURE() << "no frontend " << frontend;
  return {};
}

class RandomBytesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tender_.Start(Config(ports_, names_.port(), origin_.port()))) << tender_.output();
  }
  Ports ports_;
  TestServer names_{"names", TestServer::Behaviour::kSendName};
  HttpOrigin origin_{"origin"};
  TenderProcess tender_;
  std::mt19937 rng_{20261122};
};

TEST_F(RandomBytesTest, HttpListenerAnswersAnErrorCountsItAndNeverReachesTheServer) {
  EXPECT_EQ(Get(ports_.http).substr(0, 15), "HTTP/1.1 200 OK");
  for (int i = 0; i < kJunkPerListener; ++i) {
    // The empty line completes a "head", so that the verdict comes now, not at the timeout.
    bool closed = false;
    std::string reply = SendAndWaitForClose(ports_.http, Junk(rng_) + "\r\n\r\n", &closed);
    EXPECT_TRUE(closed) << i;
    ASSERT_GE(reply.size(), 12u) << i;
    EXPECT_TRUE(reply.substr(0, 10) == "HTTP/1.1 4" || reply.substr(0, 10) == "HTTP/1.1 5") << i << ": " << reply;
    if (i % 10 == 9) {
      EXPECT_EQ(Get(ports_.http).substr(0, 15), "HTTP/1.1 200 OK") << i;
    }
  }
  EXPECT_EQ(Counters(ports_.admin, "http").request_errors(), static_cast<uint64_t>(kJunkPerListener));
  EXPECT_EQ(origin_.requests(), 1 + kJunkPerListener / 10);  // the well-formed ones only
}

TEST_F(RandomBytesTest, ProxyHeaderListenersCloseAndCount) {
  const std::string good_header = "PROXY TCP4 192.0.2.1 192.0.2.2 1000 80\r\n";
  for (auto [port, frontend] : {std::pair<int, const char*>{ports_.tcp_proxy, "tcp_proxy"},
                                std::pair<int, const char*>{ports_.http_proxy, "http_proxy"}}) {
    for (int i = 0; i < kJunkPerListener; ++i) {
      bool closed = false;
      std::string reply = SendAndWaitForClose(port, Junk(rng_), &closed);
      EXPECT_TRUE(closed) << frontend << " " << i;
      EXPECT_EQ(reply, "") << frontend << " " << i << ": nothing is answered before a valid header";
    }
    EXPECT_EQ(Counters(ports_.admin, frontend).proxy_header_errors(), static_cast<uint64_t>(kJunkPerListener))
        << frontend;
  }
  // Both still serve a client with a valid header.
  int fd = ConnectTo(ports_.tcp_proxy);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(send(fd, good_header.data(), good_header.size(), 0), static_cast<ssize_t>(good_header.size()));
  EXPECT_EQ(ReadLine(fd), "names");
  close(fd);
  EXPECT_EQ(Get(ports_.http_proxy, good_header).substr(0, 15), "HTTP/1.1 200 OK");
}

TEST_F(RandomBytesTest, AdminListenerDropsJunkAndKeepsAnswering) {
  for (int i = 0; i < kJunkPerListener; ++i) {
    bool closed = false;
    SendAndWaitForClose(ports_.admin, Junk(rng_), &closed);
    EXPECT_TRUE(closed) << i;
  }
  // The admin service still answers, and the data plane never noticed.
  EXPECT_EQ(Counters(ports_.admin, "http").request_errors(), 0u);
  EXPECT_EQ(Get(ports_.http).substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_EQ(kill(tender_.pid(), 0), 0) << "tender is still running";
}

}  // namespace
}  // namespace tender::testing
