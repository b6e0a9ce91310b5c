// Discovery against the Consul stand-in: blocking queries, traffic following the catalog,
// and every fault keeping the last good pool until recovery.
#include <unistd.h>

#include <fstream>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tender/admin/v1/admin.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/consul/consul_standin.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

using Behaviour = TestServer::Behaviour;

ConsulInstance Web(const std::string& node, const std::string& id, int port) {
  ConsulInstance i;
  i.node = node;
  i.id = id;
  i.service = "web";
  i.port = port;
  i.tags = {"v2"};
  return i;
}

std::string Config(const ConsulStandIn& consul, int port, const std::string& consul_extra = "",
                   const std::string& template_options = "", const std::string& global_extra = "") {
  return absl::StrCat("global\n nbthread 1\n", global_extra,
                      "consul local\n address 127.0.0.1:", consul.port(), "\n wait 2s\n", consul_extra,
                      "defaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n timeout queue 200ms\n"
                      "frontend fe\n bind 127.0.0.1:", port, "\n default_backend web\n"
                      "backend web\n balance roundrobin\n server-template web 1-4 consul@local/web ", template_options,
                      " drain 100ms\n");
}

TEST(ConsulTest, TrafficFollowsRegistrations) {
  ConsulStandIn consul;
  TestServer a("a", Behaviour::kSendName), b("b", Behaviour::kSendName);
  consul.Register(Web("node1", "web-1", a.port()));
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(consul, port, "", "tag=v2"))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(FetchName(port), "a");

  consul.Register(Web("node2", "web-1", b.port()));  // same service ID, another node
  ASSERT_TRUE(tender.WaitForOutput("web2=node2/web-1")) << tender.output();
  std::map<std::string, int> counts;
  for (int i = 0; i < 4; ++i) counts[FetchName(port)]++;
  EXPECT_EQ(counts["a"], 2);
  EXPECT_EQ(counts["b"], 2);

  consul.Deregister("node1", "web-1");
  ASSERT_TRUE(tender.WaitForOutput("web1=node1/web-1(draining)")) << tender.output();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(FetchName(port), "b");

  // The queries were blocking ones, as documented: index, a wait with a unit, passing, tag.
  bool saw_blocking = false;
  for (const std::string& r : consul.requests()) {
    if (absl::StrContains(r, "/v1/health/service/web?index=") && absl::StrContains(r, "&wait=2s") &&
        absl::StrContains(r, "&passing=true") && absl::StrContains(r, "&tag=v2") && !absl::StrContains(r, "index=0&")) {
      saw_blocking = true;
    }
  }
  EXPECT_TRUE(saw_blocking);
}

TEST(ConsulTest, NoLeaderKeepsTheLastGoodPoolAndRecoveryPicksUpChanges) {
  ConsulStandIn consul;
  TestServer a("a", Behaviour::kSendName), c("c", Behaviour::kSendName);
  consul.Register(Web("node1", "web-1", a.port()));
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(consul, port))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  consul.FailNext(2, 500, "No cluster leader");
  consul.Register(Web("node3", "web-3", c.port()));  // wakes the blocking query into the outage
  ASSERT_TRUE(tender.WaitForOutput("HTTP 500: No cluster leader; keeping the last good pool")) << tender.output();
  EXPECT_EQ(FetchName(port), "a");
  ASSERT_TRUE(tender.WaitForOutput("works again")) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("web2=node3/web-3")) << tender.output();
  std::map<std::string, int> counts;
  for (int i = 0; i < 4; ++i) counts[FetchName(port)]++;
  EXPECT_EQ(counts["c"], 2);
}

TEST(ConsulTest, AclErrorsAndFilteredResultsKeepTheLastPool) {
  ConsulStandIn consul;
  TestServer a("a", Behaviour::kSendName);
  consul.Register(Web("node1", "web-1", a.port()));
  consul.AddToken("good-token", {"web"});
  std::string token_file = absl::StrCat(std::getenv("TEST_TMPDIR"), "/consul.token");
  std::ofstream(token_file) << "good-token\n";
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(consul, port, absl::StrCat(" token-file ", token_file, "\n")))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  EXPECT_EQ(consul.tokens().back(), "good-token");
  // The token loses its rights: Consul answers 200 [] (filtered), not an error.
  consul.AddToken("good-token", {"other"});
  consul.Register(Web("node1", "web-1", a.port()));  // wake the query
  ASSERT_TRUE(tender.WaitForOutput("X-Consul-Results-Filtered-By-ACLs")) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("keeping the last pool (on-empty keep-last)")) << tender.output();
  EXPECT_EQ(FetchName(port), "a");
}

