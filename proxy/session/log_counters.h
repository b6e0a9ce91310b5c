// The counters HAProxy's tcplog and httplog lines share (%ac/%fc/%bc/%sc/%rc %sq/%bq),
// filled the same way for every kind of session.
#pragma once

#include "proxy/session/server_slot.h"
#include "proxy/session/session.h"

namespace tender {

template <typename Record>
void FillLogCounters(const FrontendSettings& frontend, const ServerSlot& slot, Record* r) {
  r->active_process = frontend.process_limit ? frontend.process_limit->live.load(std::memory_order_relaxed) : 0;
  r->active_frontend = frontend.limit->live.load(std::memory_order_relaxed);
  if (slot.pool()) {
    r->active_backend = slot.pool()->load->active.load(std::memory_order_relaxed);
    r->backend_queue = slot.pool()->load->queued.load(std::memory_order_relaxed);
    if (slot.picked()) r->active_server = slot.server().load->active.load(std::memory_order_relaxed);
  }
  r->retries = slot.attempts() > 0 ? slot.attempts() - 1 : 0;
  r->redispatched = slot.redispatched();
}

}  // namespace tender
