#include "proxy/http/http_session.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "proxy/common/log.h"
#include "proxy/http/http_connection.h"
#include "proxy/http/responses.h"
#include "proxy/lb/hash.h"
#include "proxy/log/tcp_log.h"
#include "proxy/net/proxy_protocol.h"
#include "proxy/net/socket.h"
#include "proxy/session/accept_proxy.h"
#include "proxy/session/log_counters.h"
#include "proxy/session/recycler.h"

namespace tender::http {
namespace {

constexpr size_t kLogLineKeep = 1024;  // tune.http.logurilen
// Sessions live only while a request is in flight; a few hundred free ones cover steady
// traffic, and a burst's surplus goes back to the allocator instead of staying cached.
constexpr size_t kSessionsKept = 256;

// Appends to a fixed buffer; remembers an overflow instead of failing at each call.
class Writer {
 public:
  Writer(char* data, size_t capacity, size_t used) : data_(data), capacity_(capacity), used_(used) {}
  void Add(absl::string_view s) {
    if (overflow_ || used_ + s.size() > capacity_) {
      overflow_ = true;
      return;
    }
    memcpy(data_ + used_, s.data(), s.size());
    used_ += s.size();
  }
  void Field(absl::string_view name, absl::string_view value) {
    Add(name);
    Add(": ");
    Add(value);
    Add("\r\n");
  }
  size_t used() const { return used_; }
  bool overflow() const { return overflow_; }

 private:
  char* data_;
  size_t capacity_;
  size_t used_;
  bool overflow_ = false;
};

bool IsHopByHop(absl::string_view name) {
  return EqualsIgnoreCase(name, "connection") || EqualsIgnoreCase(name, "keep-alive") ||
         EqualsIgnoreCase(name, "proxy-connection");
}

// Rules that change the message sent on rather than answer it.
bool IsHeaderEdit(const config::HttpRule& r, bool request) {
  if (request) {
    using A = config::HttpRequestAction;
    return r.request_action == A::kSetHeader || r.request_action == A::kAddHeader || r.request_action == A::kDelHeader ||
           r.request_action == A::kReplaceHeader || r.request_action == A::kSetPath;
  }
  return true;  // http-response has only set-header and del-header
}

bool Removes(const config::HttpRule& r, bool request) {
  if (!request) return true;
  return r.request_action == config::HttpRequestAction::kSetHeader || r.request_action == config::HttpRequestAction::kDelHeader;
}

bool Adds(const config::HttpRule& r, bool request) {
  if (!request) return r.response_action == config::HttpResponseAction::kSetHeader;
  return r.request_action == config::HttpRequestAction::kSetHeader || r.request_action == config::HttpRequestAction::kAddHeader;
}

// The matched header rules of a message, in order; applied while serialising: an original
// field survives unless a set-header/del-header names it; a rule's added field survives
// unless a later set-header/del-header names it.
struct Edits {
  const CompiledRule* compiled[64];  // parallel to rules, for replace-header's regex
  const config::HttpRule* rules[64];
  int count = 0;
  bool overflow = false;
  void Push(const CompiledRule* r) {
    if (count == 64) {
      overflow = true;
      return;
    }
    compiled[count] = r;
    rules[count++] = &r->rule;
  }
  // The value of an original field after the replace-header rules that name it; `scratch`
  // holds a replaced value. RE2 builds each replacement, so only fields that a matching
  // replace-header names cost an allocation.
  absl::string_view Rewrite(const HeaderField& f, std::string* scratch) const {
    absl::string_view value = f.value;
    for (int i = 0; i < count; ++i) {
      if (rules[i]->request_action != config::HttpRequestAction::kReplaceHeader || compiled[i]->regex == nullptr ||
          !EqualsIgnoreCase(rules[i]->name, f.name)) {
        continue;
      }
      std::string replaced(value);
      if (RE2::Replace(&replaced, *compiled[i]->regex, rules[i]->value)) {
        scratch->swap(replaced);
        value = *scratch;
      }
    }
    return value;
  }
  // The last set-path's path, or empty.
  absl::string_view NewPath() const {
    absl::string_view path;
    for (int i = 0; i < count; ++i) {
      if (rules[i]->request_action == config::HttpRequestAction::kSetPath) path = rules[i]->value;
    }
    return path;
  }
  bool Deletes(absl::string_view name, bool request) const {
    for (int i = 0; i < count; ++i) {
      if (Removes(*rules[i], request) && EqualsIgnoreCase(rules[i]->name, name)) return true;
    }
    return false;
  }
  void WriteAdded(Writer& w, bool request) const {
    for (int i = 0; i < count; ++i) {
      if (!Adds(*rules[i], request)) continue;
      bool removed_later = false;
      for (int j = i + 1; j < count && !removed_later; ++j) {
        removed_later = Removes(*rules[j], request) && EqualsIgnoreCase(rules[j]->name, rules[i]->name);
      }
      if (!removed_later) w.Field(rules[i]->name, rules[i]->value);
    }
  }
};

// `option httpclose` or `option http-server-close`, on either side: the server
// connection closes after each response.
bool ClosesServerSide(const FrontendHttp& frontend, const BackendHttp* backend) {
  return frontend.httpclose || frontend.http_server_close ||
         (backend != nullptr && (backend->httpclose || backend->http_server_close));
}

// Local answers (return, redirect, monitor-uri) are composed in a per-thread string that
// keeps its capacity, so answering allocates nothing once warm.
std::string& LocalAnswer() {
  thread_local std::string answer;
  answer.clear();
  return answer;
}

void CollectResponseEdits(const ProxyHttp* settings, const SampleContext& sample, Edits* edits) {
  if (settings == nullptr) return;
  for (const CompiledRule& r : settings->response_rules) {
    if (r.Applies(sample)) edits->Push(&r);
  }
}

}  // namespace

void* HttpSession::operator new(size_t size) { return Recycler<HttpSession, kSessionsKept>::Allocate(size); }
void HttpSession::operator delete(void* p) { Recycler<HttpSession, kSessionsKept>::Free(p); }

HttpSession::HttpSession(HttpConnection& connection)
    : connection_(connection), owner_(connection.owner()), frontend_(connection.frontend()),
      http_(*frontend_.http), client_fd_(connection.fd()), client_address_(connection.client_address()) {}

void HttpSession::BeginFirst(bool accept_proxy) {
  if (accept_proxy) {
    phase_ = Phase::kProxyHeader;
    int64_t limit = Ms(frontend_.client_timeout);
    if (limit >= 0) owner_.loop().Arm(&timer_, owner_.loop().now_ms() + limit);
    ReadProxyHeader();
    return;
  }
  BeginRequest(/*first=*/true);
  // Whether to read before epoll reports the socket. Only safe while the socket is not in
  // the epoll set: Watch() then reports bytes that are already there, where an
  // edge-triggered registration that has already reported them would not.
  if (!connection_.watched()) {
    client_may_read_ = owner_.http().first_read().ShouldTry();
    first_read_unrecorded_ = client_may_read_;
  }
  Drive();
}

void HttpSession::Resume(int64_t idle_deadline_ms, bool draining) {
  BeginRequest(/*first=*/false, idle_deadline_ms);
  client_may_read_ = true;
  if (draining) Drain();
  else Drive();
}

HttpSession::~HttpSession() {
  Release(client_in_);
  Release(client_out_);
  Release(server_in_);
  Release(server_out_);
}

int64_t HttpSession::Ms(absl::Duration d) const {
  if (d == absl::InfiniteDuration()) return -1;
  return absl::ToInt64Milliseconds(d);
}

const SocketAddress& HttpSession::FrontendAddress() {
  if (!have_frontend_address_) {
    frontend_address_ = connection_.FrontendAddress();
    have_frontend_address_ = true;
  }
  return frontend_address_;
}

bool HttpSession::Acquire(Buffer& b) {
  if (b.data == nullptr) {
    b.data = owner_.buffers().Acquire();
    b.start = b.end = 0;
  }
  return true;
}

void HttpSession::Release(Buffer& b) {
  owner_.buffers().Release(b.data);
  b = Buffer();
}

ssize_t HttpSession::SendIov(int fd, const iovec* iov, int n_iov, int flags) {
  if (n_iov == 1) return send(fd, iov[0].iov_base, iov[0].iov_len, flags);
  msghdr msg = {};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = n_iov;
  return sendmsg(fd, &msg, flags);
}

ssize_t HttpSession::ReadInto(int fd, Buffer& b, size_t keep, bool& may_read) {
  if (!may_read) return 0;
  Acquire(b);
  size_t capacity = owner_.buffers().buffer_size();
  if (b.end == capacity && b.start > keep) {
    // Room at the front (already sent): move the pending bytes down.
    memmove(b.data + keep, b.data + b.start, b.size());
    b.end -= b.start - keep;
    b.start = keep;
  }
  if (b.end == capacity) return 0;
  size_t room = capacity - b.end;
  ssize_t n = recv(fd, b.data + b.end, room, MSG_DONTWAIT);
  if (n > 0) {
    b.end += n;
    if (static_cast<size_t>(n) < room) may_read = false;
    return n;
  }
  if (n == 0) return -1;
  if (errno == EAGAIN) may_read = false;
  return errno == EAGAIN || errno == EINTR ? 0 : -2;
}

// ---------------------------------------------------------------------------------------
// Events and the driver.

void HttpSession::OnClientEvents(uint32_t events) {
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) client_may_read_ = true;
  if (phase_ == Phase::kProxyHeader) {
    ReadProxyHeader();
    return;
  }
  if (phase_ == Phase::kQueued || phase_ == Phase::kConnecting) {
    // A client that leaves while waiting for a server gives its place up.
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) Close("CQ");
    return;
  }
  Drive();
}

