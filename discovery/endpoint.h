// One instance of a service as discovery sees it, whatever the source (Consul's HTTP API
// or the embedded file catalog).
#pragma once

#include <string>
#include <vector>

namespace tender::discovery {

struct Endpoint {
  std::string id;       // node name + "/" + service ID: Consul's service IDs are unique per node only
  std::string address;  // Service.Address, or Node.Address when that is empty
  int port = 0;
  int weight = 1;       // 1..256, from Service.Weights
  bool maintenance = false;  // a _node_maintenance or _service_maintenance check
  bool critical = false;     // some check is critical
  bool warning = false;      // some check is warning (and none critical)
  std::vector<std::string> tags;

  bool operator==(const Endpoint& o) const {
    return id == o.id && address == o.address && port == o.port && weight == o.weight &&
           maintenance == o.maintenance && critical == o.critical && warning == o.warning && tags == o.tags;
  }
};

}  // namespace tender::discovery
