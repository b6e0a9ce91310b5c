#include "proxy/pool/pool_manager.h"

#include <netinet/in.h>

#include "absl/strings/str_cat.h"

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

void PoolManager::PublishBackend(const std::string& backend) {
  // One snapshot per change, never two halves.
  publish_(std::make_shared<const BackendPool>(masters_.at(backend)));
}

void PoolManager::Notify(PoolChange::Kind kind, const std::string& backend, const ServerEntry& server) {
  if (watcher_) watcher_(PoolChange{kind, backend, server});
}

bool PoolManager::UpdateServer(const std::string& backend, const std::string& server,
                               const std::function<void(ServerEntry&)>& change, PoolChange::Kind kind) {
  auto s = Lookup(backend, server);
  if (!s.ok()) return false;
  change(**s);
  PublishBackend(backend);
  Notify(kind, backend, **s);
  return true;
}

absl::StatusOr<ServerEntry*> PoolManager::Lookup(const std::string& backend, const std::string& server) {
  auto it = masters_.find(backend);
  if (it == masters_.end()) return absl::NotFoundError(absl::StrCat("no backend named '", backend, "'"));
  for (ServerEntry& s : it->second.servers) {
    if (s.name == server) return &s;
  }
  return absl::NotFoundError(absl::StrCat("backend '", backend, "' has no server named '", server, "'"));
}

absl::StatusOr<ServerEntry> PoolManager::SetAdminState(const std::string& backend, const std::string& server,
                                                       AdminState state) {
  auto s = Lookup(backend, server);
  if (!s.ok()) return s.status();
  ServerEntry& e = **s;
  // READY clears the operator's override; what is left decides (an empty slot stays MAINT).
  if (state == AdminState::kReady) e.operator_state.reset();
  else e.operator_state = state;
  e.RecomputeAdmin();
  PublishBackend(backend);
  Notify(PoolChange::Kind::kServerChanged, backend, e);
  return e;
}

absl::StatusOr<ServerEntry> PoolManager::SetWeight(const std::string& backend, const std::string& server, int weight) {
  if (weight < 0 || weight > 256) {
    return absl::InvalidArgumentError(absl::StrCat("weight: ", weight, " is out of range (0 to 256)"));
  }
  auto s = Lookup(backend, server);
  if (!s.ok()) return s.status();
  (*s)->configured_weight = weight;
  (*s)->weight = weight;
  PublishBackend(backend);
  Notify(PoolChange::Kind::kServerChanged, backend, **s);
  return **s;
}

absl::StatusOr<ServerEntry> PoolManager::SetAddress(const std::string& backend, const std::string& server,
                                                    const SocketAddress& address, bool keep_port) {
  auto s = Lookup(backend, server);
  if (!s.ok()) return s.status();
  ServerEntry& e = **s;
  SocketAddress a = address;
  if (keep_port && e.has_address) {
    // sin_port and sin6_port sit at the same offset.
    reinterpret_cast<sockaddr_in*>(&a.storage)->sin_port =
        reinterpret_cast<const sockaddr_in*>(&e.address.storage)->sin_port;
  } else {
    e.port_from_client = false;
  }
  e.address = a;
  e.has_address = true;
  e.RecomputeAdmin();
  PublishBackend(backend);
  if (address_listener_) address_listener_(backend, server, e);
  Notify(PoolChange::Kind::kServerChanged, backend, e);
  return e;
}

absl::StatusOr<ServerEntry> PoolManager::AddServer(const std::string& backend, ServerEntry server) {
  auto it = masters_.find(backend);
  if (it == masters_.end()) return absl::NotFoundError(absl::StrCat("no backend named '", backend, "'"));
  if (server.name.empty()) return absl::InvalidArgumentError("server: a name is required");
  for (const ServerEntry& s : it->second.servers) {
    if (s.name == server.name) {
      return absl::AlreadyExistsError(absl::StrCat("backend '", backend, "' already has a server named '", server.name, "'"));
    }
  }
  if (server.weight < 0 || server.weight > 256) {
    return absl::InvalidArgumentError(absl::StrCat("weight: ", server.weight, " is out of range (0 to 256)"));
  }
  server.source = ServerSource::kAdmin;
  server.configured_weight = server.weight;
  // As HAProxy's `add server`: a new server starts in maintenance.
  server.operator_state = AdminState::kMaint;
  server.RecomputeAdmin();
  it->second.servers.push_back(std::move(server));
  PublishBackend(backend);
  Notify(PoolChange::Kind::kServerChanged, backend, it->second.servers.back());
  return it->second.servers.back();
}