void HttpSession::OnServerEvents(uint32_t events) {
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) server_may_read_ = true;
  if (phase_ == Phase::kConnecting) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    int err = SocketError(server_->fd());
    if (err != 0) {
      ConnectFailed(err);
      Drive();
      return;
    }
    connect_ms_ = owner_.loop().now_ms() - connect_started_ms_;
    StartExchange();
  }
  Drive();
}

void HttpSession::Drive() {
  for (;;) {
    bool again = false;
    switch (phase_) {
      case Phase::kRequestHead: again = StepRequestHead(); break;
      case Phase::kExchange: again = StepExchange(); break;
      case Phase::kTunnel: again = StepTunnel(); break;
      case Phase::kLocalResponse: again = StepLocalResponse(); break;
      default: return;
    }
    if (!again) break;
  }
  if (phase_ == Phase::kExchange) ArmExchangeTimer();
  ParkIfIdle();
  WatchClientUnlessServerBound();
}

void HttpSession::WatchClientUnlessServerBound() {
  // A connection is added to the epoll set only once its session waits on the client or
  // on room to write to it. Waiting for a response head to a request fully sent needs
  // nothing from the client (a client leaving then is seen on the next send, as before):
  // a Connection: close request answered at once never costs an epoll_ctl(2).
  if (phase_ == Phase::kClosed || connection_.watched()) return;
  bool server_bound = phase_ == Phase::kExchange && req_done_ && !resp_head_done_ && client_out_.empty();
  if (!server_bound) connection_.Watch();
}

void HttpSession::ParkIfIdle() {
  // A connection's first wait stays with its session (408 on expiry, as HAProxy); so
  // does one that keeps its own server connection (`http-reuse never`).
  if (phase_ != Phase::kRequestHead || first_request_ || draining_ || client_in_.data != nullptr ||
      client_out_.data != nullptr || server_ != nullptr || private_server_ != nullptr) {
    return;
  }
  int64_t deadline = timer_.armed() ? timer_.deadline_ms : -1;
  owner_.loop().Disarm(&timer_);
  phase_ = Phase::kParked;
  connection_.Park(deadline);
  owner_.loop().DeleteLater(this);
}

void HttpSession::ReadProxyHeader() {
  ProxyHeaderRead read = tender::ReadProxyHeader(client_fd_, frontend_, &client_address_, &frontend_address_,
                                                 &have_frontend_address_);
  if (read == ProxyHeaderRead::kWaiting) {
    WatchClientUnlessServerBound();
    return;
  }
  if (read != ProxyHeaderRead::kDone) {
    Close(TerminationFor(read));
    return;
  }
  if (have_frontend_address_) connection_.SetAddresses(client_address_, frontend_address_);
  BeginRequest(/*first=*/true);
  Drive();
}

// ---------------------------------------------------------------------------------------
// Reading a request.

void HttpSession::BeginRequest(bool first, std::optional<int64_t> wait_until) {
  phase_ = Phase::kRequestHead;
  first_request_ = first;
  // Pipelined bytes move to the front: the next head starts at offset 0.
  if (client_in_.data != nullptr) {
    size_t pending = client_in_.size();
    if (pending == 0) {
      Release(client_in_);  // an idle keep-alive connection holds no buffer
    } else {
      memmove(client_in_.data, client_in_.data + client_in_.start, pending);
      client_in_.start = 0;
      client_in_.end = pending;
    }
  }
  Release(client_out_);
  keep_ = 0;
  head_scan_ = 0;
  request_started_ = client_in_.data != nullptr;
  logged_ = false;
  int64_t now = owner_.loop().now_ms();
  request_wait_start_ms_ = now;
  // The wall clock is read when the request's first byte is seen (here for pipelined
  // bytes already received, else in StepRequestHead).
  if (request_started_) request_unix_ms_ = absl::ToUnixMillis(absl::Now());
  request_ms_ = -1;
  request_hash_ = 0;
  request_has_hash_ = false;
  req_framing_ = Framing::kNone;
  req_left_ = 0;
  req_ready_ = 0;
  req_body_complete_ = req_done_ = false;
  req_chunks_.Reset();
  keep_client_ = false;
  client_fin_held_ = false;
  slot_.Clear();
  forced_server_ = -1;
  cookie_flags_[0] = cookie_flags_[1] = '-';
  replayed_ = false;
  server_reused_ = false;
  queue_ms_ = connect_started_ms_ = connect_ms_ = request_sent_ms_ = response_ms_ = -1;
  resp_scan_ = 0;
  resp_head_done_ = resp_bytes_seen_ = false;
  status_ = 0;
  resp_framing_ = Framing::kNone;
  resp_server_keeps_alive_ = false;
  resp_left_ = 0;
  resp_ready_ = 0;
  resp_body_complete_ = resp_done_ = server_eof_ = false;
  resp_chunks_.Reset();
  bytes_to_client_ = 0;
  // The first request has `timeout http-request` from the accept; later ones wait up to
  // `timeout http-keep-alive` for their first byte, then `timeout http-request`.
  int64_t limit = Ms(first || request_started_ ? http_.request_timeout : http_.keep_alive_timeout);
  int64_t deadline = wait_until ? *wait_until : (limit >= 0 ? now + limit : -1);
  if (deadline >= 0) owner_.loop().Arm(&timer_, deadline);
  else owner_.loop().Disarm(&timer_);
}

