#include "proxy/admin/translate.h"

#include "absl/strings/str_cat.h"

namespace tender {

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbers.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

adminpb::AdminState ToProto(AdminState s) {
  switch (s) {
    case AdminState::kReady: return adminpb::ADMIN_STATE_READY;
    case AdminState::kDrain: return adminpb::ADMIN_STATE_DRAIN;
    case AdminState::kMaint: return adminpb::ADMIN_STATE_MAINT;
  }
  return adminpb::ADMIN_STATE_UNSPECIFIED;
}

absl::StatusOr<AdminState> FromProto(adminpb::AdminState s, const char* field) {
  switch (s) {
    case adminpb::ADMIN_STATE_READY: return AdminState::kReady;
    case adminpb::ADMIN_STATE_DRAIN: return AdminState::kDrain;
    case adminpb::ADMIN_STATE_MAINT: return AdminState::kMaint;
    default:
      return absl::InvalidArgumentError(absl::StrCat(field, ": expected ADMIN_STATE_READY, ADMIN_STATE_DRAIN or ADMIN_STATE_MAINT"));
  }
}

adminpb::Mode ToProto(config::Mode m) { return m == config::Mode::kHttp ? adminpb::MODE_HTTP : adminpb::MODE_TCP; }

std::string BalanceName(const config::BalanceConfig& b) {
  switch (b.algorithm) {
    case config::BalanceAlgorithm::kRoundRobin: return "roundrobin";
    case config::BalanceAlgorithm::kStaticRr: return "static-rr";
    case config::BalanceAlgorithm::kLeastConn: return "leastconn";
    case config::BalanceAlgorithm::kFirst: return "first";
    case config::BalanceAlgorithm::kSource: return "source";
    case config::BalanceAlgorithm::kRandom: return absl::StrCat("random(", b.random_draws, ")");
    case config::BalanceAlgorithm::kUri: return "uri";
    case config::BalanceAlgorithm::kHdr: return absl::StrCat("hdr(", b.argument, ")");
    case config::BalanceAlgorithm::kUrlParam: return absl::StrCat("url_param ", b.argument);
  }
  return "";
}

void FillServer(const std::string& backend, const ServerEntry& e, const ServerHealthStats* health,
                adminpb::Server* out) {
  out->set_name(e.name);
  out->set_backend(backend);
  if (e.has_address) {
    out->set_address(e.address.HostString());
    out->set_port(e.port_from_client ? 0 : e.address.port());
  }
  out->set_weight(e.configured_weight);
  out->set_effective_weight(e.weight);
  out->set_admin_state(ToProto(e.admin));
  if (e.operator_state) out->set_operator_state(ToProto(*e.operator_state));
  out->set_health_state(e.up ? adminpb::HEALTH_STATE_UP : adminpb::HEALTH_STATE_DOWN);
  out->set_checked(e.checked);
  out->set_backup(e.backup);
  out->set_current_connections(e.load->active.load(std::memory_order_relaxed));
  out->set_total_connections(e.load->total.load(std::memory_order_relaxed));
  out->set_connect_failures(e.load->connect_failures.load(std::memory_order_relaxed));
  switch (e.source) {
    case ServerSource::kConfig: out->set_source(adminpb::SERVER_SOURCE_CONFIG); break;
    case ServerSource::kTemplateSlot: out->set_source(adminpb::SERVER_SOURCE_TEMPLATE_SLOT); break;
    case ServerSource::kAdmin: out->set_source(adminpb::SERVER_SOURCE_ADMIN); break;
  }
  out->set_template_prefix(e.template_prefix);
  out->set_instance_id(e.instance_id);
  if (health != nullptr) {
    out->set_checks(health->checks);
    out->set_check_failures(health->failures);
    out->set_health_transitions(health->transitions);
    out->set_last_health_change_unix_ms(health->last_change_unix_ms);
    if (health->checks > 0) {
      adminpb::CheckResult* r = out->mutable_last_check();
      r->set_passed(health->last_result.passed);
      r->set_reason(health->last_result.reason);
      r->set_info(health->last_result.info);
      r->set_code(health->last_result.code);
      r->set_duration_ms(health->last_result.duration_ms);
    }
  }
}

void FillBackend(const BackendPool& pool, const HealthManager* health, adminpb::Backend* out) {
  out->set_name(pool.name);
  out->set_mode(ToProto(pool.mode));
  out->set_balance(BalanceName(pool.balance));
  out->set_queued(pool.load->queued.load(std::memory_order_relaxed));
  for (const ServerEntry& e : pool.servers) {
    FillServer(pool.name, e, health ? health->StatsFor(pool.name, e.name) : nullptr, out->add_servers());
  }
}

}  // namespace tender
