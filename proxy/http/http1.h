// HTTP/1.1 message heads (RFC 9112, RFC 9110): a strict parser that never guesses.
//
// Parsing works in two steps so that it is incremental without keeping state per byte:
// FindHeadEnd scans newly arrived bytes for the empty line that ends a head (remembering
// how far it got, so any split of the bytes costs O(n) in all), then ParseRequestHead /
// ParseResponseHead read the complete head. The result holds string_views into the
// caller's buffer and header fields in a caller-provided array: nothing is allocated.
//
// Framing is decided here, once, by the rules that close request smuggling: a message with
// both Content-Length and Transfer-Encoding, differing Content-Length values, a
// Transfer-Encoding whose last coding is not `chunked`, obs-fold, whitespace before a colon,
// control characters, bare LF... is an error, never a guess.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace tender::http {

struct HeaderField {
  absl::string_view name;
  absl::string_view value;  // without leading and trailing whitespace
};

enum class Framing {
  kNone,           // no body
  kContentLength,  // exactly content_length bytes
  kChunked,        // chunked transfer coding (the last coding)
  kUntilClose,     // responses only: the body ends when the server closes
  kTunnel,         // 101 Switching Protocols, 2xx to CONNECT: raw bytes both ways
};

// Where a parse failed: the status to answer with (400, 414, 431, 501, 505 for requests;
// responses always map to 502 at the proxy) and why, for logs.
struct ParseError {
  int status = 0;
  const char* reason = "";
};

enum class HeadStatus { kIncomplete, kComplete, kError };

// Scans `data` (everything received for this message so far, from its first byte) for the
// end of the head, starting at *scanned (0 at first; updated). Sets *head_length when
// complete. A bare LF anywhere in the head is an error (400). Leading empty lines before a
// request line are allowed by RFC 9112 section 2.2 and skipped by the parser.
HeadStatus FindHeadEnd(absl::string_view data, size_t* scanned, size_t* head_length, ParseError* error);

struct Limits {
  int max_headers = 101;  // tune.http.maxhdr: fields plus the start line
};

// Connection-related facts of one message.
struct ConnectionTokens {
  bool close = false;       // Connection: close
  bool keep_alive = false;  // Connection: keep-alive
  bool upgrade = false;     // Connection: upgrade
};

struct RequestHead {
  absl::string_view method;
  absl::string_view target;  // as sent
  absl::string_view path;    // origin-form path (for absolute-form: the part after the authority)
  absl::string_view query;   // after '?', without it; empty when none
  absl::string_view host;    // the Host header
  absl::string_view request_line;  // without CRLF
  int version_minor = 1;     // HTTP/1.<minor>
  bool is_head = false;
  bool is_connect = false;
  bool idempotent = false;   // may be re-sent after a connect failure (RFC 9110 9.2.2)
  bool expect_continue = false;
  bool has_upgrade_header = false;
  ConnectionTokens connection;
  Framing framing = Framing::kNone;
  uint64_t content_length = 0;
  HeaderField* fields = nullptr;
  int field_count = 0;
  size_t head_length = 0;  // bytes including the final empty line

  // The client asks to keep the connection open after this request.
  bool WantsKeepAlive() const {
    return version_minor >= 1 ? !connection.close : connection.keep_alive && !connection.close;
  }
};

struct ResponseHead {
  int status = 0;
  absl::string_view reason;
  absl::string_view status_line;
  int version_minor = 1;
  ConnectionTokens connection;
  Framing framing = Framing::kUntilClose;
  uint64_t content_length = 0;
  HeaderField* fields = nullptr;
  int field_count = 0;
  size_t head_length = 0;

  bool Interim() const { return status >= 100 && status < 200 && status != 101; }
  // The server will keep the connection open after this response.
  bool ServerKeepsAlive() const {
    if (framing == Framing::kUntilClose || framing == Framing::kTunnel) return false;
    return version_minor >= 1 ? !connection.close : connection.keep_alive && !connection.close;
  }
};

// Parses a complete request head (`head` ends with the empty line). `fields` has room for
// `limits.max_headers` entries.
HeadStatus ParseRequestHead(absl::string_view head, const Limits& limits, HeaderField* fields,
                            RequestHead* out, ParseError* error);

// Parses a complete response head to a request whose method was HEAD (`request_was_head`)
// or CONNECT (`request_was_connect`), which decide the framing as RFC 9112 section 6.3 says.
HeadStatus ParseResponseHead(absl::string_view head, const Limits& limits, bool request_was_head,
                             bool request_was_connect, HeaderField* fields, ResponseHead* out,
                             ParseError* error);

// Helpers shared with the rules and ACL layers.
// RFC 9110 tchar; a table lookup, inlined where header names are checked byte by byte.
extern const std::array<bool, 256> kTokenChar;
inline bool IsTokenChar(unsigned char c) { return kTokenChar[c]; }
bool EqualsIgnoreCase(absl::string_view a, absl::string_view b);
// The first field named `name` (case-insensitive), or null.
const HeaderField* FindField(const HeaderField* fields, int count, absl::string_view name);

// Calls `each(name, value, pair)` for every `name=value` pair of a list separated by
// `separators` (a query string: "&;"; a Cookie field: ";"), leading spaces trimmed, until
// it returns true; true if it did. A pair without '=' has an empty value; `pair` is the
// pair as written.
template <typename F>
bool ForEachPair(absl::string_view list, absl::string_view separators, F each) {
  while (!list.empty()) {
    size_t end = list.find_first_of(separators);
    absl::string_view pair = list.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t eq = pair.find('=');
    absl::string_view value = eq == absl::string_view::npos ? absl::string_view() : pair.substr(eq + 1);
    if (!pair.empty() && each(pair.substr(0, eq), value, pair)) return true;
    if (end == absl::string_view::npos) break;
    list.remove_prefix(end + 1);
  }
  return false;
}

}  // namespace tender::http
