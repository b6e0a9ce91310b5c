#include "proxy/lb/roundrobin.h"

namespace tender {
namespace {
// The virtual time between two picks of a weight-1 server. Divisible by every weight up to
// 16 and large enough that floor(n*K/w) never ties by rounding.
constexpr uint64_t kPeriod = uint64_t{720720} << 20;
}  // namespace

void RoundRobinBalancer::Advance(Schedule& s) {
  s.due += kPeriod / s.weight;
  s.remainder += kPeriod % s.weight;
  if (s.remainder >= static_cast<uint64_t>(s.weight)) {
    s.remainder -= s.weight;
    s.due += 1;
  }
}

RoundRobinBalancer::RoundRobinBalancer(std::shared_ptr<const BackendPool> pool, const RoundRobinBalancer* previous)
    : pool_(std::move(pool)), schedule_(pool_->servers.size()) {
  std::map<std::string, const Schedule*> before;
  if (previous != nullptr) {
    now_ = previous->now_;
    for (size_t i = 0; i < previous->pool_->servers.size(); ++i) {
      if (previous->schedule_[i].weight > 0) before[previous->pool_->servers[i].name] = &previous->schedule_[i];
    }
  }
  for (int i : pool_->EligibleServers()) {
    Schedule& s = schedule_[i];
    s.weight = pool_->servers[i].weight;
    auto it = before.find(pool_->servers[i].name);
    if (it != before.end() && it->second->weight == s.weight) {
      s = *it->second;  // same server, same weight: its place in the rotation is kept
    } else {
      // First due half a period in: servers then interleave from the very first picks
      // (due times (n - 1/2) * K / weight, as in Sainte-Lague apportionment) instead of the
      // heaviest taking a burst while every server waits for its first full period.
      s.due = now_ + kPeriod / (2 * static_cast<uint64_t>(s.weight));
      s.remainder = 0;
    }
    heap_.push({s.due, i});
  }
}

int RoundRobinBalancer::Pick(const PickContext& context) {
  if (heap_.empty()) return -1;
  Entry e = heap_.top();
  if (e.server == context.exclude && heap_.size() > 1) {
    // The excluded server keeps its place; the next due one is picked.
    heap_.pop();
    Entry next = heap_.top();
    heap_.pop();
    heap_.push(e);
    e = next;
  } else {
    heap_.pop();
  }
  Schedule& s = schedule_[e.server];
  now_ = s.due;
  Advance(s);
  heap_.push({s.due, e.server});
  return e.server;
}

}  // namespace tender