bool HttpSession::StepRequestHead() {
  ssize_t n;
  while ((n = ReadInto(client_fd_, client_in_, 0, client_may_read_)) > 0) {
  }
  if (first_read_unrecorded_) {
    first_read_unrecorded_ = false;
    owner_.http().first_read().Record(!client_in_.empty() || n < 0);
  }
  // Nothing came: no buffer is held while waiting.
  if (client_in_.data != nullptr && client_in_.empty() && keep_ == 0 && n == 0) Release(client_in_);
  if (!client_in_.empty() && !request_started_) {
    request_started_ = true;
    int64_t limit = Ms(http_.request_timeout);
    if (limit >= 0) owner_.loop().Arm(&timer_, owner_.loop().now_ms() + limit);
    request_wait_start_ms_ = owner_.loop().now_ms();
    request_unix_ms_ = absl::ToUnixMillis(absl::Now());
  }
  if (!client_in_.empty()) {
    size_t head_length = 0;
    ParseError error;
    absl::string_view data(client_in_.data, client_in_.end);
    HeadStatus s = FindHeadEnd(data, &head_scan_, &head_length, &error);
    if (s == HeadStatus::kError) {
      RequestError(error.status, "PR");
      return true;
    }
    if (s == HeadStatus::kComplete) {
      HandleRequest(head_length);
      return true;
    }
    if (client_in_.end == owner_.buffers().buffer_size()) {
      // The head does not fit in tune.bufsize: the request line alone, or the fields.
      bool line_complete = data.find("\r\n") != absl::string_view::npos;
      RequestError(line_complete ? 431 : 414, "PR");
      return true;
    }
  }
  if (n < 0) {
    // The client closed (or broke) before a complete request: nothing to answer.
    if (client_in_.empty()) Release(client_in_);
    Close(client_in_.data != nullptr ? "CR" : "--");
    return false;
  }
  return false;
}

void HttpSession::HandleRequest(size_t head_length) {
  RequestHead req;
  ParseError error;
  HeaderField* fields = owner_.http().fields();
  Limits limits;
  limits.max_headers = owner_.http().max_headers();
  if (ParseRequestHead(absl::string_view(client_in_.data, head_length), limits, fields, &req, &error) !=
      HeadStatus::kComplete) {
    KeepRequestLine(0);
    RequestError(error.status, "PR");
    return;
  }
  owner_.loop().Disarm(&timer_);
  request_ms_ = owner_.loop().now_ms() - request_wait_start_ms_;
  req_is_head_ = req.is_head;
  req_is_connect_ = req.is_connect;
  req_upgrade_ = req.connection.upgrade && req.has_upgrade_header;
  req_keep_alive_ = req.WantsKeepAlive();
  req_version_minor_ = req.version_minor;
  req_framing_ = req.framing;
  req_left_ = req.content_length;
  // Sent again by tender itself when a reused connection fails under it: only without a
  // body and only when repeating it is harmless (RFC 9110 9.2.2).
  req_replayable_ = req.framing == Framing::kNone && req.idempotent;

  SampleContext sample;
  sample.source = &client_address_;
  if (frontend_.rules_need_destination) sample.destination = &FrontendAddress();
  sample.request = &req;

  // monitor-uri answers before any rule, as in HAProxy.
  if (!http_.monitor_uri.empty() && req.path == http_.monitor_uri) {
    std::string& out = LocalAnswer();
    bool close = !req_keep_alive_ || req_framing_ != Framing::kNone;
    AppendResponse(&out, 200, "text/html", "<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n", "", close);
    KeepRequestLine(req.head_length);
    LocalResponse(out, 200, close, "LR");
    return;
  }
  if (ApplyRequestRules(http_, sample)) return;
  const std::string* backend = &frontend_.backend;
  for (const BackendRule& rule : frontend_.use_backends) {
    if (!rule.condition || rule.condition->Evaluate(sample)) {
      backend = &rule.backend;
      break;
    }
  }
  slot_.Reset(owner_, *backend);
  if (slot_.pool() == nullptr) {
    KeepRequestLine(req.head_length);
    LocalError(503, "SC");
    return;
  }
  const BackendHttp* backend_http = slot_.pool()->http.get();
  if (backend_http != nullptr && ApplyRequestRules(*backend_http, sample)) return;
  if (backend_http != nullptr && backend_http->cookie_mode != CookieMode::kNone) {
    // The persistence cookie's server, found now while the fields are at hand.
    FindCookieServer(req, backend_http->cookie_name);
  }
  if (!SerializeRequest(backend_http, sample)) {
    KeepRequestLine(req.head_length);
    LocalError(500, "PR");  // the rewritten head does not fit in a buffer
    return;
  }
  // Hash keys are read now; the fields are scratch space that the next head reuses.
  request_has_hash_ = RequestHashKey(req, backend_http, &request_hash_);
  KeepRequestLine(req.head_length);
  Dispatch();
}

void HttpSession::FindCookieServer(const RequestHead& req, const std::string& name) {
  const BackendPool& pool = *slot_.pool();
  cookie_flags_[0] = 'N';
  for (int i = 0; i < req.field_count; ++i) {
    if (!EqualsIgnoreCase(req.fields[i].name, "cookie")) continue;
    ForEachPair(req.fields[i].value, ";", [&](absl::string_view key, absl::string_view value, absl::string_view) {
      if (key != name) return false;
      cookie_flags_[0] = 'I';
      for (size_t s = 0; s < pool.servers.size(); ++s) {
        const ServerEntry& e = pool.servers[s];
        if (e.cookie.empty() || e.cookie != value) continue;
        if (e.Usable()) {
          forced_server_ = static_cast<int>(s);
          cookie_flags_[0] = 'V';
        } else {
          cookie_flags_[0] = 'D';  // its server is down: balanced like a new client
        }
        break;
      }
      return false;
    });
  }
}

bool HttpSession::RequestHashKey(const RequestHead& req, const BackendHttp* backend, uint32_t* hash) const {
  const config::BalanceConfig& balance = slot_.pool()->balance;
  absl::string_view key;
  bool found = false;
  switch (balance.algorithm) {
    case config::BalanceAlgorithm::kUri: {
      bool whole = false;
      for (const std::string& o : balance.options) whole |= o == "whole";
      key = whole ? req.target : req.path;
      found = true;
      break;
    }
    case config::BalanceAlgorithm::kHdr:
      if (backend == nullptr) break;
      if (const HeaderField* f = FindField(req.fields, req.field_count, backend->hash_header)) {
        key = f->value;
        found = true;
      }
      break;
    case config::BalanceAlgorithm::kUrlParam:
      if (backend == nullptr) break;
      found = ForEachPair(req.query, "&", [&](absl::string_view name, absl::string_view value, absl::string_view) {
        key = value;
        return name == backend->hash_param;
      });
      break;
    default:
      return false;
  }
  if (found) *hash = SdbmHash(key);
  return found;
}

