// One client connection in `mode http`: requests are read and checked by the strict codec
// (proxy/http/http1.h), routed by the frontend's rules and ACLs, balanced per request,
// sent over a server connection taken from the worker's idle pool (`http-reuse`) or newly
// made, and answered in order; the connection then waits for the next request
// (`timeout http-keep-alive`). Upgrade (WebSocket) and CONNECT turn it into a tunnel.
//
// Data path: the request head is re-serialised (rules, X-Forwarded-For, hop-by-hop fields)
// into a buffer for the server, and the response head likewise for the client; bodies go
// from the input buffer straight to the other socket (sendmsg with two iovecs: pending
// head and body), their framing tracked by the codec, never re-encoded. Buffers come from
// the worker's pool and return to it when empty, so an idle keep-alive connection holds
// none. Owned by, and only touched on, its worker's loop.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "proxy/event/event_loop.h"
#include "proxy/http/chunked.h"
#include "proxy/http/connection_pool.h"
#include "proxy/http/http1.h"
#include "proxy/net/address.h"
#include "proxy/session/server_slot.h"
#include "proxy/session/session.h"

namespace tender::http {

class HttpConnection;

// One request of a client connection, from its first byte to the end of its response
// (several, when pipelined requests are already waiting). Created by its HttpConnection,
// which it hands back to when the connection goes idle.
class HttpSession : public Session, public TimerHandler, public Deferred, public ConnectionUser {
 public:
  explicit HttpSession(HttpConnection& connection);
  // The connection's first request (after a PROXY header when `accept_proxy`).
  void BeginFirst(bool accept_proxy);
  // A parked connection has news: a next request, or the client leaving (or the process
  // is stopping: `draining`). The keep-alive wait still ends at `idle_deadline_ms` (-1:
  // none).
  void Resume(int64_t idle_deadline_ms, bool draining);
  void OnClientEvents(uint32_t events);

  // Session.
  bool TryLeaveQueue() override;
  void UsePool(std::shared_ptr<const BackendPool> pool) override { slot_.set_pool(std::move(pool)); }
  void Abort() override { Close("KD"); }
  void ShutdownIfOn(const ServerLoad* server) override;
  void Drain() override;

  void OnServerEvents(uint32_t events) override;
  void OnTimer() override;

  // Recycled through a per-thread free list.
  static void* operator new(size_t size);
  static void operator delete(void* p);

 private:
  enum class Phase { kProxyHeader, kRequestHead, kQueued, kConnecting, kExchange, kTunnel, kLocalResponse, kParked, kClosed };

  // A pooled buffer: bytes [start, end) are pending; [0, keep) is held for the log line.
  struct Buffer {
    char* data = nullptr;
    size_t start = 0;
    size_t end = 0;
    size_t size() const { return end - start; }
    bool empty() const { return start == end; }
  };

  // Bodies up to this size are copied behind the head and leave with it in one send.
  static constexpr size_t kCoalesceUpTo = 2048;

  ~HttpSession() override;

  void ReadProxyHeader();
  static ssize_t SendIov(int fd, const iovec* iov, int n_iov, int flags);
  // Runs the session until it must wait for an event.
  void Drive();
  // Between requests with nothing held: hands the connection back and goes.
  void ParkIfIdle();
  bool StepRequestHead();
  bool StepExchange();
  bool StepTunnel();
  bool StepLocalResponse();

  // Waits for the next request. The wait for its first byte ends at `wait_until` (-1:
  // never) when given, else after the configured timeout from now.
  void BeginRequest(bool first, std::optional<int64_t> wait_until = std::nullopt);
  // Request handling, once a complete head is in client_in_.
  void HandleRequest(size_t head_length);
  // Applies `rules`; true when one of them answered the request itself.
  bool ApplyRequestRules(const ProxyHttp& settings, const SampleContext& sample);
  bool SerializeRequest(const BackendHttp* backend, const SampleContext& sample);
  void KeepRequestLine(size_t head_length);
  // Sets forced_server_ and the cookie's log flags from the persistence cookie `name`.
  void FindCookieServer(const RequestHead& req, const std::string& name);
  // balance uri / hdr() / url_param: the request's key hashed; false when it has none.
  bool RequestHashKey(const RequestHead& req, const BackendHttp* backend, uint32_t* hash) const;

  // Server side.
  void Dispatch();
  bool PickServer();
  void ObtainConnection();
  void Connect();
  void ConnectFailed(int error);
  void StartExchange();
  void Enqueue();
  void LeaveQueue();
  void ReleaseServer();
  void DropServerConnection();
  // Re-sends a replayable request on a new connection after a reused one failed.
  bool Replay();

