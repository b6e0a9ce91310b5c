#include "discovery/slots.h"

#include <map>
#include <random>

#include "gtest/gtest.h"

namespace tender::discovery {
namespace {

Endpoint E(const std::string& id, int port = 80) {
  Endpoint e;
  e.id = id;
  e.address = "10.0.0.1";
  e.port = port;
  return e;
}

std::vector<std::string> Names(int n) {
  std::vector<std::string> v;
  for (int i = 1; i <= n; ++i) v.push_back("web" + std::to_string(i));
  return v;
}

std::string Who(const SlotAssigner& a) {
  std::string out;
  for (const Slot& s : a.slots()) {
    out += s.state == Slot::State::kEmpty ? "-" : s.endpoint.id;
    if (s.state == Slot::State::kDraining) out += "~";
    out += " ";
  }
  return out;
}

TEST(SlotsTest, NewcomersTakeTheLowestFreeSlot) {
  SlotAssigner a(Names(4), 0);
  EXPECT_TRUE(a.Update({E("n1/a"), E("n1/b")}, 0));
  EXPECT_EQ(Who(a), "n1/a n1/b - - ");
  EXPECT_TRUE(a.Update({E("n1/b")}, 0));  // a leaves: its slot frees (no drain configured)
  EXPECT_EQ(Who(a), "- n1/b - - ");
  EXPECT_TRUE(a.Update({E("n2/c"), E("n1/b")}, 0));
  EXPECT_EQ(Who(a), "n2/c n1/b - - ");
}

TEST(SlotsTest, OrderDoesNotMoveInstances) {
  SlotAssigner a(Names(3), 0);
  a.Update({E("n1/a"), E("n2/b"), E("n3/c")}, 0);
  EXPECT_FALSE(a.Update({E("n3/c"), E("n1/a"), E("n2/b")}, 0));  // Consul reordered: nothing changes
  EXPECT_EQ(Who(a), "n1/a n2/b n3/c ");
}

TEST(SlotsTest, SameServiceIdOnTwoNodesIsTwoInstances) {
  SlotAssigner a(Names(3), 0);
  a.Update({E("node1/web"), E("node2/web")}, 0);
  EXPECT_EQ(Who(a), "node1/web node2/web - ");
}

TEST(SlotsTest, DepartureDrainsThenEmpties) {
  SlotAssigner a(Names(2), 1000);
  a.Update({E("n1/a"), E("n1/b")}, 0);
  EXPECT_TRUE(a.Update({E("n1/b")}, 100));
  EXPECT_EQ(Who(a), "n1/a~ n1/b ");
  EXPECT_EQ(a.NextDrainEnd(), 1100);
  // A newcomer may not take a draining slot.
  a.Update({E("n1/b"), E("n9/z")}, 200);
  EXPECT_EQ(a.overflow(), 1);
  EXPECT_FALSE(a.ExpireDrains(1099));
  EXPECT_TRUE(a.ExpireDrains(1100));
  EXPECT_EQ(Who(a), "- n1/b ");
  a.Update({E("n1/b"), E("n9/z")}, 1200);
  EXPECT_EQ(Who(a), "n9/z n1/b ");
  EXPECT_EQ(a.overflow(), 0);
}

TEST(SlotsTest, AReturningInstanceStopsDraining) {
  SlotAssigner a(Names(2), 1000);
  a.Update({E("n1/a")}, 0);
  a.Update({}, 10);
  EXPECT_EQ(Who(a), "n1/a~ - ");
  EXPECT_TRUE(a.Update({E("n1/a")}, 20));
  EXPECT_EQ(Who(a), "n1/a - ");
  EXPECT_EQ(a.NextDrainEnd(), -1);
}

TEST(SlotsTest, ChangedAddressOrWeightIsAChange) {
  SlotAssigner a(Names(1), 0);
  a.Update({E("n1/a", 80)}, 0);
  EXPECT_TRUE(a.Update({E("n1/a", 81)}, 0));
  EXPECT_EQ(a.slots()[0].endpoint.port, 81);
}

TEST(SlotsTest, MoreInstancesThanSlotsAreCounted) {
  SlotAssigner a(Names(2), 0);
  a.Update({E("a"), E("b"), E("c"), E("d")}, 0);
  EXPECT_EQ(a.overflow(), 2);
  EXPECT_EQ(Who(a), "a b ");
}

// Property: over 1,000 random catalog changes, an instance present in two consecutive
// states keeps its slot, and no slot ever holds two instances.
TEST(SlotsTest, StabilityOverRandomChanges) {
  std::mt19937 rng(42);
  SlotAssigner a(Names(10), 0);
  std::map<std::string, std::string> previous;  // id -> slot
  for (int round = 0; round < 1000; ++round) {
    std::vector<Endpoint> now;
    for (int i = 0; i < 14; ++i) {
      if (rng() % 3 != 0) now.push_back(E("node" + std::to_string(i % 4) + "/svc" + std::to_string(i)));
    }
    std::shuffle(now.begin(), now.end(), rng);
    a.Update(now, round);
    std::map<std::string, std::string> current;
    for (const Slot& s : a.slots()) {
      if (s.state == Slot::State::kEmpty) continue;
      ASSERT_TRUE(current.emplace(s.endpoint.id, s.name).second) << "instance in two slots";
    }
    for (const auto& [id, slot] : current) {
      auto it = previous.find(id);
      if (it != previous.end()) ASSERT_EQ(it->second, slot) << id << " moved in round " << round;
    }
    int placed = current.size();
    EXPECT_EQ(placed + a.overflow(), static_cast<int>(now.size()));
    previous = current;
  }
}

}  // namespace
}  // namespace tender::discovery