void HttpSession::KeepRequestLine(size_t head_length) {
  // Keep the request line at the front of client_in_ for the log; drop the rest of the
  // head; pending body (or pipelined) bytes follow it.
  absl::string_view data(client_in_.data, client_in_.end);
  size_t line_start = 0;
  while (data.substr(line_start, 2) == "\r\n") line_start += 2;
  size_t line_end = data.find("\r\n", line_start);
  if (line_end == absl::string_view::npos || line_end > (head_length ? head_length : client_in_.end)) line_end = line_start;
  size_t line = std::min(line_end - line_start, kLogLineKeep);
  memmove(client_in_.data, client_in_.data + line_start, line);
  keep_ = line;
  if (head_length == 0) {
    // A request that failed to parse: nothing after it is trusted.
    client_in_.start = client_in_.end = keep_;
    return;
  }
  size_t rest = client_in_.end - head_length;
  memmove(client_in_.data + keep_, client_in_.data + head_length, rest);
  client_in_.start = keep_;
  client_in_.end = keep_ + rest;
}

bool HttpSession::ApplyRequestRules(const ProxyHttp& settings, const SampleContext& sample) {
  for (const CompiledRule& r : settings.request_rules) {
    if (IsHeaderEdit(r.rule, true) || !r.Applies(sample)) continue;
    const config::HttpRule& rule = r.rule;
    bool body_follows = req_framing_ != Framing::kNone;
    bool close = !req_keep_alive_ || body_follows;
    std::string& out = LocalAnswer();
    switch (rule.request_action) {
      case config::HttpRequestAction::kDeny:
        frontend_.limit->denied.fetch_add(1, std::memory_order_relaxed);
        KeepRequestLine(sample.request->head_length);
        LocalError(rule.status, "PR");
        return true;
      case config::HttpRequestAction::kReturn:
        AppendResponse(&out, rule.status, rule.content_type, rule.value, "", close);
        KeepRequestLine(sample.request->head_length);
        LocalResponse(out, rule.status, close, "LR");
        return true;
      case config::HttpRequestAction::kRedirect: {
        const RequestHead& req = *sample.request;
        bool drop_query = false, append_slash = false;
        for (const std::string& o : rule.redirect_options) {
          drop_query |= o == "drop-query";
          append_slash |= o == "append-slash";
        }
        thread_local std::string location;
        absl::string_view path_and_query = req.target;
        if (req.path.data() != nullptr && !req.path.empty()) {
          path_and_query = absl::string_view(req.path.data(), req.target.data() + req.target.size() - req.path.data());
        }
        if (drop_query) path_and_query = req.path;
        switch (rule.redirect_kind) {
          case config::RedirectKind::kLocation:
            location.assign(rule.value);
            break;
          case config::RedirectKind::kPrefix:
            location.assign(rule.value == "/" ? "" : rule.value);
            location.append(path_and_query.data(), path_and_query.size());
            break;
          case config::RedirectKind::kScheme:
            location.assign(rule.value);
            absl::StrAppend(&location, "://", req.host, path_and_query);
            break;
        }
        if (append_slash && !location.empty() && location.back() != '/') location += '/';
        location.insert(0, "location: ");
        location += "\r\n";
        AppendResponse(&out, rule.status, "", "", location, close);
        KeepRequestLine(req.head_length);
        LocalResponse(out, rule.status, close, "LR");
        return true;
      }
      default:
        break;
    }
  }
  return false;
}

