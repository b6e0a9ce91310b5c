// RETURN_IF_ERROR / ASSIGN_OR_RETURN: Abseil 20220623 (Debian 12) ships neither.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TENDER_CONCAT_INNER_(a, b) a##b
#define TENDER_CONCAT_(a, b) TENDER_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                         \
  do {                                                \
    ::absl::Status tender_status_ = (expr);           \
    if (!tender_status_.ok()) return tender_status_;  \
  } while (0)

#define TENDER_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  TENDER_ASSIGN_OR_RETURN_IMPL_(TENDER_CONCAT_(tender_statusor_, __LINE__), lhs, expr)
