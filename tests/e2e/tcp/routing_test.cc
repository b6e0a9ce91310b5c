// use_backend and tcp-request content rules on layer 4 fetches.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "tender/admin/v1/admin.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

using Behaviour = TestServer::Behaviour;

// Connects to 127.0.0.1:port from the loopback address `from` (the whole 127/8 is local).
std::string FetchNameFrom(const char* from, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in local = {};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, from, &local.sin_addr);
  bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local));
  sockaddr_in remote = {};
  remote.sin_family = AF_INET;
  remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  remote.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) != 0) {
    close(fd);
    return "";
  }
  std::string name = ReadLine(fd);
  close(fd);
  return name;
}

TEST(RoutingTest, UseBackendBySourceAndDestinationPort) {
  TestServer internal("internal", Behaviour::kSendName), admin("admin", Behaviour::kSendName),
      public_("public", Behaviour::kSendName);
  int port_a = FreePort(), port_b = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n"
      "defaults\n mode tcp\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "frontend fe\n bind 127.0.0.1:", port_a, "\n bind 127.0.0.1:", port_b, "\n"
      " acl from_two src 127.0.0.2\n"
      " acl admin_port dst_port ", port_b, "\n"
      " use_backend admin if admin_port\n"
      " use_backend internal if from_two\n"
      " default_backend public\n"
      "backend internal\n server s 127.0.0.1:", internal.port(), "\n"
      "backend admin\n server s 127.0.0.1:", admin.port(), "\n"
      "backend public\n server s 127.0.0.1:", public_.port(), "\n")))
      << tender.output();
  EXPECT_EQ(FetchNameFrom("127.0.0.1", port_a), "public");
  EXPECT_EQ(FetchNameFrom("127.0.0.2", port_a), "internal");
  EXPECT_EQ(FetchNameFrom("127.0.0.2", port_b), "admin");  // the first matching rule wins
  EXPECT_EQ(FetchNameFrom("127.0.0.1", port_b), "admin");
}

TEST(RoutingTest, TcpRequestContentRejects) {
  TestServer s("s", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  int admin_port = FreePort();
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 1\n admin grpc 127.0.0.1:", admin_port, "\n"
      "defaults\n mode tcp\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "listen svc\n bind 127.0.0.1:", port, "\n"
      " tcp-request content reject if { src 127.0.0.3 }\n"
      " server s 127.0.0.1:", s.port(), "\n")))
      << tender.output();
  EXPECT_EQ(FetchNameFrom("127.0.0.3", port), "");
  EXPECT_EQ(FetchNameFrom("127.0.0.4", port), "s");
  EXPECT_EQ(s.connections(), 1);
  auto stub = ::tender::admin::v1::AdminService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", admin_port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ::tender::admin::v1::Stats stats;
  ASSERT_TRUE(stub->GetStats(&ctx, ::tender::admin::v1::GetStatsRequest(), &stats).ok());
  EXPECT_EQ(stats.frontends(0).denied(), 1u);
  EXPECT_EQ(stats.frontends(0).total_sessions(), 2u);
}

TEST(RoutingTest, RuntimeRefusesLayer7FetchesInTcpMode) {
  int port = FreePort();
  TenderProcess tender;
  EXPECT_FALSE(tender.Start(absl::StrCat(
      "defaults\n mode tcp\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
      "frontend fe\n bind 127.0.0.1:", port, "\n"
      " tcp-request inspect-delay 5s\n"
      " use_backend b if { req.ssl_sni -i example.com }\n default_backend b\n"
      "backend b\n server s 127.0.0.1:1\n")));
  EXPECT_NE(tender.output().find("frontend 'fe' is in mode tcp, but a 'use_backend' condition reads the HTTP request"),
            std::string::npos)
      << tender.output();
}

}  // namespace
}  // namespace tender::testing
