// A stand-in for a Consul agent's HTTP API, for tests (Consul itself cannot be installed
// here). It follows Consul's documented behaviour for what tender uses:
// - GET /v1/health/service/<name> with blocking queries: `index` and `wait` (a wait without
//   a unit is a 400), X-Consul-Index on every answer, a client index above the server's
//   held until the wait expires and answered with the lower index, up to wait/16 of jitter;
//   `passing`, `tag` (repeatable), `dc`, `filter` (a subset: `Service.Meta.K == "V"` and
//   `"T" in Service.Tags`; an unparsable filter is a 500);
// - GET /v1/catalog/services with the same blocking semantics;
// - ACL tokens (X-Consul-Token): an unknown token is a 403 "ACL not found"; a token that
//   cannot read a service gets 200 `[]` with X-Consul-Results-Filtered-By-ACLs: true;
// - Consul's header casing (X-Consul-Knownleader), JSON shapes as the API docs show them,
//   plain-text error bodies;
// - injectable faults: 500 "No cluster leader", malformed JSON, slow answers, refused
//   connections, an index that goes backwards.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace tender::testing {

struct ConsulInstance {
  std::string node = "node1";
  std::string node_address = "127.0.0.1";
  std::string id;
  std::string service;
  std::string address;  // "" to use the node's
  int port = 0;
  std::vector<std::string> tags;
  std::map<std::string, std::string> meta;
  int weight_passing = 1;
  int weight_warning = 1;
  std::string status = "passing";  // of the service check: passing, warning, critical
  bool maintenance = false;
};

class ConsulStandIn {
 public:
  ConsulStandIn();
  ~ConsulStandIn();
  int port() const { return port_; }

  void Register(const ConsulInstance& instance);  // adds or replaces (node + ID)
  void Deregister(const std::string& node, const std::string& id);
  // ACLs: once a token is added, requests need a known token. `services` "*" reads all.
  void AddToken(const std::string& token, std::set<std::string> services);
  // The next `n` health queries answer `status` with a plain-text `body`.
  void FailNext(int n, int status, const std::string& body);
  void SetMalformed(bool malformed);
  // Every answer is held this long before it is sent (a slow agent or a leader election).
  void SetDelay(int ms);
  // Sets the index backwards (as after a Consul restart), waking blocked queries.
  void ResetIndex(uint64_t index);
  // Stops accepting (connections are refused) / listens again on the same port.
  void StopListening();
  void Listen();

  uint64_t index();
  int health_requests();
  // The request lines and X-Consul-Token values seen, in order.
  std::vector<std::string> requests();
  std::vector<std::string> tokens();

 private:
  void AcceptLoop(int fd);
  void Serve(int fd);
  std::string Handle(const std::string& method, const std::string& target, const std::map<std::string, std::string>& headers);
  std::string HealthBody(const std::string& service, bool passing, const std::vector<std::string>& tags,
                         const std::string& filter, bool* filter_ok);
  void Bump();  // mu_ held

  int port_ = 0;
  std::atomic<int> listen_fd_{-1};
  std::thread acceptor_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::thread> workers_;
  uint64_t index_ = 1;
  std::map<std::string, ConsulInstance> instances_;  // by node/id
  std::map<std::string, std::set<std::string>> tokens_;
  int fail_next_ = 0;
  int fail_status_ = 500;
  std::string fail_body_;
  bool malformed_ = false;
  int delay_ms_ = 0;
  int health_requests_ = 0;
  std::vector<std::string> requests_;
  std::vector<std::string> seen_tokens_;
};

}  // namespace tender::testing
