// One layer 4 session: an optional PROXY protocol header from the client
// (`accept-proxy`), a picked server (queued while every server is at its maxconn), a
// connect with retries and redispatch, an optional PROXY header to the server
// (`send-proxy[-v2]`), then a bidirectional relay through splice(2) pipes so that payload
// bytes never enter user space. Each direction half-closes on its own (shutdown(SHUT_WR) on
// the far side once the near side has finished and everything read has been written).
// Owned by, and only touched on, its worker's loop.
#pragma once

#include <list>
#include <optional>
#include <memory>

#include "proxy/acl/acl.h"
#include "proxy/event/event_loop.h"
#include "proxy/lb/balancer.h"
#include "proxy/log/log_target.h"
#include "proxy/net/address.h"
#include "proxy/net/buffer_pool.h"
#include "proxy/pool/pool.h"
#include "proxy/session/server_slot.h"
#include "proxy/session/session.h"

namespace tender {

class TcpSession : public Session, public TimerHandler, public Deferred {
 public:
  // Takes ownership of `client_fd` and starts.
  static void Start(SessionOwner& owner, const FrontendSettings& frontend, int client_fd,
                    const SocketAddress& client_address, bool accept_proxy);

  void OnTimer() override;

  // Sessions are recycled through a per-thread free list: a worker creates and deletes
  // its sessions on its own thread, so steady traffic allocates no session memory.
  static void* operator new(size_t size);
  static void operator delete(void* p);

  // Session.
  bool TryLeaveQueue() override;
  void Abort() override { Close("KD"); }
  void ShutdownIfOn(const ServerLoad* server) override;
  void UsePool(std::shared_ptr<const BackendPool> pool) override { slot_.set_pool(std::move(pool)); }

 private:
  enum class State { kProxyHeader, kQueued, kConnecting, kRelaying, kClosed };

  // Routes one fd's events to the session, saying which side it is.
  class Side : public FdHandler {
   public:
    Side(TcpSession* s, bool client) : session_(s), client_(client) {}
    void OnFdEvents(uint32_t events) override { session_->OnEvents(client_, events); }

   private:
    TcpSession* session_;
    bool client_;
  };

  struct Direction {
    int from = -1;
    int to = -1;
    int pipe_read = -1;
    int pipe_write = -1;
    size_t in_pipe = 0;
    bool copy = false;      // user-space copy instead of splice
    char* buffer = nullptr;  // from the worker's pool, while copying
    size_t buffered = 0;     // bytes in buffer not yet written, from `offset`
    size_t offset = 0;
    bool from_eof = false;
    bool done = false;  // EOF read, everything forwarded, the far side shut
    uint64_t bytes = 0;
  };

  TcpSession(SessionOwner& owner, const FrontendSettings& frontend, int client_fd,
             const SocketAddress& client_address);
  ~TcpSession() override;

  void OnEvents(bool client, uint32_t events);
  void ReadProxyHeader();
  // Applies `tcp-request content` and `use_backend` rules, then dispatches.
  void Route();
  const SocketAddress& FrontendAddress();
  // Picks a server with a free slot and connects, queues, or closes.
  void Dispatch();
  bool PickServer();
  void Connect();
  // `error` is the connect's errno, 0 for a connect timeout.
  void ConnectFailed(int error);
  void OnConnectResult();
  void Enqueue();
  void LeaveQueue();
  void StartRelay();
  void Relay();
  bool Pump(Direction& d);
  bool PumpSplice(Direction& d);
  bool PumpCopy(Direction& d);
  bool EnsurePipe(Direction& d);
  void ArmIdleTimer();
  int64_t IdleTimeoutMs() const;
  void ReleaseServer();
  // Ends the session; `termination` is HAProxy's two-letter code (cause, state).
  void Close(const char* termination);
  void LogSession(const char* termination);
  void LogConnect();

  SessionOwner& owner_;
  const FrontendSettings& frontend_;
  State state_ = State::kConnecting;
  Side client_side_{this, true};
  Side server_side_{this, false};
  int client_fd_;
  SocketAddress client_address_;
  SocketAddress frontend_address_;  // the client's destination, once known
  bool have_frontend_address_ = false;
  int server_fd_ = -1;
  ServerSlot slot_;
  Direction upstream_;    // client -> server
  Direction downstream_;  // server -> client
  Timer timer_{this};
  int64_t last_activity_ms_ = 0;
  int64_t deadline_ms_ = 0;  // for the proxy header, the queue and the connect
  int64_t start_ms_ = 0;
  int64_t start_unix_ms_ = 0;
  int64_t queue_ms_ = -1;
  int64_t connect_started_ms_ = -1;
  int64_t connect_ms_ = -1;
  bool upstream_failed_ = false;  // which side broke, for the log's termination code
};

}  // namespace tender