absl::Status PoolManager::DeleteServer(const std::string& backend, const std::string& server) {
  auto s = Lookup(backend, server);
  if (!s.ok()) return s.status();
  ServerEntry& e = **s;
  if (e.admin != AdminState::kMaint) {
    return absl::FailedPreconditionError(
        absl::StrCat("server '", backend, "/", server, "' must be in MAINT before it is deleted"));
  }
  int active = e.load->active.load(std::memory_order_relaxed);
  if (active > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("server '", backend, "/", server, "' still has ", active, " connection(s)"));
  }
  if (e.source == ServerSource::kTemplateSlot) {
    return absl::FailedPreconditionError(
        absl::StrCat("server '", backend, "/", server, "' is a server-template slot; empty it with ApplyPool instead"));
  }
  ServerEntry removed = e;
  auto& servers = masters_.at(backend).servers;
  servers.erase(servers.begin() + (&e - servers.data()));
  PublishBackend(backend);
  Notify(PoolChange::Kind::kServerDeleted, backend, removed);
  return absl::OkStatus();
}

absl::StatusOr<const BackendPool*> PoolManager::ApplySlots(const std::string& backend, const std::string& prefix,
                                                           const std::map<std::string, SlotMember>& slots) {
  auto it = masters_.find(backend);
  if (it == masters_.end()) return absl::NotFoundError(absl::StrCat("no backend named '", backend, "'"));
  BackendPool& pool = it->second;
  int known = 0;
  for (const ServerEntry& s : pool.servers) known += s.source == ServerSource::kTemplateSlot && s.template_prefix == prefix;
  if (known == 0) {
    return absl::NotFoundError(absl::StrCat("backend '", backend, "' has no server-template with prefix '", prefix, "'"));
  }
  for (const auto& [slot, member] : slots) {
    bool found = false;
    for (const ServerEntry& s : pool.servers) found |= s.name == slot && s.template_prefix == prefix;
    if (!found) {
      return absl::InvalidArgumentError(absl::StrCat("slots: '", slot, "' is not a slot of template '", prefix, "'"));
    }
    if (member.weight < 0 || member.weight > 256) {
      return absl::InvalidArgumentError(absl::StrCat("slots[", slot, "].weight: out of range (0 to 256)"));
    }
  }
  // Validated: apply all of it, then publish once.
  std::vector<ServerEntry*> retargeted;
  for (ServerEntry& s : pool.servers) {
    if (s.source != ServerSource::kTemplateSlot || s.template_prefix != prefix) continue;
    auto m = slots.find(s.name);
    bool had = s.has_address;
    std::string old_id = s.instance_id;
    SocketAddress old_address = s.address;
    if (m == slots.end()) {
      s.has_address = false;
      s.instance_id.clear();
      s.slot_maintenance = false;
      s.slot_draining = false;
    } else {
      s.has_address = true;
      s.instance_id = m->second.instance_id;
      s.address = m->second.address;
      s.port_from_client = false;
      s.configured_weight = m->second.weight;
      s.weight = m->second.weight;
      s.slot_maintenance = m->second.maintenance;
      s.slot_draining = m->second.draining;
    }
    s.RecomputeAdmin();
    bool moved = had != s.has_address || old_id != s.instance_id ||
                 (s.has_address && old_address.ToString() != s.address.ToString());
    if (moved) retargeted.push_back(&s);
  }
  PublishBackend(backend);
  for (ServerEntry* s : retargeted) {
    if (address_listener_) address_listener_(backend, s->name, *s);
  }
  if (watcher_) {
    PoolChange change{PoolChange::Kind::kPoolApplied, backend, ServerEntry{}};
    watcher_(change);
  }
  return &pool;
}

}  // namespace tender
