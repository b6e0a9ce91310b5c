#include "proxy/pool/pool_manager.h"

namespace tender {

PoolManager::PoolManager(const std::map<std::string, std::shared_ptr<const BackendPool>>& initial,
                         Publisher publish)
    : publish_(std::move(publish)) {
  for (const auto& [name, pool] : initial) masters_.emplace(name, *pool);
}

const BackendPool* PoolManager::Find(const std::string& backend) const {
  auto it = masters_.find(backend);
  return it == masters_.end() ? nullptr : &it->second;
}

bool PoolManager::UpdateServer(const std::string& backend, const std::string& server,
                               const std::function<void(ServerEntry&)>& change) {
  auto it = masters_.find(backend);
  if (it == masters_.end()) return false;
  for (ServerEntry& s : it->second.servers) {
    if (s.name != server) continue;
    change(s);
    // One snapshot per change, never two halves.
    publish_(std::make_shared<const BackendPool>(it->second));
    return true;
  }
  return false;
}

}  // namespace tender
