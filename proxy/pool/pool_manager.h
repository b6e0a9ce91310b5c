// The single writer of backend pools. Lives on the control thread: every change (health,
// admin, discovery) is applied to the master copy of a pool here, and the result is
// published as a new immutable snapshot to every worker. Control thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proxy/pool/pool.h"

namespace tender {

// What changed, for watchers (the admin service's event stream).
struct PoolChange {
  enum class Kind { kServerChanged, kHealthChanged, kServerDeleted, kPoolApplied };
  Kind kind;
  std::string backend;
  ServerEntry server;  // the server after the change (before, for a deletion)
};

struct SlotMember {
  std::string instance_id;
  SocketAddress address;
  int weight = 1;
  bool maintenance = false;
  bool draining = false;  // left the catalog: established sessions finish, no new ones
};

class PoolManager {
 public:
  // Receives each new snapshot; the server hands it to every worker.
  using Publisher = std::function<void(std::shared_ptr<const BackendPool>)>;
  using Watcher = std::function<void(const PoolChange&)>;

  PoolManager(const std::map<std::string, std::shared_ptr<const BackendPool>>& initial, Publisher publish);

  void set_watcher(Watcher w) { watcher_ = std::move(w); }
  // Called with (backend, server, address or nullopt) when a server's address changes, so
  // that its health checker follows it.
  using AddressListener = std::function<void(const std::string&, const std::string&, const ServerEntry&)>;
  void set_address_listener(AddressListener l) { address_listener_ = std::move(l); }

  const BackendPool* Find(const std::string& backend) const;
  const std::map<std::string, BackendPool>& pools() const { return masters_; }

  // Applies `change` to one server of `backend` and publishes the backend's new snapshot.
  // Returns false when there is no such backend or server.
  bool UpdateServer(const std::string& backend, const std::string& server,
                    const std::function<void(ServerEntry&)>& change,
                    PoolChange::Kind kind = PoolChange::Kind::kServerChanged);

  // The admin operations. Errors: NOT_FOUND (backend/server), INVALID_ARGUMENT (a value),
  // FAILED_PRECONDITION (a state conflict), ALREADY_EXISTS.
  absl::StatusOr<ServerEntry> SetAdminState(const std::string& backend, const std::string& server, AdminState state);
  absl::StatusOr<ServerEntry> SetWeight(const std::string& backend, const std::string& server, int weight);
  absl::StatusOr<ServerEntry> SetAddress(const std::string& backend, const std::string& server,
                                         const SocketAddress& address, bool keep_port);
  absl::StatusOr<ServerEntry> AddServer(const std::string& backend, ServerEntry server);
  absl::Status DeleteServer(const std::string& backend, const std::string& server);
  // Fills the named slots of template `prefix` and empties the others, as one snapshot.
  absl::StatusOr<const BackendPool*> ApplySlots(const std::string& backend, const std::string& prefix,
                                                const std::map<std::string, SlotMember>& slots);

 private:
  absl::StatusOr<ServerEntry*> Lookup(const std::string& backend, const std::string& server);
  void PublishBackend(const std::string& backend);
  void Notify(PoolChange::Kind kind, const std::string& backend, const ServerEntry& server);

  std::map<std::string, BackendPool> masters_;
  Publisher publish_;
  Watcher watcher_;
  AddressListener address_listener_;
};

}  // namespace tender
