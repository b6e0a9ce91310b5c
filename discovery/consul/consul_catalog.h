// Consul's catalog through blocking queries on `GET /v1/health/service/<name>`: one thread
// per distinct watch, X-Consul-Index tracked with Consul's reset rules, backoff with jitter
// on errors, and nothing delivered while nothing changes.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "discovery/catalog.h"
#include "discovery/consul/http_client.h"

namespace tender::discovery {

struct ConsulAgent {
  HttpTarget target;
  std::string token;       // X-Consul-Token
  std::string datacenter;  // default for watches without dc=
  absl::Duration wait = absl::Minutes(5);
};

class ConsulCatalog : public Catalog {
 public:
  explicit ConsulCatalog(ConsulAgent agent);
  ~ConsulCatalog() override;
  void Watch(const WatchKey& key, UpdateCallback on_update) override;
  void Start() override;
  void Stop() override;

  // The query path for `key` at `index` (exposed for tests).
  std::string QueryPath(const WatchKey& key, uint64_t index) const;

 private:
  struct WatchState {
    WatchKey key;
    std::vector<UpdateCallback> callbacks;
    std::thread thread;
  };
  void Loop(WatchState* w);
  // Waits `d` unless stopping; false when stopping.
  bool Sleep(absl::Duration d);

  ConsulAgent agent_;
  std::map<std::string, std::unique_ptr<WatchState>> watches_;
  std::atomic<bool> stopping_{false};
  int stop_pipe_[2] = {-1, -1};
};

}  // namespace tender::discovery
