#include "discovery/consul/consul_json.h"

#include "gtest/gtest.h"

namespace tender::discovery {
namespace {

// Shapes as Consul's /v1/health/service documentation shows them.
constexpr char kTwoInstances[] = R"json([
  {
    "Node": {"ID": "40e4a748-2192-161a-0510-9bf59fe950b5", "Node": "foobar", "Address": "10.1.10.12",
             "Datacenter": "dc1", "TaggedAddresses": {"lan": "10.1.10.12"}, "Meta": {"instance_type": "t2.medium"}},
    "Service": {"ID": "redis", "Service": "redis", "Tags": ["primary"], "Address": "10.1.10.12", "Port": 8000,
                "Meta": {"redis_version": "4.0"}, "Weights": {"Passing": 10, "Warning": 1}, "Namespace": "default"},
    "Checks": [
      {"Node": "foobar", "CheckID": "service:redis", "Name": "Service 'redis' check", "Status": "passing",
       "ServiceID": "redis", "ServiceName": "redis", "ServiceTags": ["primary"]},
      {"Node": "foobar", "CheckID": "serfHealth", "Name": "Serf Health Status", "Status": "passing"}
    ]
  },
  {
    "Node": {"Node": "other", "Address": "2001:db8::7"},
    "Service": {"ID": "redis", "Service": "redis", "Tags": null, "Address": "", "Meta": null},
    "Checks": [{"Node": "other", "CheckID": "service:redis", "Status": "warning", "ServiceID": "redis"}]
  }
])json";

TEST(ConsulJsonTest, DecodesDocumentedShapes) {
  auto eps = DecodeHealthService(kTwoInstances);
  ASSERT_TRUE(eps.ok()) << eps.status();
  ASSERT_EQ(eps->size(), 2u);
  const Endpoint& a = (*eps)[0];
  EXPECT_EQ(a.id, "foobar/redis");
  EXPECT_EQ(a.address, "10.1.10.12");
  EXPECT_EQ(a.port, 8000);
  EXPECT_EQ(a.weight, 10);
  EXPECT_EQ(a.tags, (std::vector<std::string>{"primary"}));
  EXPECT_FALSE(a.critical || a.warning || a.maintenance);
  const Endpoint& b = (*eps)[1];
  EXPECT_EQ(b.id, "other/redis");   // same service ID, other node: another instance
  EXPECT_EQ(b.address, "2001:db8::7");  // Service.Address empty: Node.Address
  EXPECT_EQ(b.port, 0);                 // Port omitted when 0
  EXPECT_TRUE(b.warning);
  EXPECT_EQ(b.weight, 1);  // Weights absent: Consul's default, 1
}

TEST(ConsulJsonTest, MaintenanceAndCriticalChecks) {
  auto eps = DecodeHealthService(R"json([
    {"Node": {"Node": "n1", "Address": "10.0.0.1"}, "Service": {"ID": "web-1", "Port": 80},
     "Checks": [{"CheckID": "_service_maintenance:web-1", "Status": "critical", "ServiceID": "web-1"}]},
    {"Node": {"Node": "n2", "Address": "10.0.0.2"}, "Service": {"ID": "web-2", "Port": 80},
     "Checks": [{"CheckID": "_node_maintenance", "Status": "critical"}]},
    {"Node": {"Node": "n3", "Address": "10.0.0.3"}, "Service": {"ID": "web-3", "Port": 80},
     "Checks": [{"CheckID": "service:web-3", "Status": "critical", "ServiceID": "web-3"}]}
  ])json");
  ASSERT_TRUE(eps.ok()) << eps.status();
  EXPECT_TRUE((*eps)[0].maintenance);
  EXPECT_FALSE((*eps)[0].critical);
  EXPECT_TRUE((*eps)[1].maintenance);
  EXPECT_TRUE((*eps)[2].critical);
}

TEST(ConsulJsonTest, WeightsScaleAndWarningWeightApplies) {
  auto eps = DecodeHealthService(R"json([
    {"Node": {"Node": "n", "Address": "10.0.0.1"}, "Service": {"ID": "a", "Port": 1, "Weights": {"Passing": 65535, "Warning": 1}}, "Checks": []},
    {"Node": {"Node": "n", "Address": "10.0.0.1"}, "Service": {"ID": "b", "Port": 1, "Weights": {"Passing": 5, "Warning": 0}},
     "Checks": [{"CheckID": "c", "Status": "warning"}]}
  ])json");
  ASSERT_TRUE(eps.ok()) << eps.status();
  EXPECT_EQ((*eps)[0].weight, 256);
  EXPECT_EQ((*eps)[1].weight, 0);
}

TEST(ConsulJsonTest, EmptyAndMalformed) {
  auto empty = DecodeHealthService("[]");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(DecodeHealthService("[{\"Node\": ").ok());
  EXPECT_FALSE(DecodeHealthService("<html>No cluster leader</html>").ok());
  EXPECT_FALSE(DecodeHealthService(R"json([{"Node": {"Node": "n"}, "Service": {"Port": 1}}])json").ok());
}

}  // namespace
}  // namespace tender::discovery
