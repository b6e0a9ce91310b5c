#include <cstdio>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "proxy/lb/balancer.h"
#include "proxy/lb/hash.h"

namespace tender {
namespace {

using config::BalanceAlgorithm;

struct ServerSpec {
  std::string name;
  int weight = 1;
  bool backup = false;
  AdminState admin = AdminState::kReady;
  bool up = true;
  int maxconn = 0;
};

std::shared_ptr<BackendPool> MakePool(BalanceAlgorithm algo, const std::vector<ServerSpec>& specs) {
  auto pool = std::make_shared<BackendPool>();
  pool->name = "be";
  pool->balance.algorithm = algo;
  for (const ServerSpec& s : specs) {
    ServerEntry e;
    e.name = s.name;
    e.weight = s.weight;
    e.backup = s.backup;
    e.admin = s.admin;
    e.up = s.up;
    e.maxconn = s.maxconn;
    pool->servers.push_back(std::move(e));
  }
  return pool;
}

std::unique_ptr<Balancer> Make(std::shared_ptr<const BackendPool> pool, uint64_t seed = 1) {
  auto b = CreateBalancer(std::move(pool), seed);
  EXPECT_TRUE(b.ok());
  return std::move(*b);
}

std::string Names(const BackendPool& pool, Balancer& b, int picks) {
  std::string out;
  for (int i = 0; i < picks; ++i) {
    int s = b.Pick({});
    out += s < 0 ? "-" : pool.servers[s].name;
  }
  return out;
}

TEST(RoundRobinTest, EqualWeightsRotate) {
  auto pool = MakePool(BalanceAlgorithm::kRoundRobin, {{"a"}, {"b"}, {"c"}});
  auto b = Make(pool);
  EXPECT_EQ(Names(*pool, *b, 9), "abcabcabc");
}

TEST(RoundRobinTest, WeightsAreExactPerCycleAndInterleaved) {
  auto pool = MakePool(BalanceAlgorithm::kRoundRobin, {{"a", 1}, {"b", 2}, {"c", 3}});
  auto b = Make(pool);
  std::string seq = Names(*pool, *b, 600);
  for (int cycle = 0; cycle < 100; ++cycle) {
    std::string one = seq.substr(cycle * 6, 6);
    EXPECT_EQ(std::count(one.begin(), one.end(), 'a'), 1) << one;
    EXPECT_EQ(std::count(one.begin(), one.end(), 'b'), 2) << one;
    EXPECT_EQ(std::count(one.begin(), one.end(), 'c'), 3) << one;
  }
  // Smooth: never three picks of the heaviest in a row.
  EXPECT_EQ(seq.find("ccc"), std::string::npos) << seq.substr(0, 12);
}

TEST(RoundRobinTest, HeavyWeightIsSpreadNotBursted) {
  auto pool = MakePool(BalanceAlgorithm::kRoundRobin, {{"a", 5}, {"b", 1}, {"c", 1}});
  auto b = Make(pool);
  std::string seq = Names(*pool, *b, 7);
  EXPECT_EQ(std::count(seq.begin(), seq.end(), 'a'), 5);
  EXPECT_EQ(seq.find("aaaa"), std::string::npos) << seq;
}

TEST(RoundRobinTest, SkipsUnusableServers) {
  auto pool = MakePool(BalanceAlgorithm::kRoundRobin,
                       {{"a"}, {"b", 1, false, AdminState::kDrain}, {"c", 1, false, AdminState::kMaint},
                        {"d", 1, false, AdminState::kReady, /*up=*/false}, {"e", 0}, {"f"}});
  auto b = Make(pool);
  EXPECT_EQ(Names(*pool, *b, 4), "afaf");
}

TEST(RoundRobinTest, ExcludeAvoidsTheFailedServer) {
  auto pool = MakePool(BalanceAlgorithm::kRoundRobin, {{"a"}, {"b"}});
  auto b = Make(pool);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b->Pick({0, 0}), 1);
}

TEST(BackupTest, FirstBackupOnlyUnlessAllBackups) {
  std::vector<ServerSpec> specs = {{"a", 1, false, AdminState::kMaint}, {"x", 1, true}, {"y", 1, true}};
  auto pool = MakePool(BalanceAlgorithm::kRoundRobin, specs);
  EXPECT_EQ(Names(*pool, *Make(pool), 4), "xxxx");
  pool->all_backups = true;
  EXPECT_EQ(Names(*pool, *Make(pool), 4), "xyxy");
}

TEST(BackupTest, ActiveServersWinOverBackups) {
  auto pool = MakePool(BalanceAlgorithm::kRoundRobin, {{"x", 1, true}, {"a"}});
  EXPECT_EQ(Names(*pool, *Make(pool), 3), "aaa");
}

TEST(BackupTest, NothingUsableGivesMinusOne) {
  auto pool = MakePool(BalanceAlgorithm::kLeastConn, {{"a", 1, false, AdminState::kMaint}});
  EXPECT_EQ(Make(pool)->Pick({}), -1);
}

// Picks and takes a slot, as a session does.
int TakeOne(const BackendPool& pool, Balancer& b) {
  int s = b.Pick({});
  if (s >= 0) b.Taken(pool.servers[s].load.get());
  return s;
}

TEST(LeastConnTest, PicksFewestConnectionsPerWeightTiesRoundRobin) {
  auto pool = MakePool(BalanceAlgorithm::kLeastConn, {{"a"}, {"b"}, {"c", 2}});
  auto b = Make(pool);
  // Equal (zero) loads: round robin in declaration order, then c (weight 2) gets a second.
  std::string seq;
  for (int i = 0; i < 4; ++i) seq += pool->servers[TakeOne(*pool, *b)].name;
  EXPECT_EQ(seq, "abcc");
  // Now a=1, b=1, c=2 (1 per weight each): releases make a the least loaded.
  b->Released(pool->servers[0].load.get());
  EXPECT_EQ(b->Pick({}), 0);
}

TEST(LeastConnTest, TenThousandServersStayBalanced) {
  std::vector<ServerSpec> specs;
  for (int i = 0; i < 10000; ++i) specs.push_back({absl::StrCat("s", i)});
  auto pool = MakePool(BalanceAlgorithm::kLeastConn, specs);
  auto b = Make(pool);
  std::vector<int> counts(10000);
  for (int i = 0; i < 30000; ++i) counts[TakeOne(*pool, *b)]++;
  for (int c : counts) ASSERT_EQ(c, 3);
}

TEST(LeastConnTest, CountsSurviveANewSnapshot) {
  auto pool = MakePool(BalanceAlgorithm::kLeastConn, {{"a"}, {"b"}});
  auto first = Make(pool);
  TakeOne(*pool, *first);  // a
  TakeOne(*pool, *first);  // b
  TakeOne(*pool, *first);  // a: a=2, b=1
  // Same servers (same load counters) in a new snapshot: b is still the lighter one.
  auto next = std::make_shared<BackendPool>(*pool);
  auto second = CreateBalancer(next, 1, first.get());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->Pick({}), 1);
}

