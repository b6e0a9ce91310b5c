#include "proxy/lb/leastconn.h"

namespace tender {

bool LeastConnBalancer::Order::operator()(int a, int b) const {
  const Node& x = (*nodes)[a];
  const Node& y = (*nodes)[b];
  int64_t lhs = static_cast<int64_t>(x.active) * y.weight, rhs = static_cast<int64_t>(y.active) * x.weight;
  if (lhs != rhs) return lhs < rhs;
  if (x.last_pick != y.last_pick) return x.last_pick < y.last_pick;
  return a < b;
}

LeastConnBalancer::LeastConnBalancer(std::shared_ptr<const BackendPool> pool, const LeastConnBalancer* previous)
    : pool_(std::move(pool)), nodes_(pool_->servers.size()), order_(Order{&nodes_}) {
  for (size_t i = 0; i < pool_->servers.size(); ++i) index_[pool_->servers[i].load.get()] = i;
  if (previous != nullptr) {
    picks_ = previous->picks_;
    for (const auto& [load, old] : previous->index_) {
      auto it = index_.find(load);
      if (it == index_.end()) continue;
      nodes_[it->second].active = previous->nodes_[old].active;
      nodes_[it->second].last_pick = previous->nodes_[old].last_pick;
    }
  }
  for (int i : pool_->EligibleServers()) {
    nodes_[i].weight = pool_->servers[i].weight;
    order_.insert(i);
  }
}

void LeastConnBalancer::Update(int server, int delta) {
  bool listed = order_.erase(server) > 0;
  nodes_[server].active += delta;
  if (delta > 0) nodes_[server].last_pick = ++picks_;
  if (listed) order_.insert(server);
}

void LeastConnBalancer::Taken(const ServerLoad* server) {
  auto it = index_.find(server);
  if (it != index_.end()) Update(it->second, +1);
}

void LeastConnBalancer::Released(const ServerLoad* server) {
  auto it = index_.find(server);
  if (it != index_.end() && nodes_[it->second].active > 0) Update(it->second, -1);
}

int LeastConnBalancer::Pick(const PickContext& context) {
  int fallback = -1;
  for (int i : order_) {
    if (i == context.exclude && order_.size() > 1) continue;
    const ServerEntry& s = pool_->servers[i];
    if (s.maxconn > 0 && s.load->active.load(std::memory_order_relaxed) >= s.maxconn) {
      if (fallback < 0) fallback = i;
      continue;  // full: the next least loaded one
    }
    return i;
  }
  return fallback;
}

}  // namespace tender
