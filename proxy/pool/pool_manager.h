// The single writer of backend pools. Lives on the control thread: every change (health,
// admin, discovery) is applied to the master copy of a pool here, and the result is
// published as a new immutable snapshot to every worker. Control thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "proxy/pool/pool.h"

namespace tender {

class PoolManager {
 public:
  // Receives each new snapshot; the server hands it to every worker.
  using Publisher = std::function<void(std::shared_ptr<const BackendPool>)>;

  PoolManager(const std::map<std::string, std::shared_ptr<const BackendPool>>& initial, Publisher publish);

  const BackendPool* Find(const std::string& backend) const;
  // Applies `change` to one server of `backend` and publishes the backend's new snapshot.
  // Returns false when there is no such backend or server.
  bool UpdateServer(const std::string& backend, const std::string& server,
                    const std::function<void(ServerEntry&)>& change);

 private:
  std::map<std::string, BackendPool> masters_;
  Publisher publish_;
};

}  // namespace tender