TEST(LeastConnTest, SkipsFullServers) {
  auto pool = MakePool(BalanceAlgorithm::kLeastConn, {{"a", 1, false, AdminState::kReady, true, 1}, {"b"}});
  auto b = Make(pool);
  pool->servers[0].load->active = 1;  // a is at its maxconn
  EXPECT_EQ(b->Pick({}), 1);
}

TEST(FirstTest, FillsServersInOrderUpToMaxconn) {
  auto pool = MakePool(BalanceAlgorithm::kFirst, {{"a", 1, false, AdminState::kReady, true, 2}, {"b", 1, false, AdminState::kReady, true, 2}});
  auto b = Make(pool);
  EXPECT_EQ(b->Pick({}), 0);
  pool->servers[0].load->active = 2;
  EXPECT_EQ(b->Pick({}), 1);
}

TEST(RandomTest, DrawsFollowWeights) {
  auto pool = MakePool(BalanceAlgorithm::kRandom, {{"a", 1}, {"b", 3}});
  pool->balance.random_draws = 1;
  auto b = Make(pool, 42);
  std::map<int, int> counts;
  for (int i = 0; i < 40000; ++i) counts[b->Pick({})]++;
  // 1:3 within a few percent (seeded, so the exact numbers never change).
  EXPECT_NEAR(counts[1] / 40000.0, 0.75, 0.02);
}

