// Consul's /v1/health/service/<name> JSON -> Endpoints, with protobuf's JSON support
// (no hand-written JSON parser).
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "discovery/endpoint.h"

namespace tender::discovery {

// Endpoints in the order Consul listed them. Errors (malformed JSON, an entry without a
// service ID) are INVALID_ARGUMENT with the reason.
absl::StatusOr<std::vector<Endpoint>> DecodeHealthService(absl::string_view json);

// Consul's Weights.Passing (1..65535; Warning applies to warning instances) scaled onto
// HAProxy's weight range 1..256.
int ScaleWeight(int consul_weight);

}  // namespace tender::discovery
