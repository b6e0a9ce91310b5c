// Traffic follows the embedded file catalog: instances added, removed, in maintenance;
// broken or empty catalogs keep the last good pool.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

using Behaviour = TestServer::Behaviour;

struct Instance {
  std::string node, id;
  int port;
  std::string status = "passing";
  std::string check_id;  // defaults to service:<id>
};

std::string HealthJson(const std::vector<Instance>& instances) {
  std::vector<std::string> entries;
  for (const Instance& i : instances) {
    std::string check = i.check_id.empty() ? "service:" + i.id : i.check_id;
    entries.push_back(absl::StrCat(
        R"({"Node":{"ID":"", "Node":")", i.node, R"(","Address":"127.0.0.1","Datacenter":"dc1"},)",
        R"("Service":{"ID":")", i.id, R"(","Service":"web","Tags":["v1"],"Address":"","Port":)", i.port,
        R"(,"Meta":null,"Weights":{"Passing":1,"Warning":1}},)",
        R"("Checks":[{"Node":")", i.node, R"(","CheckID":"serfHealth","Status":"passing"},)",
        R"({"Node":")", i.node, R"(","CheckID":")", check, R"(","Status":")", i.status, R"(","ServiceID":")", i.id, R"("}]})"));
  }
  return "[" + absl::StrJoin(entries, ",") + "]";
}

class FileCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(std::getenv("TEST_TMPDIR"), "/catalog-", getpid(), "-", counter_++);
    mkdir(dir_.c_str(), 0755);
  }
  // Replaces the file atomically, as tools that write catalogs should.
  void Publish(const std::string& json) {
    std::string tmp = dir_ + "/.web.json.tmp";
    std::ofstream(tmp) << json;
    std::rename(tmp.c_str(), (dir_ + "/web.json").c_str());
  }
  std::string Config(int port, const std::string& options = "") {
    return absl::StrCat("global\n nbthread 1\n"
                        "consul local\n catalog-file ", dir_, "\n"
                        "defaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n timeout queue 200ms\n"
                        "frontend fe\n bind 127.0.0.1:", port, "\n default_backend web\n"
                        "backend web\n balance roundrobin\n server-template web 1-3 consul@local/web ", options, "\n");
  }
  std::string dir_;
  static int counter_;
};
int FileCatalogTest::counter_ = 0;

TEST_F(FileCatalogTest, TrafficFollowsTheCatalog) {
  TestServer a("a", Behaviour::kSendName), b("b", Behaviour::kSendName);
  Publish(HealthJson({{"node1", "web-a", a.port()}}));
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, "drain 100ms"))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(FetchName(port), "a");

  Publish(HealthJson({{"node1", "web-a", a.port()}, {"node2", "web-b", b.port()}}));
  ASSERT_TRUE(tender.WaitForOutput("web2=node2/web-b")) << tender.output();
  std::map<std::string, int> counts;
  for (int i = 0; i < 4; ++i) counts[FetchName(port)]++;
  EXPECT_EQ(counts["a"], 2);
  EXPECT_EQ(counts["b"], 2);

  // a leaves: its slot drains (no new connections), then empties.
  Publish(HealthJson({{"node2", "web-b", b.port()}}));
  ASSERT_TRUE(tender.WaitForOutput("web1=node1/web-a(draining)")) << tender.output();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(FetchName(port), "b");
  ASSERT_TRUE(tender.WaitForOutput("web1=- web2=node2/web-b")) << tender.output();
}

TEST_F(FileCatalogTest, MaintenanceAndCriticalInstancesTakeNoTraffic) {
  TestServer a("a", Behaviour::kSendName), b("b", Behaviour::kSendName), c("c", Behaviour::kSendName);
  Instance maint{"node2", "web-b", b.port(), "critical", "_service_maintenance:web-b"};
  Instance down{"node3", "web-c", c.port(), "critical"};
  Publish(HealthJson({{"node1", "web-a", a.port()}, maint, down}));
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, "any"))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(FetchName(port), "a");
  EXPECT_NE(tender.output().find("web2=node2/web-b(maint)"), std::string::npos) << tender.output();
}

TEST_F(FileCatalogTest, BrokenOrEmptyCatalogKeepsTheLastGoodPool) {
  TestServer a("a", Behaviour::kSendName);
  Publish(HealthJson({{"node1", "web-a", a.port()}}));
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  Publish("[{\"Node\": ");  // malformed
  ASSERT_TRUE(tender.WaitForOutput("keeping the last good pool")) << tender.output();
  EXPECT_EQ(FetchName(port), "a");
  Publish("[]");  // e.g. a token that lost service:read
  ASSERT_TRUE(tender.WaitForOutput("keeping the last pool (on-empty keep-last)")) << tender.output();
  EXPECT_EQ(FetchName(port), "a");
}

TEST_F(FileCatalogTest, OnEmptyApplyEmptiesThePool) {
  TestServer a("a", Behaviour::kSendName);
  Publish(HealthJson({{"node1", "web-a", a.port()}}));
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, "on-empty apply drain 0"))) << tender.output();
  ASSERT_TRUE(tender.WaitForOutput("discovery: every source has synced")) << tender.output();
  Publish("[]");
  ASSERT_TRUE(tender.WaitForOutput("web1=- web2=- web3=-")) << tender.output();
  int fd = ConnectTo(port);
  EXPECT_TRUE(WaitForClose(fd));  // no server: closed after timeout queue
  close(fd);
}

}  // namespace
}  // namespace tender::testing
