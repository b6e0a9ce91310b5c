// roundrobin and static-rr: smooth weighted round robin as earliest-deadline-first. Each
// eligible server is first due K/(2*weight) in, then again K/weight after each pick (in
// exact integer arithmetic), and the earliest due server is picked (ties by declaration order). Over every
// sum(weights) picks each server gets exactly its weight, picks are interleaved rather
// than bursted, and a pick is O(log n) on a heap, so 10,000 servers cost what 10 do.
// A balancer built for a new snapshot continues the previous one's rotation: servers keep
// their due times by name, and a server whose weight changed is rescheduled from now.
#pragma once

#include <map>
#include <queue>
#include <string>
#include <vector>

#include "proxy/lb/balancer.h"

namespace tender {

class RoundRobinBalancer : public Balancer {
 public:
  // `previous` (may be null) is the balancer this one replaces.
  RoundRobinBalancer(std::shared_ptr<const BackendPool> pool, const RoundRobinBalancer* previous);
  int Pick(const PickContext& context) override;

 private:
  struct Entry {
    uint64_t due;
    int server;  // index into the pool
    bool operator>(const Entry& o) const { return due != o.due ? due > o.due : server > o.server; }
  };
  struct Schedule {
    uint64_t due = 0;
    uint64_t remainder = 0;  // the fractional part of K/weight accumulated, in 1/weight units
    int weight = 0;
  };

  // Advances `s` by K/weight exactly: the integer part, plus one whenever the accumulated
  // fractions pass a whole.
  static void Advance(Schedule& s);

  std::shared_ptr<const BackendPool> pool_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
  std::vector<Schedule> schedule_;  // by pool index
  uint64_t now_ = 0;                // the due time of the last pick
};

}  // namespace tender
