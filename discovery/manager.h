// Discovery for every `server-template ... consul@SOURCE/SERVICE`: one catalog per `consul`
// section (the agent's HTTP API, or `catalog-file`), one watch per distinct query however
// many backends share it, and per template a SlotAssigner whose changes are applied as one
// ApplyPool. Runs its decisions on the control loop; catalogs run on their own threads.
// Failures never empty a pool: an error keeps the last good slots, and an empty answer is
// applied only with `on-empty apply`.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "discovery/catalog.h"
#include "discovery/slots.h"
#include "proxy/config/config.h"
#include "proxy/event/event_loop.h"

namespace tender::discovery {

// A slot as discovery wants it; applied through the admin service's ApplyPool logic.
struct SlotAssignment {
  std::string slot;
  bool filled = false;
  std::string instance_id;
  std::string address;
  int port = 0;
  int weight = 1;
  bool maintenance = false;
  bool draining = false;
};

using SlotApplier = std::function<void(const std::string& backend, const std::string& prefix,
                                       const std::vector<SlotAssignment>& slots)>;

// What an operator sees of one template (GetStats).
struct TemplateStats {
  std::string backend, prefix, service;
  bool synced = false;
  int instances = 0;
  int overflow = 0;
  uint64_t empty_answers_kept = 0;
  uint64_t errors = 0;
  std::string last_error;
  uint64_t changes = 0;
};

class DiscoveryManager {
 public:
  // `loop` is the control loop; `apply` and `on_ready` run there.
  static absl::StatusOr<std::unique_ptr<DiscoveryManager>> Create(const config::Config& config, EventLoop* loop,
                                                                  SlotApplier apply, std::function<void()> on_ready);
  ~DiscoveryManager();

  bool empty() const { return templates_.empty(); }
  // Control thread.
  std::vector<TemplateStats> Stats() const;
  void Start();
  void Stop();

 private:
  struct Template : public TimerHandler {
    DiscoveryManager* manager = nullptr;
    std::string backend;
    std::string prefix;
    int port = 0;  // the template's own port, used when an instance has none
    bool checked = false;
    config::DiscoveryOptions options;
    std::unique_ptr<SlotAssigner> assigner;
    bool synced = false;
    bool warned_empty = false;
    int last_overflow = 0;
    std::string service;
    uint64_t empty_answers_kept = 0;
    uint64_t errors = 0;
    std::string last_error;
    uint64_t changes = 0;
    Timer drain_timer{this};
    void OnTimer() override;
  };

  DiscoveryManager(EventLoop* loop, SlotApplier apply, std::function<void()> on_ready)
      : loop_(loop), apply_(std::move(apply)), on_ready_(std::move(on_ready)) {}
  void OnUpdate(Template& t, const CatalogUpdate& update);
  void Apply(Template& t);
  void ArmDrainTimer(Template& t);

  EventLoop* loop_;
  SlotApplier apply_;
  std::function<void()> on_ready_;
  bool ready_announced_ = false;
  std::map<std::string, std::unique_ptr<Catalog>> catalogs_;  // by consul section name
  std::vector<std::unique_ptr<Template>> templates_;
};

}  // namespace tender::discovery