bool HttpSession::SerializeRequest(const BackendHttp* backend, const SampleContext& sample) {
  const RequestHead& req = *sample.request;
  Edits edits;
  absl::string_view new_path;
  const ProxyHttp* sides[2] = {&http_, backend};
  for (const ProxyHttp* side : sides) {
    if (side == nullptr) continue;
    for (const CompiledRule& r : side->request_rules) {
      if (!IsHeaderEdit(r.rule, true) || !r.Applies(sample)) continue;
      edits.Push(&r);
    }
  }
  if (edits.overflow) return false;
  new_path = edits.NewPath();
  thread_local std::string replaced;
  Acquire(server_out_);
  Writer w(server_out_.data, owner_.buffers().buffer_size(), 0);
  if (!new_path.empty()) {
    w.Add(req.method);
    w.Add(" ");
    w.Add(new_path);
    // Whatever followed the path (the query) stays.
    size_t path_end = static_cast<size_t>(req.path.data() - req.target.data()) + req.path.size();
    w.Add(req.path.data() != nullptr && path_end <= req.target.size() ? req.target.substr(path_end) : absl::string_view());
    w.Add(req.version_minor == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
  } else {
    w.Add(req.request_line);
    w.Add("\r\n");
  }
  bool strip_cookie = backend != nullptr && backend->cookie_mode == CookieMode::kInsert && backend->cookie_indirect;
  for (int i = 0; i < req.field_count; ++i) {
    const HeaderField& f = req.fields[i];
    if (IsHopByHop(f.name) || edits.Deletes(f.name, true)) continue;
    if (strip_cookie && EqualsIgnoreCase(f.name, "cookie")) {
      // `indirect`: the persistence cookie is tender's business, not the server's.
      bool any = false;
      size_t mark = w.used();
      w.Add(f.name);
      w.Add(": ");
      ForEachPair(f.value, ";", [&](absl::string_view name, absl::string_view, absl::string_view pair) {
        if (name != backend->cookie_name) {
          if (any) w.Add("; ");
          w.Add(pair);
          any = true;
        }
        return false;
      });
      if (any) {
        w.Add("\r\n");
      } else {
        w = Writer(server_out_.data, owner_.buffers().buffer_size(), mark);
      }
      continue;
    }
    w.Field(f.name, edits.Rewrite(f, &replaced));
  }
  edits.WriteAdded(w, true);
  // option forwardfor: the frontend's, else the backend's.
  const ProxyHttp* xff = http_.forwardfor ? static_cast<const ProxyHttp*>(&http_)
                                          : (backend != nullptr && backend->forwardfor ? backend : nullptr);
  if (xff != nullptr && !(xff->forwardfor_except && xff->forwardfor_except->Evaluate(sample))) {
    char host[INET6_ADDRSTRLEN];
    FormatHost(client_address_, host, sizeof(host));
    w.Field(xff->forwardfor_header, host);
  }
  if (req_upgrade_) {
    w.Add("Connection: upgrade\r\n");
  } else if (ClosesServerSide(http_, backend)) {
    w.Add("Connection: close\r\n");
  } else if (req.version_minor == 0) {
    w.Add("Connection: keep-alive\r\n");
  }
  w.Add("\r\n");
  if (w.overflow()) return false;
  server_out_.start = 0;
  server_out_.end = w.used();
  return true;
}

// ---------------------------------------------------------------------------------------
// Choosing a server and a connection.

void HttpSession::Dispatch() {
  phase_ = Phase::kConnecting;
  if (PickServer()) {
    ObtainConnection();
    return;
  }
  Enqueue();
}

bool HttpSession::PickServer() {
  if (slot_.pool() == nullptr) return false;
  PickContext ctx;
  if (slot_.pool()->balance.algorithm == config::BalanceAlgorithm::kSource) {
    ctx.client_hash = HashAddress(client_address_);
  } else if (request_has_hash_) {
    ctx.client_hash = request_hash_;
  } else {
    ctx.no_hash_key = true;
  }
  return slot_.Pick(owner_, ctx, forced_server_);
}

void HttpSession::ObtainConnection() {
  const ServerEntry& server = slot_.server();
  SocketAddress target = slot_.Target([this]() -> const SocketAddress& { return FrontendAddress(); });
  ReuseMode reuse = slot_.pool()->http ? slot_.pool()->http->reuse : ReuseMode::kSafe;
  ServerConnection* c = nullptr;
  if (private_server_ != nullptr) {
    if (private_server_->server() == server.load.get() &&
        memcmp(&private_server_->address().storage, &target.storage, target.length) == 0) {
      c = private_server_;
    } else {
      owner_.http().idle().Discard(private_server_);
    }
    private_server_ = nullptr;
  }
  if (c == nullptr && reuse != ReuseMode::kNever && !req_upgrade_ && !req_is_connect_) {
    // safe keeps a client's first request off shared connections so that, if the server
    // closes one just as the request arrives, the client may retry. tender retries such a
    // request itself when it is replayable (Replay()), so only the others need a new
    // connection. aggressive: a first request may go on a connection that has proven
    // itself; always: anything.
    bool allowed = !first_request_ || reuse != ReuseMode::kSafe || req_replayable_;
    if (allowed) c = owner_.http().idle().Take(server.load.get(), target, first_request_ && reuse == ReuseMode::kAggressive);
  }
  if (c != nullptr) {
    server_ = c;
    server_->set_user(this);
    server_reused_ = true;
    server_may_read_ = false;  // drained while idle (the pool closes one that is not); epoll tells of news
    if (queue_ms_ < 0) queue_ms_ = 0;
    connect_ms_ = 0;
    slot_.CountAttempt();
    StartExchange();
    return;
  }
  Connect();
}

void HttpSession::Connect() {
  const ServerEntry& server = slot_.server();
  SocketAddress target = slot_.Target([this]() -> const SocketAddress& { return FrontendAddress(); });
  slot_.CountAttempt();
  phase_ = Phase::kConnecting;
  connect_started_ms_ = owner_.loop().now_ms();
  if (queue_ms_ < 0) queue_ms_ = 0;
  int error = 0;
  absl::StatusOr<int> fd = StartConnect(target, &error);
  if (!fd.ok()) {
    ConnectFailed(error != 0 ? error : EIO);
    return;
  }
  server_ = new ServerConnection(*fd, server.load, target);
  server_->set_user(this);
  server_may_read_ = false;  // nothing can be there before the request: no recv() spent on EAGAIN
  server_reused_ = false;
  owner_.loop().Add(*fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP, server_);
  owner_.loop().Arm(&timer_, owner_.loop().now_ms() + Ms(slot_.pool()->connect_timeout));
  if (server.send_proxy || server.send_proxy_v2) {
    // The PROXY header goes before the request, on this new connection only.
    std::string header = server.send_proxy_v2 ? EncodeProxyV2(client_address_, FrontendAddress())
                                              : EncodeProxyV1(client_address_, FrontendAddress());
    size_t cap = owner_.buffers().buffer_size();
    if (server_out_.end + header.size() <= cap) {
      memmove(server_out_.data + header.size(), server_out_.data, server_out_.end);
      memcpy(server_out_.data, header.data(), header.size());
      server_out_.end += header.size();
    }
  }
}

void HttpSession::ConnectFailed(int error) {
  DropServerConnection();
  if (!slot_.ConnectFailed(owner_, error)) {
    LocalError(503, error == 0 ? "sC" : "SC");
    return;
  }
  // Nothing was sent: the same request goes again (from its first byte).
  server_out_.start = 0;
  Dispatch();
}

void HttpSession::StartExchange() {
  phase_ = Phase::kExchange;
  slot_.Connected();
  int64_t now = owner_.loop().now_ms();
  client_activity_ms_ = server_activity_ms_ = now;
  request_sent_ms_ = now;
  owner_.loop().Disarm(&timer_);
}

void HttpSession::Enqueue() {
  if (!slot_.Enqueue(owner_, this)) {
    LocalError(503, "sQ");
    return;
  }
  phase_ = Phase::kQueued;
  owner_.loop().Arm(&timer_, owner_.loop().now_ms() + Ms(slot_.pool()->queue_timeout));
}

void HttpSession::LeaveQueue() {
  queue_ms_ = slot_.LeaveQueue(owner_);
  owner_.loop().Disarm(&timer_);
}

bool HttpSession::TryLeaveQueue() {
  if (!PickServer()) return false;
  LeaveQueue();
  phase_ = Phase::kConnecting;
  ObtainConnection();
  Drive();
  return true;
}

void HttpSession::ReleaseServer() { slot_.Release(owner_); }

void HttpSession::DropServerConnection() {
  if (server_ == nullptr) return;
  owner_.http().idle().Discard(server_);
  server_ = nullptr;
}

bool HttpSession::Replay() {
  // A reused connection may have been closed by the server just as the request left; a
  // request without a body is sent again, once, on a fresh connection to the same server.
  if (!server_reused_ || replayed_ || resp_bytes_seen_ || !req_replayable_) return false;
  replayed_ = true;
  DropServerConnection();
  server_out_.start = 0;
  req_done_ = false;
  server_eof_ = false;
  Release(server_in_);
  resp_scan_ = 0;
  Connect();
  return true;
}

void HttpSession::Drain() {
  draining_ = true;
  // Waiting for a request with nothing of it received: close now, as HAProxy's soft-stop
  // closes idle connections. Bytes that already arrived count as a started request (the
  // stop's post may run before their read event).
  if (phase_ != Phase::kRequestHead || !client_in_.empty()) return;
  client_may_read_ = true;
  Drive();
  if (phase_ == Phase::kRequestHead && client_in_.empty()) Close(nullptr);
}

void HttpSession::ShutdownIfOn(const ServerLoad* server) {
  if ((phase_ != Phase::kExchange && phase_ != Phase::kTunnel) || !slot_.holds() ||
      slot_.server().load.get() != server) {
    return;
  }
  Close("KD");
}

// ---------------------------------------------------------------------------------------
// The exchange: request body up, response down.

bool HttpSession::AdvanceRequestBody() {
  if (req_body_complete_) return true;
  size_t fresh = client_in_.size() - req_ready_;
  switch (req_framing_) {
    case Framing::kNone:
      req_body_complete_ = true;
      return true;
    case Framing::kContentLength: {
      size_t take = static_cast<size_t>(std::min<uint64_t>(fresh, req_left_));
      req_ready_ += take;
      req_left_ -= take;
      req_body_complete_ = req_left_ == 0;
      return true;
    }
    case Framing::kChunked: {
      if (fresh == 0) return true;
      size_t used = 0;
      auto r = req_chunks_.Feed(absl::string_view(client_in_.data + client_in_.start + req_ready_, fresh), &used);
      req_ready_ += used;
      if (r == ChunkedDecoder::Result::kError) {
        TENDER_LOG(kDebug, "frontend ", frontend_.name, ": invalid chunked request body: ", req_chunks_.error());
        return false;
      }
      req_body_complete_ = r == ChunkedDecoder::Result::kDone;
      return true;
    }
    default:
      return false;
  }
}

bool HttpSession::SendToServer(bool* progress) {
  while (!server_out_.empty() || req_ready_ > 0) {
    iovec iov[2];
    int n_iov = 0;
    if (!server_out_.empty()) iov[n_iov++] = {server_out_.data + server_out_.start, server_out_.size()};
    if (req_ready_ > 0) iov[n_iov++] = {client_in_.data + client_in_.start, req_ready_};
    ssize_t n = SendIov(server_->fd(), iov, n_iov, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    *progress = true;
    server_activity_ms_ = owner_.loop().now_ms();
    size_t from_head = std::min<size_t>(n, server_out_.size());
    server_out_.start += from_head;
    size_t from_body = n - from_head;
    client_in_.start += from_body;
    req_ready_ -= from_body;
  }
  if (req_body_complete_ && req_ready_ == 0 && server_out_.empty()) {
    req_done_ = true;
    if (client_in_.empty() && keep_ == 0) Release(client_in_);
  }
  return true;
}

bool HttpSession::TryResponseHead(bool* progress) {
  while (!resp_head_done_ && !server_in_.empty()) {
    resp_bytes_seen_ = true;
    size_t head_length = 0;
    ParseError error;
    absl::string_view data(server_in_.data + server_in_.start, server_in_.size());
    HeadStatus s = FindHeadEnd(data, &resp_scan_, &head_length, &error);
    if (s == HeadStatus::kIncomplete) {
      if (server_in_.size() == owner_.buffers().buffer_size()) {
        error.reason = "response head larger than the buffer";
        s = HeadStatus::kError;
      } else {
        break;
      }
    }
    ResponseHead head;
    Limits limits;
    limits.max_headers = owner_.http().max_headers();
    if (s == HeadStatus::kComplete) {
      s = ParseResponseHead(data.substr(0, head_length), limits, req_is_head_, req_is_connect_,
                            owner_.http().fields(), &head, &error);
    }
    if (s == HeadStatus::kError) {
      TENDER_LOG(kDebug, "backend ", slot_.backend(), ": invalid response from ", slot_.server().name, ": ",
                 error.reason);
      slot_.server().load->invalid_responses.fetch_add(1, std::memory_order_relaxed);
      slot_.ObserveResponse(owner_, /*error=*/true, "invalid response");
      LocalError(502, "PH");
      return false;
    }
    *progress = true;
    if (head.Interim()) {
      // 100 Continue and friends go to the client as they are; the final response follows.
      Acquire(client_out_);
      size_t cap = owner_.buffers().buffer_size();
      if (client_out_.end + head_length > cap) {
        LocalError(502, "PH");
        return false;
      }
      memcpy(client_out_.data + client_out_.end, data.data(), head_length);
      client_out_.end += head_length;
      server_in_.start += head_length;
      resp_scan_ = 0;
      continue;
    }
    response_ms_ = owner_.loop().now_ms() - request_sent_ms_;
    status_ = head.status;
    slot_.server().load->responses[head.status / 100].fetch_add(1, std::memory_order_relaxed);
    // HAProxy's observe layer7: 5xx are errors except 501 and 505 (the client's fault).
    bool server_error = head.status >= 500 && head.status != 501 && head.status != 505;
    slot_.ObserveResponse(owner_, server_error, server_error ? "HTTP 5xx response" : "");
    resp_framing_ = head.framing;
    resp_left_ = head.content_length;
    resp_server_keeps_alive_ = head.ServerKeepsAlive();
    const BackendHttp* backend = slot_.pool()->http.get();
    bool close_requested = http_.httpclose || (backend != nullptr && backend->httpclose);
    keep_client_ = req_keep_alive_ && !close_requested && !draining_ && head.framing != Framing::kUntilClose;
    if (!SerializeResponse(head)) {
      LocalError(502, "PH");
      return false;
    }
    server_in_.start += head_length;
    resp_head_done_ = true;
    // Anything before the server's answer was what the server asked for; the request is
    // no longer replayable.
    req_replayable_ = false;
  }
  return true;
}

bool HttpSession::SerializeResponse(const ResponseHead& head) {
  SampleContext sample;
  sample.source = &client_address_;
  if (frontend_.rules_need_destination) sample.destination = &FrontendAddress();
  Edits edits;
  const BackendHttp* backend = slot_.pool()->http.get();
  CollectResponseEdits(backend, sample, &edits);
  CollectResponseEdits(&http_, sample, &edits);
  if (edits.overflow) return false;
  Acquire(client_out_);
  Writer w(client_out_.data, owner_.buffers().buffer_size(), client_out_.end);
  w.Add(head.status_line);
  w.Add("\r\n");
  bool tunnel = head.framing == Framing::kTunnel;
  for (int i = 0; i < head.field_count; ++i) {
    const HeaderField& f = head.fields[i];
    if (!tunnel && IsHopByHop(f.name)) continue;
    if (edits.Deletes(f.name, false)) continue;
    w.Field(f.name, f.value);
  }
  edits.WriteAdded(w, false);
  if (backend != nullptr && backend->cookie_mode == CookieMode::kInsert) {
    const ServerEntry& s = slot_.server();
    bool has_valid = cookie_flags_[0] == 'V' && forced_server_ == slot_.index();
    if (!s.cookie.empty() && !(backend->cookie_indirect && has_valid)) {
      w.Add("Set-Cookie: ");
      w.Add(backend->cookie_name);
      w.Add("=");
      w.Add(s.cookie);
      w.Add("; path=/");
      if (backend->cookie_httponly) w.Add("; HttpOnly");
      if (backend->cookie_secure) w.Add("; Secure");
      w.Add("\r\n");
      if (backend->cookie_nocache) w.Add("Cache-Control: private\r\n");
      cookie_flags_[1] = 'I';
    } else {
      cookie_flags_[1] = has_valid ? 'V' : '-';
    }
  }
  if (!tunnel) {
    // Each side reads the other's version: a 1.1 peer assumes keep-alive unless told, a
    // 1.0 peer assumes close unless told.
    if (!keep_client_ && req_version_minor_ >= 1 && head.version_minor >= 1) w.Add("Connection: close\r\n");
    if (keep_client_ && (req_version_minor_ == 0 || head.version_minor == 0)) w.Add("Connection: keep-alive\r\n");
  }
  w.Add("\r\n");
  if (w.overflow()) return false;
  client_out_.end = w.used();
  return true;
}

bool HttpSession::AdvanceResponseBody() {
  if (resp_body_complete_) return true;
  size_t fresh = server_in_.size() - resp_ready_;
  switch (resp_framing_) {
    case Framing::kNone:
      resp_body_complete_ = true;
      return true;
    case Framing::kContentLength: {
      size_t take = static_cast<size_t>(std::min<uint64_t>(fresh, resp_left_));
      resp_ready_ += take;
      resp_left_ -= take;
      resp_body_complete_ = resp_left_ == 0;
      return true;
    }
    case Framing::kChunked: {
      if (fresh == 0) return true;
      size_t used = 0;
      auto r = resp_chunks_.Feed(absl::string_view(server_in_.data + server_in_.start + resp_ready_, fresh), &used);
      resp_ready_ += used;
      if (r == ChunkedDecoder::Result::kError) return false;
      resp_body_complete_ = r == ChunkedDecoder::Result::kDone;
      return true;
    }
    case Framing::kUntilClose:
      resp_ready_ += fresh;
      resp_body_complete_ = server_eof_;
      return true;
    case Framing::kTunnel:
      resp_body_complete_ = true;
      return true;
  }
  return true;
}

bool HttpSession::SendToClient(bool* progress) {
  if (resp_head_done_ && resp_ready_ > 0 && resp_ready_ <= kCoalesceUpTo && !client_out_.empty() &&
      owner_.buffers().buffer_size() - client_out_.end >= resp_ready_) {
    // A small body joins the head it follows: one buffer, so send(2) and not sendmsg(2)
    // with two, which the kernel copies and walks in pieces.
    memcpy(client_out_.data + client_out_.end, server_in_.data + server_in_.start, resp_ready_);
    client_out_.end += resp_ready_;
    server_in_.start += resp_ready_;
    resp_ready_ = 0;
  }
  while (!client_out_.empty() || (resp_head_done_ && resp_ready_ > 0)) {
    iovec iov[2];
    int n_iov = 0;
    if (!client_out_.empty()) iov[n_iov++] = {client_out_.data + client_out_.start, client_out_.size()};
    size_t body = resp_head_done_ ? resp_ready_ : 0;
    if (body > 0) iov[n_iov++] = {server_in_.data + server_in_.start, body};
    int flags = MSG_NOSIGNAL | MSG_DONTWAIT;
    if (ClosesClientAfterThisSend()) {
      flags |= MSG_MORE;
      client_fin_held_ = true;
    }
    ssize_t n = SendIov(client_fd_, iov, n_iov, flags);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    *progress = true;
    client_activity_ms_ = owner_.loop().now_ms();
    bytes_to_client_ += n;
    size_t from_head = std::min<size_t>(n, client_out_.size());
    client_out_.start += from_head;
    size_t from_body = n - from_head;
    server_in_.start += from_body;
    resp_ready_ -= from_body;
  }
  if (client_out_.empty()) client_out_.start = client_out_.end = 0;
  if (resp_head_done_ && resp_body_complete_ && resp_ready_ == 0 && client_out_.empty()) resp_done_ = true;
  return true;
}

bool HttpSession::ClosesClientAfterThisSend() const {
  // The response's last bytes on a connection that closes right after them are held
  // back (MSG_MORE) so that the FIN leaves in the same segment: one packet, and one
  // ACK from the client, fewer per connection. Only when nothing can come between the
  // send and the close (FinishTransaction runs in the same step).
  return resp_head_done_ && resp_body_complete_ && resp_framing_ != Framing::kTunnel &&
         (!keep_client_ || draining_) && (req_done_ || !req_body_complete_);
}

bool HttpSession::StepExchange() {
  bool progress = true;
  while (progress && phase_ == Phase::kExchange) {
    progress = false;
    if (!req_done_) {
      if (!req_body_complete_) {
        ssize_t n = ReadInto(client_fd_, client_in_, keep_, client_may_read_);
        if (n > 0) {
          progress = true;
          client_activity_ms_ = owner_.loop().now_ms();
        } else if (n < 0) {
          client_eof_ = true;
        }
      }
      if (!AdvanceRequestBody()) {
        if (!resp_head_done_) RequestError(400, "CD");
        else Close("CD");
        return true;
      }
      if (!SendToServer(&progress)) {
        if (Replay()) return false;
        if (!resp_head_done_) LocalError(502, "SH");
        else Close("SD");
        return true;
      }
      if (!req_done_ && client_eof_ && !req_body_complete_ && client_in_.size() == req_ready_) {
        Close("CD");  // the client left in the middle of its request body
        return true;
      }
    }
    if (!resp_done_ && !server_eof_) {
      ssize_t n = ReadInto(server_->fd(), server_in_, 0, server_may_read_);
      if (n > 0) {
        progress = true;
        server_activity_ms_ = owner_.loop().now_ms();
      } else if (n < 0) {
        server_eof_ = true;
        progress = true;
      }
    }
    if (!resp_head_done_) {
      if (!TryResponseHead(&progress)) return true;
      if (!resp_head_done_ && server_eof_) {
        if (Replay()) return false;
        LocalError(502, "SH");  // the server closed without a (complete) response head
        return true;
      }
    }
    if (resp_head_done_ && !AdvanceResponseBody()) {
      Close("SD");
      return true;
    }
    if (!SendToClient(&progress)) {
      Close("CD");
      return true;
    }
    if (resp_head_done_ && resp_framing_ == Framing::kTunnel && client_out_.empty() && server_out_.empty()) {
      phase_ = Phase::kTunnel;
      owner_.loop().Disarm(&timer_);
      keep_ = 0;
      LogRequest("--");
      return true;
    }
    if (resp_head_done_ && !resp_body_complete_ && server_eof_ && resp_ready_ == 0 && client_out_.empty()) {
      Close("SD");  // the server closed in the middle of the body
      return true;
    }
    if (resp_done_ && (req_done_ || !req_body_complete_)) {
      FinishTransaction();
      return true;
    }
  }
  return false;
}

void HttpSession::FinishTransaction() {
  LogRequest("----");
  ReleaseServer();
  const BackendHttp* backend = slot_.pool()->http.get();
  // A server connection goes back to the pool only in a clean state: both messages
  // complete, nothing more received, the server willing.
  bool reusable = server_ != nullptr && req_done_ && resp_server_keeps_alive_ && !server_eof_ && server_in_.empty() &&
                  !ClosesServerSide(http_, backend);
  Release(server_in_);
  Release(server_out_);
  if (reusable) {
    server_->set_proven();
    server_->set_user(nullptr);
    if (backend != nullptr && backend->reuse == ReuseMode::kNever) {
      private_server_ = server_;
    } else {
      owner_.http().idle().Park(server_);
    }
    server_ = nullptr;
  } else {
    DropServerConnection();
  }
  if (!keep_client_ || !req_done_ || client_eof_ || draining_) {
    Close("----");
    return;
  }
  BeginRequest(/*first=*/false);
}

void HttpSession::ArmExchangeTimer() {
  // Waiting on the server (its response, or room to send it our request) is bounded by
  // `timeout server`; waiting on the client by `timeout client`.
  int64_t deadline = -1;
  auto consider = [&](int64_t since, absl::Duration limit) {
    int64_t ms = Ms(limit);
    if (ms < 0) return;
    int64_t d = since + ms;
    if (deadline < 0 || d < deadline) deadline = d;
  };
  if (!resp_done_) consider(server_activity_ms_, slot_.pool()->server_timeout);
  if (!req_body_complete_ || !client_out_.empty() || resp_ready_ > 0) consider(client_activity_ms_, frontend_.client_timeout);
  if (deadline < 0) owner_.loop().Disarm(&timer_);
  else if (!timer_.armed() || timer_.deadline_ms != deadline) owner_.loop().Arm(&timer_, deadline);
}

// ---------------------------------------------------------------------------------------
// Tunnels (WebSocket, CONNECT).

bool HttpSession::StepTunnel() {
  bool progress = true;
  int64_t now = owner_.loop().now_ms();
  auto pump = [&](int from, int to, Buffer& b, bool& eof) -> bool {
    for (;;) {
      if (!b.empty()) {
        ssize_t n = send(to, b.data + b.start, b.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) return errno == EAGAIN || errno == EINTR;
        b.start += n;
        if (&b == &server_in_) bytes_to_client_ += n;
        progress = true;
        client_activity_ms_ = now;
        continue;
      }
      b.start = b.end = 0;
      if (eof) return true;
      ssize_t n = ReadInto(from, b, 0, from == client_fd_ ? client_may_read_ : server_may_read_);
      if (n == 0) return true;
      if (n < 0) {
        eof = true;
        shutdown(to, SHUT_WR);
        progress = true;
        Release(b);
        return true;
      }
    }
  };
  while (progress) {
    progress = false;
    if (!pump(client_fd_, server_->fd(), client_in_, tunnel_up_eof_) ||
        !pump(server_->fd(), client_fd_, server_in_, tunnel_down_eof_)) {
      Close("SD");
      return false;
    }
  }
  if (tunnel_up_eof_ && tunnel_down_eof_) {
    Close("--");
    return false;
  }
  absl::Duration limit = slot_.pool()->tunnel_timeout ? *slot_.pool()->tunnel_timeout : std::min(frontend_.client_timeout, slot_.pool()->server_timeout);
  int64_t ms = Ms(limit);
  if (ms >= 0) owner_.loop().Arm(&timer_, client_activity_ms_ + ms);
  return false;
}

// ---------------------------------------------------------------------------------------
// Local answers.

void HttpSession::RequestError(int status, const char* termination) {
  frontend_.limit->request_errors.fetch_add(1, std::memory_order_relaxed);
  LocalError(status, termination);
}

void HttpSession::LocalError(int status, const char* termination) {
  const std::map<int, std::string>* pages = nullptr;
  if (slot_.pool() != nullptr && slot_.pool()->http != nullptr && slot_.pool()->http->error_pages.count(status)) pages = &slot_.pool()->http->error_pages;
  else if (http_.error_pages.count(status)) pages = &http_.error_pages;
  LocalResponse(pages != nullptr ? pages->at(status) : DefaultErrorPage(status), status, /*close=*/true, termination);
}

void HttpSession::LocalResponse(const std::string& bytes, int status, bool close, const char* termination) {
  if (phase_ == Phase::kQueued) LeaveQueue();
  ReleaseServer();
  DropServerConnection();
  Release(server_in_);
  Release(server_out_);
  status_ = status;
  if (resp_head_done_) {
    // Part of a response already went out: nothing can be appended to it.
    Close(termination);
    return;
  }
  Acquire(client_out_);
  size_t n = std::min(bytes.size(), owner_.buffers().buffer_size());
  memcpy(client_out_.data, bytes.data(), n);
  client_out_.start = 0;
  client_out_.end = n;
  close_after_local_ = close;
  phase_ = Phase::kLocalResponse;
  bytes_to_client_ = n;  // logged now, as HAProxy logs its own answers' size
  LogRequest(termination);
  int64_t limit = Ms(frontend_.client_timeout);
  if (limit >= 0) owner_.loop().Arm(&timer_, owner_.loop().now_ms() + limit);
  else owner_.loop().Disarm(&timer_);
}

bool HttpSession::StepLocalResponse() {
  // An answer followed by the close is held back for the FIN, as in SendToClient.
  int flags = MSG_NOSIGNAL | MSG_DONTWAIT | (close_after_local_ || draining_ ? MSG_MORE : 0);
  while (!client_out_.empty()) {
    ssize_t n = send(client_fd_, client_out_.data + client_out_.start, client_out_.size(), flags);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return false;
      Close("CD");
      return false;
    }
    client_out_.start += n;
  }
  if (close_after_local_ || draining_) {
    // Close after the answer has left: a half-close first, so that the client reads it
    // before any reset caused by unread request bytes.
    shutdown(client_fd_, SHUT_WR);
    Close(nullptr);
    return false;
  }
  BeginRequest(/*first=*/false);
  return true;
}

// ---------------------------------------------------------------------------------------
// Timers, logs, closing.

void HttpSession::OnTimer() {
  switch (phase_) {
    case Phase::kProxyHeader:
      Close("cR");
      return;
    case Phase::kRequestHead:
      // HAProxy answers 408 to a request that started or to a connection's first wait;
      // an idle keep-alive connection just closes.
      if (first_request_ || !client_in_.empty()) {
        RequestError(408, "cR");
        Drive();
      } else {
        Close(nullptr);
      }
      return;
    case Phase::kQueued:
      slot_.pool()->load->queue_timeouts.fetch_add(1, std::memory_order_relaxed);
      if (slot_.pool()->EligibleServers().empty()) slot_.pool()->load->no_server.fetch_add(1, std::memory_order_relaxed);
      LocalError(503, "sQ");
      Drive();
      return;
    case Phase::kConnecting:
      ConnectFailed(0);
      if (phase_ == Phase::kLocalResponse) Drive();
      return;
    case Phase::kExchange: {
      int64_t now = owner_.loop().now_ms();
      int64_t server_ms = Ms(slot_.pool()->server_timeout);
      if (!resp_done_ && server_ms >= 0 && now - server_activity_ms_ >= server_ms) {
        if (!resp_head_done_) {
          slot_.server().load->response_timeouts.fetch_add(1, std::memory_order_relaxed);
          slot_.ObserveResponse(owner_, /*error=*/true, "response timeout");
          LocalError(504, "sH");
          Drive();
        } else {
          Close("sD");
        }
        return;
      }
      int64_t client_ms = Ms(frontend_.client_timeout);
      if (client_ms >= 0 && now - client_activity_ms_ >= client_ms) {
        Close("cD");
        return;
      }
      ArmExchangeTimer();
      return;
    }
    case Phase::kTunnel:
    case Phase::kLocalResponse:
      Close("cD");
      return;
    case Phase::kParked:
    case Phase::kClosed:
      return;
  }
}

void HttpSession::LogRequest(const char* termination) {
  if (logged_ || termination == nullptr) return;
  logged_ = true;
  if (frontend_.logs.empty() || (!http_.httplog && !http_.log_format)) return;
  static const std::string kNone;
  HttpLogRecord r;
  r.client = &client_address_;
  r.request_unix_ms = request_unix_ms_;
  r.frontend = &frontend_.name;
  r.backend = slot_.backend().empty() ? &frontend_.name : &slot_.backend();
  r.server = slot_.picked() && slot_.pool() ? &slot_.server().name : &kNone;
  r.request_ms = request_ms_;
  r.queue_ms = queue_ms_;
  r.connect_ms = connect_ms_;
  r.response_ms = response_ms_;
  r.active_ms = owner_.loop().now_ms() - request_wait_start_ms_;
  r.status = status_ == 0 ? -1 : status_;
  r.bytes_to_client = bytes_to_client_;
  r.termination[0] = termination[0];
  r.termination[1] = termination[1];
  r.termination[2] = cookie_flags_[0];
  r.termination[3] = cookie_flags_[1];
  FillLogCounters(frontend_, slot_, &r);
  r.request_line = client_in_.data != nullptr ? client_in_.data : "";
  r.request_line_length = client_in_.data != nullptr ? keep_ : 0;
  char line[2048];
  size_t n = http_.log_format ? http_.log_format->Format(r, line, sizeof(line)) : FormatHttpLog(r, line, sizeof(line));
  SendToAll(frontend_.logs, Severity::kInfo, line, n);
}

void HttpSession::Close(const char* termination) {
  if (phase_ == Phase::kClosed || phase_ == Phase::kParked) return;
  if (phase_ == Phase::kQueued) LeaveQueue();
  // A request in flight is logged with how it ended; an idle connection is not.
  if (termination != nullptr && termination[0] != '-' && request_started_) LogRequest(termination);
  phase_ = Phase::kClosed;
  owner_.loop().Disarm(&timer_);
  DropServerConnection();
  if (private_server_ != nullptr) {
    owner_.http().idle().Discard(private_server_);
    private_server_ = nullptr;
  }
  // The FIN goes out before close(2) would turn into a reset over unread request bytes,
  // and with it the bytes held back for it.
  if (client_fin_held_) shutdown(client_fd_, SHUT_WR);
  connection_.Closed();
  ReleaseServer();
  Release(client_in_);
  Release(client_out_);
  Release(server_in_);
  Release(server_out_);
  owner_.loop().DeleteLater(this);
}

}  // namespace tender::http
