#include "discovery/catalog.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tender::discovery {

std::string WatchKey::ToString() const {
  return absl::StrCat(service, "|tags=", absl::StrJoin(tags, ","), "|", passing_only ? "passing" : "any",
                      "|filter=", filter, "|dc=", datacenter, "|ns=", ns, cached ? "|cached" : "");
}

}  // namespace tender::discovery
