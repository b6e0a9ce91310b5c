// The embedded catalog: JSON files in the exact shape of Consul's
// /v1/health/service/<name> response, watched with inotify. A directory holds one
// `<service>.json` per service; a single file serves the service named by its base name.
// Lets the demo and most tests run with no Consul; the slot logic is the same.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "discovery/catalog.h"

namespace tender::discovery {

class FileCatalog : public Catalog {
 public:
  explicit FileCatalog(std::string path);
  ~FileCatalog() override;
  void Watch(const WatchKey& key, UpdateCallback on_update) override;
  void Start() override;
  void Stop() override;

 private:
  struct Service {
    std::string file;
    std::vector<UpdateCallback> callbacks;
    std::string last_error;
    std::vector<Endpoint> last;
    bool delivered = false;
  };
  void Loop();
  void Reload(Service& s);

  std::string path_;
  std::string dir_;
  std::map<std::string, Service> services_;  // by service name
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  int stop_pipe_[2] = {-1, -1};
};

}  // namespace tender::discovery