// Simulates servers of uneven speed: every pick adds a connection to the picked server,
// and servers finish connections at rates proportional to their speed. Two draws keep the
// most loaded server much closer to the mean than one draw does.
int MaxLoadAfterSimulation(int draws) {
  std::vector<ServerSpec> specs;
  for (int i = 0; i < 10; ++i) specs.push_back({absl::StrCat("s", i)});
  auto pool = MakePool(BalanceAlgorithm::kRandom, specs);
  pool->balance.random_draws = draws;
  auto b = Make(pool, 7);
  int worst = 0;
  for (int step = 0; step < 20000; ++step) {
    int s = b->Pick({});
    pool->servers[s].load->active++;
    for (int i = 0; i < 10; ++i) {
      // Server i completes one connection every (i+1) steps: s0 is 10x faster than s9.
      auto& active = pool->servers[i].load->active;
      if (step % (i + 1) == 0 && active > 0) active--;
    }
    for (int i = 0; i < 10; ++i) worst = std::max(worst, pool->servers[i].load->active.load());
  }
  return worst;
}

TEST(RandomTest, TwoDrawsSpreadLoadBetterThanOne) {
  int one = MaxLoadAfterSimulation(1);
  int two = MaxLoadAfterSimulation(2);
  EXPECT_LT(two * 2, one) << "random(1) max " << one << ", random(2) max " << two;
  std::printf("max load: random(1) %d, random(2) %d\n", one, two);
}

std::shared_ptr<BackendPool> HashPool(config::HashType type, int servers) {
  std::vector<ServerSpec> specs;
  for (int i = 0; i < servers; ++i) specs.push_back({absl::StrCat("srv", i)});
  auto pool = MakePool(BalanceAlgorithm::kSource, specs);
  pool->balance.hash_type = type;
  return pool;
}

// Fraction of 100k keys whose server changes when an 11th server joins 10.
double MovedFraction(config::HashType type) {
  auto before = HashPool(type, 10);
  auto after = HashPool(type, 11);
  auto b1 = Make(before), b2 = Make(after);
  int moved = 0;
  for (uint32_t k = 0; k < 100000; ++k) {
    uint32_t h = SdbmHash(absl::StrCat("10.0.", k / 256, ".", k % 256));
    PickContext ctx{h, -1};
    if (before->servers[b1->Pick(ctx)].name != after->servers[b2->Pick(ctx)].name) ++moved;
  }
  return moved / 100000.0;
}

TEST(HashTest, ConsistentHashingMovesAboutOneNthOfKeys) {
  double moved = MovedFraction(config::HashType::kConsistent);
  EXPECT_GT(moved, 0.04);
  EXPECT_LT(moved, 0.16) << "ideal is 1/11 = 0.09";
}

TEST(HashTest, MapBasedRemapsMostKeys) { EXPECT_GT(MovedFraction(config::HashType::kMapBased), 0.5); }

TEST(HashTest, SameKeySameServer) {
  auto pool = HashPool(config::HashType::kMapBased, 5);
  auto b = Make(pool);
  PickContext ctx{SdbmHash("192.168.0.7"), -1};
  int first = b->Pick(ctx);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b->Pick(ctx), first);
}

