// A source of service instances: Consul's HTTP API or the embedded file catalog. Both
// deliver whole instance lists per watched service, on their own thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "discovery/endpoint.h"

namespace tender::discovery {

// What one watch asks for. Backends asking the same thing share one watch.
struct WatchKey {
  std::string service;
  std::vector<std::string> tags;
  bool passing_only = true;
  std::string filter;
  std::string datacenter;
  std::string ns;
  bool cached = false;

  std::string ToString() const;
  bool operator<(const WatchKey& o) const { return ToString() < o.ToString(); }
};

using CatalogUpdate = absl::StatusOr<std::vector<Endpoint>>;
using UpdateCallback = std::function<void(const CatalogUpdate&)>;

class Catalog {
 public:
  virtual ~Catalog() = default;
  // Registers a watch before Start(). `on_update` runs on the catalog's thread: once with
  // the first answer (or error), then on every change and every change of error state.
  virtual void Watch(const WatchKey& key, UpdateCallback on_update) = 0;
  virtual void Start() = 0;
  virtual void Stop() = 0;
};

}  // namespace tender::discovery