TEST(ConsulTest, UnknownTokenIsA403AndKeepsServing) {
  ConsulStandIn consul;
  TestServer a("a", Behaviour::kSendName);
  consul.Register(Web("node1", "web-1", a.port()));
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(consul, port))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  consul.AddToken("someone-else", {"*"});  // ACLs on: tender's (empty) token is unknown
  consul.Register(Web("node1", "web-1", a.port()));
  ASSERT_TRUE(tender.WaitForOutput("HTTP 403: ACL not found")) << tender.output();
  EXPECT_EQ(FetchName(port), "a");
}

TEST(ConsulTest, MalformedAnswersAndRefusedConnectionsKeepServing) {
  ConsulStandIn consul;
  TestServer a("a", Behaviour::kSendName), b("b", Behaviour::kSendName);
  consul.Register(Web("node1", "web-1", a.port()));
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(consul, port))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  consul.SetMalformed(true);
  ASSERT_TRUE(tender.WaitForOutput("malformed health/service JSON")) << tender.output();
  EXPECT_EQ(FetchName(port), "a");
  consul.StopListening();
  consul.SetMalformed(false);
  ASSERT_TRUE(tender.WaitForOutput("Connection refused; keeping the last good pool")) << tender.output();
  EXPECT_EQ(FetchName(port), "a");
  consul.Register(Web("node2", "web-2", b.port()));  // a change during the outage
  consul.Listen();
  ASSERT_TRUE(tender.WaitForOutput("web2=node2/web-2")) << tender.output();
}

TEST(ConsulTest, AnIndexThatGoesBackwardsStartsOver) {
  ConsulStandIn consul;
  TestServer a("a", Behaviour::kSendName), b("b", Behaviour::kSendName);
  consul.Register(Web("node1", "web-1", a.port()));
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(consul, port))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  consul.ResetIndex(1);  // as after a Consul restart: tender's index is now ahead
  consul.Register(Web("node2", "web-2", b.port()));  // index 2: still below tender's
  ASSERT_TRUE(tender.WaitForOutput("web2=node2/web-2")) << tender.output();
  bool restarted = false;
  for (const std::string& r : consul.requests()) restarted |= absl::StrContains(r, "?index=0&");
  EXPECT_TRUE(restarted);
}

TEST(ConsulTest, NotReadyUntilTheFirstSync) {
  ConsulStandIn consul;
  TestServer a("a", Behaviour::kSendName);
  consul.Register(Web("node1", "web-1", a.port()));
  consul.FailNext(1000000, 500, "No cluster leader");
  int port = FreePort(), admin_port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(consul, port, "", "", absl::StrCat(" admin grpc 127.0.0.1:", admin_port, "\n"))))
      << tender.output();
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", admin_port), grpc::InsecureChannelCredentials()));
  auto status = [&] {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckResponse resp;
    health->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &resp);
    return resp.status();
  };
  ASSERT_TRUE(tender.WaitForOutput("No cluster leader")) << tender.output();
  EXPECT_EQ(status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  consul.FailNext(0, 500, "");
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  EXPECT_EQ(status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST(ConsulTest, OverflowAndErrorsAreCountedInStats) {
  ConsulStandIn consul;
  std::vector<std::unique_ptr<TestServer>> servers;
  for (int i = 0; i < 6; ++i) {
    servers.push_back(std::make_unique<TestServer>(absl::StrCat("s", i), Behaviour::kSendName));
    consul.Register(Web(absl::StrCat("node", i), "web", servers.back()->port()));
  }
  int port = FreePort(), admin_port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(consul, port, "", "", absl::StrCat(" admin grpc 127.0.0.1:", admin_port, "\n"))))
      << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("2 instance(s) found no free slot")) << tender.output();
  consul.FailNext(1, 500, "No cluster leader");
  consul.Register(Web("node0", "web", servers[0]->port()));  // wakes the query into the failure
  ASSERT_TRUE(tender.WaitForOutput("keeping the last good pool")) << tender.output();
  auto stub = ::tender::admin::v1::AdminService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", admin_port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ::tender::admin::v1::Stats stats;
  ASSERT_TRUE(stub->GetStats(&ctx, ::tender::admin::v1::GetStatsRequest(), &stats).ok());
  ASSERT_EQ(stats.discovery_size(), 1);
  const auto& d = stats.discovery(0);
  EXPECT_EQ(d.backend(), "web");
  EXPECT_EQ(d.template_prefix(), "web");
  EXPECT_EQ(d.service(), "web");
  EXPECT_TRUE(d.synced());
  EXPECT_EQ(d.instances(), 4u);
  EXPECT_EQ(d.overflow(), 2u);
  EXPECT_GE(d.errors(), 1u);
  EXPECT_EQ(d.last_error(), "HTTP 500: No cluster leader");
}