TEST(HashTest, ConsistentSpreadFollowsWeights) {
  auto pool = HashPool(config::HashType::kConsistent, 2);
  pool->servers[1].weight = 3;
  auto b = Make(pool);
  int heavy = 0;
  for (uint32_t k = 0; k < 40000; ++k) heavy += b->Pick({SdbmHash(absl::StrCat("k", k)), -1}) == 1;
  EXPECT_NEAR(heavy / 40000.0, 0.75, 0.08);
}

}  // namespace
}  // namespace tender

namespace tender {
namespace {

TEST(RoundRobinTest, TenThousandServersEachPickedOncePerCycle) {
  std::vector<ServerSpec> specs;
  for (int i = 0; i < 10000; ++i) specs.push_back({absl::StrCat("s", i)});
  auto pool = MakePool(BalanceAlgorithm::kRoundRobin, specs);
  auto b = Make(pool);
  std::vector<int> counts(10000);
  for (int i = 0; i < 20000; ++i) counts[b->Pick({})]++;
  for (int c : counts) ASSERT_EQ(c, 2);
}

TEST(RoundRobinTest, ManyDistinctWeightsAreExactPerCycle) {
  std::vector<ServerSpec> specs;
  int total = 0;
  for (int w = 1; w <= 256; w += 17) {
    specs.push_back({absl::StrCat("w", w), w});
    total += w;
  }
  auto pool = MakePool(BalanceAlgorithm::kRoundRobin, specs);
  auto b = Make(pool);
  for (int cycle = 0; cycle < 3; ++cycle) {
    std::map<int, int> counts;
    for (int i = 0; i < total; ++i) counts[b->Pick({})]++;
    for (size_t s = 0; s < specs.size(); ++s) EXPECT_EQ(counts[s], specs[s].weight) << "cycle " << cycle;
  }
}

TEST(RoundRobinTest, NewSnapshotContinuesTheRotation) {
  auto pool = MakePool(BalanceAlgorithm::kRoundRobin, {{"a"}, {"b"}, {"c"}});
  auto first = Make(pool);
  EXPECT_EQ(Names(*pool, *first, 2), "ab");
  // A new snapshot (say, d joined) does not send the next pick back to a.
  auto next_pool = MakePool(BalanceAlgorithm::kRoundRobin, {{"a"}, {"b"}, {"c"}, {"d"}});
  auto second = CreateBalancer(next_pool, 1, first.get());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Names(*next_pool, **second, 1), "c");
}

TEST(RoundRobinTest, WeightChangeTakesEffectWithoutRestart) {
  auto pool = MakePool(BalanceAlgorithm::kRoundRobin, {{"a"}, {"b"}});
  auto first = Make(pool);
  Names(*pool, *first, 7);
  auto heavier = MakePool(BalanceAlgorithm::kRoundRobin, {{"a", 3}, {"b"}});
  auto second = CreateBalancer(heavier, 1, first.get());
  ASSERT_TRUE(second.ok());
  std::string seq = Names(*heavier, **second, 400);
  EXPECT_NEAR(std::count(seq.begin(), seq.end(), 'a'), 300, 2);
}

}  // namespace
}  // namespace tender

namespace tender {
namespace {

TEST(HashTest, AddressHashIgnoresPortAndIPv4Mapping) {
  EXPECT_EQ(HashAddress(*ResolveAddress("192.0.2.7", 1)), HashAddress(*ResolveAddress("192.0.2.7", 2)));
  EXPECT_EQ(HashAddress(*ResolveAddress("192.0.2.7", 1)), HashAddress(*ResolveAddress("::ffff:192.0.2.7", 1)));
  EXPECT_NE(HashAddress(*ResolveAddress("192.0.2.7", 1)), HashAddress(*ResolveAddress("192.0.2.8", 1)));
  EXPECT_NE(HashAddress(*ResolveAddress("2001:db8::1", 1)), HashAddress(*ResolveAddress("2001:db8::2", 1)));
}

}  // namespace
}  // namespace tender
