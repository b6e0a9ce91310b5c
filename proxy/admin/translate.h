// Domain structs <-> admin protos, and absl::Status -> grpc::Status. No logic lives here.
#pragma once

#include "grpcpp/grpcpp.h"
#include "proxy/health/health_manager.h"
#include "proxy/pool/pool.h"
#include "tender/admin/v1/admin.pb.h"

namespace tender {

namespace adminpb = ::tender::admin::v1;

grpc::Status ToGrpc(const absl::Status& status);
adminpb::AdminState ToProto(AdminState s);
// kReady/kDrain/kMaint, or an INVALID_ARGUMENT naming `field`.
absl::StatusOr<AdminState> FromProto(adminpb::AdminState s, const char* field);
adminpb::Mode ToProto(config::Mode m);
std::string BalanceName(const config::BalanceConfig& b);

void FillServer(const std::string& backend, const ServerEntry& e, const ServerHealthStats* health,
                adminpb::Server* out);
void FillBackend(const BackendPool& pool, const HealthManager* health, adminpb::Backend* out);

}  // namespace tender
