#include "discovery/consul/consul_json.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "consul.pb.h"
#include "google/protobuf/util/json_util.h"

namespace tender::discovery {

int ScaleWeight(int consul_weight) {
  if (consul_weight <= 0) return 1;
  // Consul's default weight is 1 and HAProxy's is 1; beyond 256 the ratio is kept coarse.
  if (consul_weight <= 256) return consul_weight;
  return 256;
}

absl::StatusOr<std::vector<Endpoint>> DecodeHealthService(absl::string_view json) {
  consul::HealthServiceResponse response;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  std::string wrapped = absl::StrCat("{\"Entries\":", json, "}");
  auto status = google::protobuf::util::JsonStringToMessage(wrapped, &response, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("malformed health/service JSON: ", status.message().as_string()));
  }
  std::vector<Endpoint> out;
  for (const consul::ServiceEntry& e : response.entries()) {
    if (e.service().id().empty()) return absl::InvalidArgumentError("an entry has no Service.ID");
    Endpoint ep;
    ep.id = absl::StrCat(e.node().node(), "/", e.service().id());
    ep.address = e.service().address().empty() ? e.node().address() : e.service().address();
    ep.port = e.service().port();
    ep.tags.assign(e.service().tags().begin(), e.service().tags().end());
    for (const consul::Check& c : e.checks()) {
      bool maintenance_check = c.checkid() == "_node_maintenance" ||
                               c.checkid() == absl::StrCat("_service_maintenance:", e.service().id());
      if (maintenance_check && c.status() == "critical") ep.maintenance = true;
      else if (c.status() == "critical") ep.critical = true;
      else if (c.status() == "warning") ep.warning = true;
      else if (c.status() == "maintenance") ep.maintenance = true;
    }
    // Consul: Weights default to Passing=1, Warning=1; a warning instance uses Warning.
    int passing = e.service().has_weights() ? e.service().weights().passing() : 1;
    int warning = e.service().has_weights() ? e.service().weights().warning() : 1;
    ep.weight = ScaleWeight(ep.warning ? warning : passing);
    if (ep.warning && warning == 0) ep.weight = 0;  // Warning 0: take no traffic while warning
    out.push_back(std::move(ep));
  }
  return out;
}

}  // namespace tender::discovery
