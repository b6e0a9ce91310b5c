#include "proxy/http/http1.h"

#include <array>
#include <cstring>
#include <string_view>

namespace tender::http {
namespace {

constexpr uint64_t kMaxContentLength = uint64_t{1} << 62;

bool Fail(ParseError* error, int status, const char* reason) {
  error->status = status;
  error->reason = reason;
  return false;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

bool IsOws(char c) { return c == ' ' || c == '\t'; }

absl::string_view TrimOws(absl::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

// Field values: VCHAR, obs-text, SP and HTAB; no other control character and no NUL.
bool ValidFieldValue(absl::string_view v) {
  for (unsigned char c : v) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

// Calls `each` for every element of a comma-separated list, trimmed; empty elements are
// skipped, as RFC 9110 section 5.6.1 asks of recipients.
template <typename F>
bool ForEachListElement(absl::string_view list, F each) {
  while (true) {
    size_t comma = list.find(',');
    absl::string_view element = TrimOws(list.substr(0, comma));
    if (!element.empty() && !each(element)) return false;
    if (comma == absl::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

bool ParseDecimal(absl::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > kMaxContentLength) return false;
  *out = v;
  return true;
}

// The parts of a head that framing and connection management depend on, gathered while
// the fields are read.
struct Semantics {
  bool has_content_length = false;
  uint64_t content_length = 0;
  bool has_transfer_encoding = false;
  bool chunked_last = false;
  bool chunked_twice = false;
  int host_count = 0;
  absl::string_view host;
  bool expect_continue = false;
  bool has_upgrade = false;
  ConnectionTokens connection;
};

bool InterpretContentLength(absl::string_view value, int bad_status, Semantics* s, ParseError* error) {
  bool ok = ForEachListElement(value, [&](absl::string_view element) {
    uint64_t v;
    if (!ParseDecimal(element, &v)) return Fail(error, bad_status, "invalid Content-Length");
    if (s->has_content_length && v != s->content_length) {
      return Fail(error, bad_status, "several different Content-Length values");
    }
    s->has_content_length = true;
    s->content_length = v;
    return true;
  });
  if (ok && !s->has_content_length) return Fail(error, bad_status, "empty Content-Length");
  return ok;
}

void InterpretTransferEncoding(absl::string_view value, Semantics* s) {
  s->has_transfer_encoding = true;
  ForEachListElement(value, [&](absl::string_view element) {
    absl::string_view coding = TrimOws(element.substr(0, element.find(';')));
    bool chunked = EqualsIgnoreCase(coding, "chunked");
    if (chunked && s->chunked_last) s->chunked_twice = true;
    // chunked followed by another coding means chunked is not last.
    if (s->chunked_last && !chunked) s->chunked_twice = true;
    s->chunked_last = chunked;
    return true;
  });
}

void InterpretConnection(absl::string_view value, Semantics* s) {
  ForEachListElement(value, [&](absl::string_view token) {
    if (EqualsIgnoreCase(token, "close")) s->connection.close = true;
    else if (EqualsIgnoreCase(token, "keep-alive")) s->connection.keep_alive = true;
    else if (EqualsIgnoreCase(token, "upgrade")) s->connection.upgrade = true;
    return true;
  });
}

// Reads one field's meaning into `s`; false (with `error`) when it breaks framing rules.
// The name's length picks the one candidate worth comparing.
bool Interpret(const HeaderField& f, int bad_status, Semantics* s, ParseError* error) {
  switch (f.name.size()) {
    case 14:
      if (EqualsIgnoreCase(f.name, "content-length")) return InterpretContentLength(f.value, bad_status, s, error);
      return true;
    case 17:
      if (EqualsIgnoreCase(f.name, "transfer-encoding")) InterpretTransferEncoding(f.value, s);
      return true;
    case 10:
      if (EqualsIgnoreCase(f.name, "connection")) InterpretConnection(f.value, s);
      return true;
    case 4:
      if (EqualsIgnoreCase(f.name, "host")) {
        ++s->host_count;
        s->host = f.value;
      }
      return true;
    case 6:
      if (EqualsIgnoreCase(f.name, "expect") && EqualsIgnoreCase(f.value, "100-continue")) s->expect_continue = true;
      return true;
    case 7:
      if (EqualsIgnoreCase(f.name, "upgrade")) s->has_upgrade = true;
      return true;
    default:
      return true;
  }
}

// Field values: VCHAR, obs-text, SP and HTAB (the rule ValidFieldValue applies).
constexpr std::array<bool, 256> FieldValueChars() {
  std::array<bool, 256> t = {};
  for (int c = 0x20; c < 0x100; ++c) t[c] = c != 0x7f;
  t['\t'] = true;
  return t;
}
constexpr std::array<bool, 256> kFieldValueChar = FieldValueChars();

// Why the first line of `rest` is not a valid field line, checked rule by rule so that
// the reason names the first rule broken. Only reached once the fast scan in ParseFields
// has found the line wrong.
bool FieldLineError(absl::string_view rest, int bad_status, ParseError* error) {
  size_t eol = rest.find("\r\n");
  if (eol == absl::string_view::npos) return Fail(error, bad_status, "unterminated header");
  absl::string_view line = rest.substr(0, eol);
  if (IsOws(line.front())) return Fail(error, bad_status, "obsolete line folding");
  size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return Fail(error, bad_status, "header line without a colon");
  if (colon == 0) return Fail(error, bad_status, "empty header name");
  for (unsigned char c : line.substr(0, colon)) {
    // Also catches whitespace before the colon.
    if (!IsTokenChar(c)) return Fail(error, bad_status, "invalid character in a header name");
  }
  if (!ValidFieldValue(line.substr(colon + 1))) return Fail(error, bad_status, "invalid character in a header value");
  return Fail(error, bad_status, "invalid header line");
}

// Reads field lines from `rest` (which ends with the final CRLF CRLF) into `fields`. One
// pass per line: the name's characters up to the colon, the value's up to CR LF.
bool ParseFields(absl::string_view rest, const Limits& limits, int bad_status, HeaderField* fields,
                 int* count, Semantics* s, ParseError* error) {
  *count = 0;
  const char* p = rest.data();
  const char* const end = p + rest.size();
  while (true) {
    if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') return true;  // the empty line
    const char* colon = p;
    while (colon < end && IsTokenChar(*colon)) ++colon;
    const char* eol = colon + 1;
    bool well_formed = colon > p && colon < end && *colon == ':';
    if (well_formed) {
      while (eol < end && kFieldValueChar[static_cast<unsigned char>(*eol)]) ++eol;
      well_formed = end - eol >= 2 && eol[0] == '\r' && eol[1] == '\n';
    }
    if (!well_formed) return FieldLineError(absl::string_view(p, end - p), bad_status, error);
    HeaderField f{absl::string_view(p, colon - p), TrimOws(absl::string_view(colon + 1, eol - colon - 1))};
    p = eol + 2;
    // tune.http.maxhdr counts the start line too, as HAProxy does.
    if (*count >= limits.max_headers - 1) {
      return Fail(error, bad_status == 400 ? 431 : bad_status, "too many header fields");
    }
    if (!Interpret(f, bad_status, s, error)) return false;
    fields[(*count)++] = f;
  }
}

bool ParseVersion(absl::string_view v, int* minor, int bad_status, ParseError* error) {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
      v[7] < '0' || v[7] > '9') {
    return Fail(error, bad_status, "invalid HTTP version");
  }
  if (v[5] != '1') return Fail(error, bad_status == 400 ? 505 : bad_status, "unsupported HTTP version");
  *minor = v[7] - '0';
  if (*minor > 1) *minor = 1;  // HTTP/1.2+ is HTTP/1.1 to us (RFC 9110 section 2.5)
  return true;
}

bool IsIdempotent(absl::string_view m) {
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "TRACE" || m == "PUT" || m == "DELETE";
}

bool ParseTarget(RequestHead* r, ParseError* error) {
  absl::string_view t = r->target;
  if (t.empty()) return Fail(error, 400, "empty request target");
  for (unsigned char c : t) {
    if (c <= 0x20 || c >= 0x7f) return Fail(error, 400, "invalid character in the request target");
  }
  if (r->is_connect) {
    // authority-form: host:port, nothing else.
    if (t.front() == '/' || t.find(':') == absl::string_view::npos || t.find('/') != absl::string_view::npos) {
      return Fail(error, 400, "CONNECT needs an authority-form target (host:port)");
    }
    return true;
  }
  if (t == "*") {
    if (r->method != "OPTIONS") return Fail(error, 400, "asterisk-form target with a method other than OPTIONS");
    r->path = t;
    return true;
  }
  absl::string_view path = t;
  if (t.front() != '/') {
    // absolute-form: scheme "://" authority [path]
    size_t sep = t.find("://");
    if (sep == absl::string_view::npos || sep == 0) return Fail(error, 400, "invalid request target");
    for (char c : t.substr(0, sep)) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
            c == '-' || c == '.')) {
        return Fail(error, 400, "invalid scheme in the request target");
      }
    }
    size_t slash = t.find_first_of("/?", sep + 3);
    path = slash == absl::string_view::npos ? absl::string_view() : t.substr(slash);
  }
  size_t q = path.find('?');
  r->path = path.substr(0, q);
  r->query = q == absl::string_view::npos ? absl::string_view() : path.substr(q + 1);
  return true;
}

}  // namespace

namespace {

constexpr std::array<bool, 256> TokenChars() {
  std::array<bool, 256> t = {};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}

}  // namespace

// Constant-initialised: no guard checked per call, no start-up order to worry about.
extern const std::array<bool, 256> kTokenChar = TokenChars();

bool EqualsIgnoreCase(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

const HeaderField* FindField(const HeaderField* fields, int count, absl::string_view name) {
  for (int i = 0; i < count; ++i) {
    if (EqualsIgnoreCase(fields[i].name, name)) return &fields[i];
  }
  return nullptr;
}

HeadStatus FindHeadEnd(absl::string_view data, size_t* scanned, size_t* head_length, ParseError* error) {
  // Line by line with memchr (vectorised by libc): a CR may only stand right before an LF,
  // and an LF only right after a CR.
  const char* base = data.data();
  size_t i = *scanned;
  while (i < data.size()) {
    const char* lf = static_cast<const char*>(memchr(base + i, '\n', data.size() - i));
    size_t end = lf != nullptr ? static_cast<size_t>(lf - base) : data.size();
    const char* cr = static_cast<const char*>(memchr(base + i, '\r', end - i));
    if (lf == nullptr) {
      // No line end yet: a CR in the last byte waits for the next one; any other is bare.
      if (cr != nullptr && static_cast<size_t>(cr - base) + 1 < data.size()) {
        Fail(error, 400, "bare CR in the head");
        return HeadStatus::kError;
      }
      i = cr != nullptr ? static_cast<size_t>(cr - base) : data.size();
      break;
    }
    if (cr != nullptr && static_cast<size_t>(cr - base) + 1 != end) {
      Fail(error, 400, "bare CR in the head");
      return HeadStatus::kError;
    }
    if (end == 0 || data[end - 1] != '\r') {
      Fail(error, 400, "bare LF in the head");
      return HeadStatus::kError;
    }
    i = end + 1;
    // An empty line ends the head, unless nothing but empty lines came before it.
    bool empty_line = end == 1 || data[end - 2] == '\n';
    if (!empty_line) continue;
    bool content_before = false;
    for (size_t j = 0; j + 1 < end && !content_before; ++j) content_before = data[j] != '\r' && data[j] != '\n';
    if (content_before) {
      *scanned = end + 1;
      *head_length = end + 1;
      return HeadStatus::kComplete;
    }
  }
  *scanned = i;
  return HeadStatus::kIncomplete;
}

HeadStatus ParseRequestHead(absl::string_view head, const Limits& limits, HeaderField* fields,
                            RequestHead* out, ParseError* error) {
  *out = RequestHead();
  out->head_length = head.size();
  out->fields = fields;
  absl::string_view rest = head;
  while (rest.substr(0, 2) == "\r\n") rest.remove_prefix(2);
  size_t eol = rest.find("\r\n");
  absl::string_view line = rest.substr(0, eol);
  out->request_line = line;
  rest.remove_prefix(eol + 2);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == absl::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == absl::string_view::npos || line.find(' ', sp2 + 1) != absl::string_view::npos) {
    Fail(error, 400, "malformed request line");
    return HeadStatus::kError;
  }
  out->method = line.substr(0, sp1);
  out->target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (out->method.empty()) {
    Fail(error, 400, "empty method");
    return HeadStatus::kError;
  }
  for (unsigned char c : out->method) {
    if (!IsTokenChar(c)) {
      Fail(error, 400, "invalid method");
      return HeadStatus::kError;
    }
  }
  out->is_head = out->method == "HEAD";
  out->is_connect = out->method == "CONNECT";
  out->idempotent = IsIdempotent(out->method);
  if (!ParseVersion(line.substr(sp2 + 1), &out->version_minor, 400, error) || !ParseTarget(out, error)) {
    return HeadStatus::kError;
  }
  Semantics s;
  if (!ParseFields(rest, limits, 400, fields, &out->field_count, &s, error)) return HeadStatus::kError;
  if (s.has_transfer_encoding) {
    if (s.has_content_length) {
      Fail(error, 400, "both Content-Length and Transfer-Encoding");
      return HeadStatus::kError;
    }
    if (out->version_minor == 0) {
      Fail(error, 400, "Transfer-Encoding in an HTTP/1.0 request");
      return HeadStatus::kError;
    }
    if (!s.chunked_last || s.chunked_twice) {
      Fail(error, s.chunked_twice || s.chunked_last ? 400 : 501, "Transfer-Encoding does not end with chunked");
      return HeadStatus::kError;
    }
    out->framing = Framing::kChunked;
  } else if (s.has_content_length && s.content_length > 0) {
    out->framing = Framing::kContentLength;
    out->content_length = s.content_length;
  }
  if (out->version_minor >= 1 && s.host_count != 1) {
    Fail(error, 400, s.host_count == 0 ? "HTTP/1.1 request without Host" : "several Host headers");
    return HeadStatus::kError;
  }
  if (s.host_count > 1) {
    Fail(error, 400, "several Host headers");
    return HeadStatus::kError;
  }
  if (out->is_connect && out->framing != Framing::kNone) {
    Fail(error, 400, "CONNECT with a body");
    return HeadStatus::kError;
  }
  out->host = s.host;
  out->connection = s.connection;
  out->expect_continue = s.expect_continue && out->version_minor >= 1;
  out->has_upgrade_header = s.has_upgrade;
  return HeadStatus::kComplete;
}

HeadStatus ParseResponseHead(absl::string_view head, const Limits& limits, bool request_was_head,
                             bool request_was_connect, HeaderField* fields, ResponseHead* out,
                             ParseError* error) {
  *out = ResponseHead();
  out->head_length = head.size();
  out->fields = fields;
  size_t eol = head.find("\r\n");
  absl::string_view line = head.substr(0, eol);
  absl::string_view rest = head.substr(eol + 2);
  out->status_line = line;
  // HTTP-version SP 3DIGIT [SP reason]
  if (line.size() < 12 || line[8] != ' ' || (line.size() > 12 && line[12] != ' ')) {
    Fail(error, 502, "malformed status line");
    return HeadStatus::kError;
  }
  if (!ParseVersion(line.substr(0, 8), &out->version_minor, 502, error)) return HeadStatus::kError;
  int status = 0;
  for (char c : line.substr(9, 3)) {
    if (c < '0' || c > '9') {
      Fail(error, 502, "invalid status code");
      return HeadStatus::kError;
    }
    status = status * 10 + (c - '0');
  }
  if (status < 100 || status > 599) {
    Fail(error, 502, "status code out of range");
    return HeadStatus::kError;
  }
  out->status = status;
  out->reason = line.size() > 13 ? line.substr(13) : absl::string_view();
  if (!ValidFieldValue(out->reason)) {
    Fail(error, 502, "invalid character in the reason phrase");
    return HeadStatus::kError;
  }
  Semantics s;
  if (!ParseFields(rest, limits, 502, fields, &out->field_count, &s, error)) return HeadStatus::kError;
  out->connection = s.connection;
  if (s.has_transfer_encoding && s.has_content_length) {
    Fail(error, 502, "both Content-Length and Transfer-Encoding");
    return HeadStatus::kError;
  }
  if (s.has_transfer_encoding && s.chunked_twice) {
    Fail(error, 502, "chunked applied more than once");
    return HeadStatus::kError;
  }
  if (status == 101 || (request_was_connect && status >= 200 && status < 300)) {
    out->framing = Framing::kTunnel;
  } else if (request_was_head || out->Interim() || status == 204 || status == 304) {
    out->framing = Framing::kNone;
  } else if (s.has_transfer_encoding) {
    out->framing = s.chunked_last ? Framing::kChunked : Framing::kUntilClose;
  } else if (s.has_content_length) {
    out->framing = s.content_length > 0 ? Framing::kContentLength : Framing::kNone;
    out->content_length = s.content_length;
  } else {
    out->framing = Framing::kUntilClose;
  }
  return HeadStatus::kComplete;
}

}  // namespace tender::http
