#include "discovery/consul/http_client.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tender::discovery {
namespace {

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

absl::StatusOr<int> Connect(const HttpTarget& t, int64_t deadline) {
  if (!t.unix_path.empty()) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un un = {};
    un.sun_family = AF_UNIX;
    strncpy(un.sun_path, t.unix_path.c_str(), sizeof(un.sun_path) - 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&un), sizeof(un)) != 0) {
      int err = errno;
      close(fd);
      return absl::UnavailableError(absl::StrCat("connect to unix@", t.unix_path, ": ", strerror(err)));
    }
    return fd;
  }
  addrinfo hints = {};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(t.host.c_str(), std::to_string(t.port).c_str(), &hints, &res);
  if (rc != 0) return absl::UnavailableError(absl::StrCat("resolve ", t.host, ": ", gai_strerror(rc)));
  int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int ok = connect(fd, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (ok != 0) {
    int err = errno;
    close(fd);
    return absl::UnavailableError(absl::StrCat("connect to ", t.host, ":", t.port, ": ", strerror(err)));
  }
  (void)deadline;
  return fd;
}


absl::StatusOr<HttpResponse> Parse(const std::string& raw, bool eof) {
  size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    return eof ? absl::StatusOr<HttpResponse>(absl::UnavailableError("truncated HTTP response"))
               : absl::StatusOr<HttpResponse>(absl::OutOfRangeError("incomplete"));
  }
  HttpResponse r;
  std::vector<std::string> lines = absl::StrSplit(raw.substr(0, head_end), "\r\n");
  std::vector<std::string> status = absl::StrSplit(lines[0], absl::MaxSplits(' ', 2));
  if (status.size() < 2 || !absl::SimpleAtoi(status[1], &r.status)) return absl::UnavailableError("bad status line");
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    r.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
  }
  std::string body = raw.substr(head_end + 4);
  auto te = r.headers.find("transfer-encoding");
  if (te != r.headers.end() && absl::AsciiStrToLower(te->second) == "chunked") {
    std::string decoded;
    size_t pos = 0;
    for (;;) {
      size_t eol = body.find("\r\n", pos);
      if (eol == std::string::npos) return eof ? absl::UnavailableError("truncated chunk") : absl::OutOfRangeError("incomplete");
      size_t size = 0;
      std::string hex = body.substr(pos, eol - pos);
      hex = hex.substr(0, hex.find(';'));
      if (!absl::SimpleHexAtoi(hex, &size)) return absl::UnavailableError("bad chunk size");
      if (size == 0) break;
      if (body.size() < eol + 2 + size + 2) return eof ? absl::UnavailableError("truncated chunk") : absl::OutOfRangeError("incomplete");
      decoded.append(body, eol + 2, size);
      pos = eol + 2 + size + 2;
    }
    r.body = std::move(decoded);
    return r;
  }
  auto cl = r.headers.find("content-length");
  if (cl != r.headers.end()) {
    size_t n = 0;
    if (!absl::SimpleAtoi(cl->second, &n)) return absl::UnavailableError("bad Content-Length");
    if (body.size() < n) return eof ? absl::UnavailableError("truncated body") : absl::OutOfRangeError("incomplete");
    r.body = body.substr(0, n);
    return r;
  }
  if (!eof) return absl::OutOfRangeError("incomplete");
  r.body = std::move(body);
  return r;
}

std::string SslError() {
  unsigned long e = ERR_get_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return e ? std::string(buf) : "TLS error";
}

// A TLS session over a connected socket, closed with the object.
class TlsStream {
 public:
  ~TlsStream() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }
  absl::Status Handshake(int fd, const HttpTarget& t) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    int loaded = t.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx_)
                                   : SSL_CTX_load_verify_locations(ctx_, t.ca_file.c_str(), nullptr);
    if (loaded != 1) return absl::UnavailableError(absl::StrCat("cannot load CA file '", t.ca_file, "': ", SslError()));
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    // The certificate must name what we connected to: an IP literal as an IP SAN, a name
    // as a DNS name (then also sent as SNI).
    if (X509_VERIFY_PARAM_set1_ip_asc(param, t.host.c_str()) != 1) {
      SSL_set_tlsext_host_name(ssl_, t.host.c_str());
      X509_VERIFY_PARAM_set1_host(param, t.host.c_str(), 0);
    }
    if (SSL_connect(ssl_) != 1) {
      long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK) {
        return absl::UnavailableError(absl::StrCat("TLS: certificate verify failed: ", X509_verify_cert_error_string(verify)));
      }
      return absl::UnavailableError(absl::StrCat("TLS handshake failed: ", SslError()));
    }
    return absl::OkStatus();
  }
  bool Write(const std::string& data) { return SSL_write(ssl_, data.data(), data.size()) == static_cast<int>(data.size()); }
  // >0 bytes, 0 at EOF, <0 on error.
  int Read(char* buf, int n) { return SSL_read(ssl_, buf, n); }
  bool Pending() const { return SSL_pending(ssl_) > 0; }

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

}  // namespace

std::string UrlEncode(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      absl::StrAppend(&out, "%", absl::AsciiStrToUpper(absl::StrCat(absl::Hex(c, absl::kZeroPad2))));
    }
  }
  return out;
}

absl::StatusOr<HttpResponse> HttpGet(const HttpTarget& target, const std::string& path,
                                     const std::map<std::string, std::string>& headers, absl::Duration timeout,
                                     int cancel_fd) {
  int64_t deadline = NowMs() + absl::ToInt64Milliseconds(timeout);
  auto fd = Connect(target, deadline);
  if (!fd.ok()) return fd.status();
  // The handshake is bounded by socket timeouts; the response by the poll loop below.
  timeval tv = {10, 0};
  setsockopt(*fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(*fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  std::unique_ptr<TlsStream> tls;
  if (target.tls) {
    tls = std::make_unique<TlsStream>();
    absl::Status hs = tls->Handshake(*fd, target);
    if (!hs.ok()) {
      close(*fd);
      return hs;
    }
  }
  std::string request = absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: ",
                                     target.unix_path.empty() ? target.host : "localhost",
                                     "\r\nUser-Agent: tender\r\nAccept: application/json\r\nConnection: close\r\n");
  for (const auto& [name, value] : headers) absl::StrAppend(&request, name, ": ", value, "\r\n");
  request += "\r\n";
  bool sent = tls ? tls->Write(request)
                  : send(*fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size());
  if (!sent) {
    close(*fd);
    return absl::UnavailableError("cannot send the request");
  }
  std::string raw;
  char buf[16384];
  for (;;) {
    int64_t left = deadline - NowMs();
    if (left <= 0) {
      close(*fd);
      return absl::DeadlineExceededError("no answer in time");
    }
    if (!(tls && tls->Pending())) {
      pollfd p[2] = {{*fd, POLLIN, 0}, {cancel_fd, POLLIN, 0}};
      if (poll(p, cancel_fd >= 0 ? 2 : 1, static_cast<int>(left)) <= 0) continue;
      if (cancel_fd >= 0 && (p[1].revents & POLLIN)) {
        close(*fd);
        return absl::CancelledError("stopping");
      }
    }
    ssize_t n = tls ? tls->Read(buf, sizeof(buf)) : recv(*fd, buf, sizeof(buf), 0);
    bool eof = n <= 0;
    if (n > 0) raw.append(buf, n);
    auto parsed = Parse(raw, eof);
    if (parsed.ok() || parsed.status().code() != absl::StatusCode::kOutOfRange) {
      tls.reset();
      close(*fd);
      return parsed;
    }
  }
}

}  // namespace tender::discovery
