#include "proxy/pool/pool.h"

namespace tender {

std::vector<int> BackendPool::EligibleServers() const {
  std::vector<int> out;
  for (int i = 0; i < static_cast<int>(servers.size()); ++i) {
    if (!servers[i].backup && servers[i].Usable()) out.push_back(i);
  }
  if (!out.empty()) return out;
  for (int i = 0; i < static_cast<int>(servers.size()); ++i) {
    if (servers[i].backup && servers[i].Usable()) {
      out.push_back(i);
      if (!all_backups) break;
    }
  }
  return out;
}

}  // namespace tender
