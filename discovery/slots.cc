#include "discovery/slots.h"

#include <map>
#include <set>

namespace tender::discovery {

SlotAssigner::SlotAssigner(std::vector<std::string> slot_names, int64_t drain_ms) : drain_ms_(drain_ms) {
  for (std::string& n : slot_names) slots_.push_back(Slot{std::move(n)});
}

bool SlotAssigner::Update(const std::vector<Endpoint>& endpoints, int64_t now_ms) {
  bool changed = false;
  std::map<std::string, const Endpoint*> present;
  for (const Endpoint& e : endpoints) present.emplace(e.id, &e);  // first wins on duplicates
  std::set<std::string> placed;
  // Instances still present keep their slots (a draining one comes back to life).
  for (Slot& s : slots_) {
    if (s.state == Slot::State::kEmpty) continue;
    auto it = present.find(s.endpoint.id);
    if (it != present.end()) {
      if (s.state != Slot::State::kActive || !(s.endpoint == *it->second)) changed = true;
      s.state = Slot::State::kActive;
      s.endpoint = *it->second;
      placed.insert(s.endpoint.id);
    } else if (s.state == Slot::State::kActive) {
      changed = true;
      if (drain_ms_ > 0) {
        s.state = Slot::State::kDraining;
        s.drain_until_ms = now_ms + drain_ms_;
      } else {
        s.state = Slot::State::kEmpty;
      }
    }
  }
  // Newcomers take the lowest free slots, in the catalog's order.
  overflow_ = 0;
  size_t next_free = 0;
  for (const Endpoint& e : endpoints) {
    if (placed.count(e.id)) continue;
    while (next_free < slots_.size() && slots_[next_free].state != Slot::State::kEmpty) ++next_free;
    if (next_free == slots_.size()) {
      ++overflow_;
      continue;
    }
    Slot& s = slots_[next_free];
    s.state = Slot::State::kActive;
    s.endpoint = e;
    placed.insert(e.id);
    changed = true;
  }
  return changed;
}

bool SlotAssigner::ExpireDrains(int64_t now_ms) {
  bool changed = false;
  for (Slot& s : slots_) {
    if (s.state == Slot::State::kDraining && s.drain_until_ms <= now_ms) {
      s.state = Slot::State::kEmpty;
      s.endpoint = Endpoint{};
      changed = true;
    }
  }
  return changed;
}

int64_t SlotAssigner::NextDrainEnd() const {
  int64_t next = -1;
  for (const Slot& s : slots_) {
    if (s.state == Slot::State::kDraining && (next < 0 || s.drain_until_ms < next)) next = s.drain_until_ms;
  }
  return next;
}

}  // namespace tender::discovery
