// `log-format`: HAProxy's custom log lines, compiled once at load into literal pieces and
// variables, then written per request into a caller's buffer without allocating.
// Variables: %ci %cp %ft %f %b %s %ST %B %Tt %Ta %TR %Tw %Tc %Tr %tr %t %r %HM %HU %HV
// %ts %tsc %ac %fc %bc %sc %rc %sq %bq, `%{+Q}` quoting a variable, `%%` a percent sign.
// Anything else is an error at load (a `%[...]` sample expression included).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proxy/log/tcp_log.h"

namespace tender {

class LogFormat {
 public:
  static absl::StatusOr<LogFormat> Compile(const std::string& text);
  size_t Format(const HttpLogRecord& r, char* out, size_t capacity) const;

 private:
  enum class Var {
    kLiteral, kClientIp, kClientPort, kFrontend, kBackend, kServer, kStatus, kBytes, kTotal, kActive,
    kRequestTime, kQueueTime, kConnectTime, kResponseTime, kDate, kRequestLine, kMethod, kUri, kVersion,
    kTermination2, kTermination4, kActProcess, kActFrontend, kActBackend, kActServer, kRetries,
    kServerQueue, kBackendQueue,
  };
  struct Part {
    Var var = Var::kLiteral;
    std::string literal;
    bool quote = false;
  };
  std::vector<Part> parts_;
};

}  // namespace tender