TEST(ConsulTest, SeparateDiscoveryProcessFeedsTheProxyThroughTheAdminService) {
  ConsulStandIn consul;
  TestServer a("a", Behaviour::kSendName), b("b", Behaviour::kSendName);
  consul.Register(Web("node1", "web-1", a.port()));
  int port = FreePort(), admin_port = FreePort();
  std::string config = Config(consul, port, "", "", absl::StrCat(" admin grpc 127.0.0.1:", admin_port, "\n"));
  TenderProcess proxy, discovery;
  ASSERT_TRUE(proxy.Start(config, {"--external-discovery"})) << proxy.output();
  ASSERT_TRUE(discovery.Start(config, {"discovery", "--admin", absl::StrCat("127.0.0.1:", admin_port)}))
      << discovery.output();
  ASSERT_TRUE(discovery.WaitForOutput("web1=node1/web-1")) << discovery.output();
  EXPECT_EQ(FetchName(port), "a");
  consul.Register(Web("node2", "web-2", b.port()));
  ASSERT_TRUE(discovery.WaitForOutput("web2=node2/web-2")) << discovery.output();
  std::map<std::string, int> counts;
  for (int i = 0; i < 4; ++i) counts[FetchName(port)]++;
  EXPECT_EQ(counts["b"], 2);
  // The proxy itself never queried Consul.
  EXPECT_EQ(proxy.output().find("discovery:"), std::string::npos) << proxy.output();
  EXPECT_NE(proxy.output().find("admin audit: peer=ipv4:127.0.0.1:"), std::string::npos);
}

TEST(ConsulTest, InFlightConnectionsToADepartedInstanceFinish) {
  ConsulStandIn consul;
  TestServer a("a", Behaviour::kEcho), b("b", Behaviour::kSendName);
  consul.Register(Web("node1", "web-1", a.port()));
  int port = FreePort();
  TenderProcess tender;
  // A long drain: the in-flight session must outlive the departure.
  std::string config = Config(consul, port);
  config.replace(config.find("drain 100ms"), 11, "drain 1h");
  ASSERT_TRUE(tender.Start(config)) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  int fd = ConnectTo(port);  // to a (echo)
  ASSERT_EQ(write(fd, "one\n", 4), 4);
  ASSERT_EQ(ReadLine(fd), "one");
  consul.Register(Web("node2", "web-2", b.port()));
  consul.Deregister("node1", "web-1");
  ASSERT_TRUE(tender.WaitForOutput("web1=node1/web-1(draining) web2=node2/web-2")) << tender.output();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(FetchName(port), "b");  // new ones avoid a
  ASSERT_EQ(write(fd, "two\n", 4), 4);                          // the old one still works
  EXPECT_EQ(ReadLine(fd), "two");
  close(fd);
}

TEST(ConsulTest, ASlowAgentStillConverges) {
  ConsulStandIn consul;
  TestServer a("a", Behaviour::kSendName), b("b", Behaviour::kSendName);
  consul.Register(Web("node1", "web-1", a.port()));
  consul.SetDelay(300);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(consul, port))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  consul.Register(Web("node2", "web-2", b.port()));
  ASSERT_TRUE(tender.WaitForOutput("web2=node2/web-2")) << tender.output();
  EXPECT_EQ(tender.output().find("failed"), std::string::npos) << tender.output();
}

TEST(ConsulTest, StandInRejectsAWaitWithoutUnitAndABadFilter) {
  // The stand-in itself follows Consul's documented answers.
  ConsulStandIn consul;
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(consul, port, "", "filter=\"Service.Meta.env ==\""))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("HTTP 500: Failed to create boolexpr evaluator")) << tender.output();
  std::string out;
  ASSERT_EQ(RunCommand({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                        absl::StrCat("http://127.0.0.1:", consul.port(), "/v1/health/service/web?index=1&wait=5")},
                       &out),
            0);
  EXPECT_EQ(out, "400");
}

}  // namespace
}  // namespace tender::testing