  // Exchange steps; false on a fatal error (the session is then closed or answering).
  bool AdvanceRequestBody();
  bool SendToServer(bool* progress);
  bool TryResponseHead(bool* progress);
  bool SerializeResponse(const ResponseHead& head);
  bool AdvanceResponseBody();
  bool SendToClient(bool* progress);
  bool ClosesClientAfterThisSend() const;
  void WatchClientUnlessServerBound();
  void FinishTransaction();
  void ArmExchangeTimer();

  // Local answers. RequestError: the client's request was malformed or too slow (counted
  // as the frontend's request errors, HAProxy's `ereq`).
  void RequestError(int status, const char* termination);
  void LocalError(int status, const char* termination);
  void LocalResponse(const std::string& bytes, int status, bool close, const char* termination);

  // I/O helpers. ReadInto returns bytes read, 0 when nothing is available or no room,
  // -1 at end of stream, -2 on error.
  // `may_read` is the side's readiness: a short read or EAGAIN means the socket is drained
  // until epoll reports a new edge, so no recv() is spent only to learn EAGAIN.
  ssize_t ReadInto(int fd, Buffer& b, size_t keep, bool& may_read);
  bool Acquire(Buffer& b);
  void Release(Buffer& b);

  void LogRequest(const char* termination);
  void Close(const char* termination);
  int64_t Ms(absl::Duration d) const;
  const SocketAddress& FrontendAddress();

  HttpConnection& connection_;
  SessionOwner& owner_;
  const FrontendSettings& frontend_;
  const FrontendHttp& http_;
  Phase phase_ = Phase::kRequestHead;
  int client_fd_;
  SocketAddress client_address_;
  SocketAddress frontend_address_;
  bool have_frontend_address_ = false;
  Timer timer_{this};

  Buffer client_in_, client_out_, server_in_, server_out_;
  size_t keep_ = 0;        // bytes of client_in_ holding the request line for the log
  size_t head_scan_ = 0;   // FindHeadEnd's progress on the current head

  // The current request.
  bool first_request_ = true;
  bool request_started_ = false;  // a byte of it arrived
  bool logged_ = false;
  int64_t request_wait_start_ms_ = 0;
  int64_t request_unix_ms_ = 0;
  int64_t request_ms_ = -1;
  bool req_is_head_ = false;
  bool req_is_connect_ = false;
  bool req_upgrade_ = false;
  bool req_keep_alive_ = false;
  bool req_replayable_ = false;
  int req_version_minor_ = 1;
  Framing req_framing_ = Framing::kNone;
  uint64_t req_left_ = 0;       // Content-Length bytes not yet marked ready
  size_t req_ready_ = 0;        // validated body bytes at client_in_.start
  bool req_body_complete_ = false;
  bool req_done_ = false;       // head and body fully sent to the server
  ChunkedDecoder req_chunks_;
  bool keep_client_ = false;
  bool client_eof_ = false;
  bool client_fin_held_ = false;  // the last bytes wait, corked, for the FIN to join them

  // Backend and server.
  ServerSlot slot_;
  int forced_server_ = -1;      // persistence cookie's server
  uint32_t request_hash_ = 0;   // balance uri/hdr/url_param key
  bool request_has_hash_ = false;
  char cookie_flags_[2] = {'-', '-'};
  bool replayed_ = false;
  ServerConnection* server_ = nullptr;
  bool server_reused_ = false;
  ServerConnection* private_server_ = nullptr;  // http-reuse never: this session's own
  int64_t queue_ms_ = -1, connect_started_ms_ = -1, connect_ms_ = -1;
  int64_t request_sent_ms_ = -1, response_ms_ = -1;
  int64_t client_activity_ms_ = 0, server_activity_ms_ = 0;

  // The current response.
  size_t resp_scan_ = 0;
  bool resp_head_done_ = false;
  bool resp_bytes_seen_ = false;
  int status_ = 0;
  Framing resp_framing_ = Framing::kNone;
  bool resp_server_keeps_alive_ = false;
  uint64_t resp_left_ = 0;
  size_t resp_ready_ = 0;
  bool resp_body_complete_ = false;
  bool resp_done_ = false;
  bool server_eof_ = false;
  ChunkedDecoder resp_chunks_;
  uint64_t bytes_to_client_ = 0;
  bool tunnel_up_eof_ = false, tunnel_down_eof_ = false;
  bool close_after_local_ = true;
  bool client_may_read_ = true;
  bool first_read_unrecorded_ = false;  // the read at accept's outcome, for FirstReadPredictor
  bool server_may_read_ = true;
  bool draining_ = false;  // graceful stop: close after the current response
};

}  // namespace tender::http
