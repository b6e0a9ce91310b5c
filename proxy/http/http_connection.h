// A client connection in `mode http`, for as long as it is open: the part that stays
// while the connection waits for its next request. The request itself (parsing, routing,
// the server side, the response) is an HttpSession, which exists only from the first byte
// of a request to the end of its response; between requests the connection rests parked,
// holding no session and no buffer. An idle keep-alive connection then costs this object
// (168 bytes) and the kernel's socket, which is what lets a sidecar hold tens of
// thousands of them.
//
// The connection is what the worker registers (for stops and shutdowns) and what epoll
// reports the client socket's events to; it hands them to its session while there is one.
// Owned by, and only touched on, its worker's loop.
#pragma once

#include <cstdint>

#include "proxy/event/event_loop.h"
#include "proxy/net/address.h"
#include "proxy/session/session.h"

namespace tender::http {

class HttpSession;

class HttpConnection final : public Session, public FdHandler, public TimerHandler, public Deferred {
 public:
  // Takes ownership of `client_fd` and starts its first request.
  static void Start(SessionOwner& owner, const FrontendSettings& frontend, int client_fd,
                    const SocketAddress& client_address, bool accept_proxy);

  // Session: a connection is never queued itself (its session is).
  bool TryLeaveQueue() override { return false; }
  void UsePool(std::shared_ptr<const BackendPool>) override {}
  void Abort() override;
  void ShutdownIfOn(const ServerLoad* server) override;
  void Drain() override;

  void OnFdEvents(uint32_t events) override;
  // The keep-alive wait of a parked connection ran out.
  void OnTimer() override;

  // For the session.
  int fd() const { return fd_; }
  SessionOwner& owner() const { return owner_; }
  const FrontendSettings& frontend() const { return frontend_; }
  SocketAddress client_address() const { return client_.Expand(); }
  // The address the client connected to (or the PROXY header's destination).
  SocketAddress FrontendAddress();
  // A PROXY header named the connection's true addresses.
  void SetAddresses(const SocketAddress& client, const SocketAddress& frontend);
  // The session has finished its request and waits for the next: it goes (the caller
  // deletes it later), the connection waits until `idle_deadline_ms` (-1: no limit).
  void Park(int64_t idle_deadline_ms);
  // The session closed the client socket: the connection is done.
  void Closed();
  // The client's socket joins the epoll set; until the session first waits on the client
  // it stays out (a request answered on the server's events alone never needs it).
  void Watch();
  bool watched() const { return watched_; }

  static void* operator new(size_t size);
  static void operator delete(void* p);

 private:
  HttpConnection(SessionOwner& owner, const FrontendSettings& frontend, int fd, const SocketAddress& client);
  // A parked connection gets a session again.
  void Wake(bool draining);
  // Closes a parked connection.
  void CloseParked();

  SessionOwner& owner_;
  const FrontendSettings& frontend_;
  HttpSession* session_ = nullptr;
  Timer timer_{this};
  int fd_;
  bool have_frontend_address_ = false;
  bool watched_ = false;
  InetAddress client_;
  InetAddress frontend_address_;
};

}  // namespace tender::http
