// One layer 4 session: a client connection, a picked server, a connect with retries and
// redispatch, then a bidirectional relay through splice(2) pipes so that payload bytes
// never enter user space. Each direction half-closes on its own (shutdown(SHUT_WR) on the
// far side once the near side has finished and everything read has been written).
// Owned by, and only touched on, its worker's loop.
#pragma once

#include <memory>

#include "proxy/event/event_loop.h"
#include "proxy/lb/balancer.h"
#include "proxy/net/address.h"
#include "proxy/pool/pool.h"

namespace tender {

// What a session needs from the worker that owns it.
class SessionOwner {
 public:
  virtual ~SessionOwner() = default;
  virtual EventLoop& loop() = 0;
  virtual Balancer* BalancerFor(const std::string& backend) = 0;
  virtual std::shared_ptr<const BackendPool> PoolFor(const std::string& backend) = 0;
  virtual void SessionClosed() = 0;
};

struct FrontendSettings {
  std::string name;
  std::string backend;                           // default_backend
  absl::Duration client_timeout = absl::InfiniteDuration();
  absl::Duration client_fin_timeout = absl::InfiniteDuration();
  bool has_client_fin = false;
  bool tcplog = false;
};

class TcpSession : public FdHandler, public TimerHandler, public Deferred {
 public:
  // Takes ownership of `client_fd` and starts.
  static void Start(SessionOwner& owner, const FrontendSettings& frontend, int client_fd,
                    const SocketAddress& client_address);

  void OnFdEvents(uint32_t events) override;
  void OnTimer() override;

 private:
  struct Direction {
    int from = -1;
    int to = -1;
    int pipe_read = -1;
    int pipe_write = -1;
    size_t in_pipe = 0;
    bool from_eof = false;
    bool done = false;  // EOF read and everything forwarded and the far side shut
    uint64_t bytes = 0;
  };

  TcpSession(SessionOwner& owner, const FrontendSettings& frontend, int client_fd,
             const SocketAddress& client_address);
  ~TcpSession() override;

  void ConnectToServer();
  void OnConnectResult();
  void Relay();
  // Moves what it can from d.from to d.to; false on a fatal error.
  bool Pump(Direction& d);
  bool EnsurePipe(Direction& d);
  void ArmIdleTimer();
  void Close(const char* reason);
  int64_t IdleTimeoutMs() const;

  SessionOwner& owner_;
  const FrontendSettings& frontend_;
  int client_fd_;
  SocketAddress client_address_;
  int server_fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  int attempts_ = 0;
  int server_index_ = -1;
  std::shared_ptr<const BackendPool> pool_;
  Direction upstream_;    // client -> server
  Direction downstream_;  // server -> client
  Timer timer_{this};
  int64_t last_activity_ms_ = 0;
  int64_t connect_deadline_ms_ = 0;
  int64_t start_ms_ = 0;
};

}  // namespace tender
