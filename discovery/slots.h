// server-template slots for discovered instances. An instance keeps its slot for as long
// as it is in the catalog (matched by its id, node + service ID, never by position, since
// Consul's order changes); a new instance takes the lowest free slot; a departed instance's
// slot drains (no new connections, established ones go on) for `drain` and is then emptied.
// Instances beyond the slots are counted, never silently dropped. Pure logic, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "discovery/endpoint.h"

namespace tender::discovery {

struct Slot {
  enum class State { kEmpty, kActive, kDraining };
  std::string name;  // e.g. "web3"
  State state = State::kEmpty;
  Endpoint endpoint;  // valid unless kEmpty
  int64_t drain_until_ms = 0;
};

class SlotAssigner {
 public:
  SlotAssigner(std::vector<std::string> slot_names, int64_t drain_ms);

  // Takes the current set of instances; true if any slot changed.
  bool Update(const std::vector<Endpoint>& endpoints, int64_t now_ms);
  // Empties slots whose drain is over; true if any did.
  bool ExpireDrains(int64_t now_ms);
  // The earliest drain end, or -1 when nothing drains.
  int64_t NextDrainEnd() const;

  const std::vector<Slot>& slots() const { return slots_; }
  // Instances that found no free slot at the last Update.
  int overflow() const { return overflow_; }

 private:
  std::vector<Slot> slots_;
  int64_t drain_ms_;
  int overflow_ = 0;
};

}  // namespace tender::discovery
