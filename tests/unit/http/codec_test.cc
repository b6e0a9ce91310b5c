// Table-driven tests of the HTTP/1 codec: every framing rule, valid and invalid, and the
// same verdict whatever way the bytes are split.
#include <cctype>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "proxy/http/chunked.h"
#include "proxy/http/http1.h"

namespace tender::http {
namespace {

// A literal's bytes, embedded NULs included.
template <size_t N>
std::string Bytes(const char (&s)[N]) {
  return std::string(s, N - 1);
}

constexpr int kOk = 0;

struct Outcome {
  int status = kOk;  // 0: parsed; else the error status
  Framing framing = Framing::kNone;
  uint64_t length = 0;
  bool keep_alive = true;
};

// Feeds `bytes` in pieces of `step` bytes (0: all at once) and parses the request head.
Outcome ParseRequest(const std::string& bytes, size_t step, RequestHead* head = nullptr) {
  static HeaderField fields[101];
  Limits limits;
  size_t scanned = 0, length = 0;
  ParseError error;
  HeadStatus s = HeadStatus::kIncomplete;
  for (size_t have = step == 0 ? bytes.size() : std::min(step, bytes.size());;
       have = std::min(bytes.size(), have + step)) {
    s = FindHeadEnd(absl::string_view(bytes).substr(0, have), &scanned, &length, &error);
    if (s != HeadStatus::kIncomplete || have == bytes.size()) break;
  }
  if (s == HeadStatus::kError) return {error.status};
  if (s == HeadStatus::kIncomplete) return {-1};
  RequestHead local;
  RequestHead* r = head ? head : &local;
  if (ParseRequestHead(absl::string_view(bytes).substr(0, length), limits, fields, r, &error) != HeadStatus::kComplete) {
    return {error.status};
  }
  return {kOk, r->framing, r->content_length, r->WantsKeepAlive()};
}

struct RequestCase {
  const char* name;
  std::string bytes;
  int status;
  Framing framing = Framing::kNone;
  uint64_t length = 0;
};

std::vector<RequestCase> RequestCases() {
  const std::string h = "Host: a\r\n";
  return {
      {"simple get", "GET / HTTP/1.1\r\n" + h + "\r\n", kOk},
      {"http/1.0 without host", "GET / HTTP/1.0\r\n\r\n", kOk},
      {"leading empty lines", "\r\n\r\nGET / HTTP/1.1\r\n" + h + "\r\n", kOk},
      {"content-length", "POST / HTTP/1.1\r\n" + h + "Content-Length: 5\r\n\r\n", kOk, Framing::kContentLength, 5},
      {"content-length zero", "POST / HTTP/1.1\r\n" + h + "Content-Length: 0\r\n\r\n", kOk, Framing::kNone},
      {"same content-length twice", "POST / HTTP/1.1\r\n" + h + "Content-Length: 7\r\nContent-Length: 7\r\n\r\n", kOk,
       Framing::kContentLength, 7},
      {"content-length list of equal values", "POST / HTTP/1.1\r\n" + h + "Content-Length: 7, 7\r\n\r\n", kOk,
       Framing::kContentLength, 7},
      {"chunked", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n", kOk, Framing::kChunked},
      {"chunked case-insensitive", "POST / HTTP/1.1\r\n" + h + "transfer-encoding: ChUnKeD\r\n\r\n", kOk, Framing::kChunked},
      {"gzip then chunked", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip, chunked\r\n\r\n", kOk, Framing::kChunked},
      {"te over two lines", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", kOk,
       Framing::kChunked},
      {"absolute form", "GET http://a/x?y HTTP/1.1\r\n" + h + "\r\n", kOk},
      {"options asterisk", "OPTIONS * HTTP/1.1\r\n" + h + "\r\n", kOk},
      {"connect authority", "CONNECT a:443 HTTP/1.1\r\n" + h + "\r\n", kOk},
      {"empty header value", "GET / HTTP/1.1\r\n" + h + "X-Empty:\r\n\r\n", kOk},
      {"value with tabs and obs-text", "GET / HTTP/1.1\r\n" + h + "X: a\tb \xe9\r\n\r\n", kOk},
      {"http/1.2 is 1.1", "GET / HTTP/1.2\r\n" + h + "\r\n", kOk},
      {"custom method", "PURGE / HTTP/1.1\r\n" + h + "\r\n", kOk},
      {"percent-encoded target", "GET /a%20b HTTP/1.1\r\n" + h + "\r\n", kOk},
      {"header with no space after colon", "GET / HTTP/1.1\r\nHost:a\r\n\r\n", kOk},
      // Smuggling vectors.
      {"cl and te", "POST / HTTP/1.1\r\n" + h + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"te and cl", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400},
      {"differing content-lengths", "POST / HTTP/1.1\r\n" + h + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
      {"differing list", "POST / HTTP/1.1\r\n" + h + "Content-Length: 5, 6\r\n\r\n", 400},
      {"negative content-length", "POST / HTTP/1.1\r\n" + h + "Content-Length: -1\r\n\r\n", 400},
      {"plus content-length", "POST / HTTP/1.1\r\n" + h + "Content-Length: +5\r\n\r\n", 400},
      {"hex content-length", "POST / HTTP/1.1\r\n" + h + "Content-Length: 0x5\r\n\r\n", 400},
      {"content-length overflow", "POST / HTTP/1.1\r\n" + h + "Content-Length: 99999999999999999999\r\n\r\n", 400},
      {"content-length just too big", "POST / HTTP/1.1\r\n" + h + "Content-Length: 9223372036854775807\r\n\r\n", 400},
      {"empty content-length", "POST / HTTP/1.1\r\n" + h + "Content-Length: \r\n\r\n", 400},
      {"content-length with space inside", "POST / HTTP/1.1\r\n" + h + "Content-Length: 1 2\r\n\r\n", 400},
      {"chunked not last", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked, gzip\r\n\r\n", 400},
      {"chunked twice", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked, chunked\r\n\r\n", 400},
      {"unknown coding only", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip\r\n\r\n", 501},
      {"chunked with garbage suffix", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunkedx\r\n\r\n", 501},
      {"te in http/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"space before colon", "POST / HTTP/1.1\r\n" + h + "Content-Length : 5\r\n\r\n", 400},
      {"tab before colon", "GET / HTTP/1.1\r\n" + h + "X\t: 5\r\n\r\n", 400},
      {"obs-fold", "GET / HTTP/1.1\r\n" + h + "X: a\r\n b\r\n\r\n", 400},
      {"obs-fold tab", "GET / HTTP/1.1\r\n" + h + "X: a\r\n\tb\r\n\r\n", 400},
      {"empty header name", "GET / HTTP/1.1\r\n" + h + ": x\r\n\r\n", 400},
      {"no colon", "GET / HTTP/1.1\r\n" + h + "X\r\n\r\n", 400},
      {"nul in value", Bytes("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n"), 400},
      {"nul in name", Bytes("GET / HTTP/1.1\r\nHost: a\r\nX\0: ab\r\n\r\n"), 400},
      {"control char in value", "GET / HTTP/1.1\r\n" + h + "X: a\x01" "b\r\n\r\n", 400},
      {"del in value", "GET / HTTP/1.1\r\n" + h + "X: a\x7f\r\n\r\n", 400},
      {"bare lf ending", "GET / HTTP/1.1\nHost: a\n\n", 400},
      {"bare lf in header", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", 400},
      {"bare cr", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400},
      {"non-token in name", "GET / HTTP/1.1\r\n" + h + "X(y): 1\r\n\r\n", 400},
      {"utf-8 in name", "GET / HTTP/1.1\r\n" + h + "X\xc3\xa9: 1\r\n\r\n", 400},
      {"missing host 1.1", "GET / HTTP/1.1\r\n\r\n", 400},
      {"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"two hosts 1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"invalid method", "G@T / HTTP/1.1\r\n" + h + "\r\n", 400},
      {"empty method", " / HTTP/1.1\r\n" + h + "\r\n", 400},
      {"two spaces", "GET  / HTTP/1.1\r\n" + h + "\r\n", 400},
      {"trailing space", "GET / HTTP/1.1 \r\n" + h + "\r\n", 400},
      {"no version", "GET /\r\n" + h + "\r\n", 400},
      {"lowercase version", "GET / http/1.1\r\n" + h + "\r\n", 400},
      {"version garbage", "GET / HTTP/1.x\r\n" + h + "\r\n", 400},
      {"http/2.0", "GET / HTTP/2.0\r\n" + h + "\r\n", 505},
      {"http/0.9", "GET / HTTP/0.9\r\n" + h + "\r\n", 505},
      {"space in target", "GET /a b HTTP/1.1\r\n" + h + "\r\n", 400},
      {"control in target", "GET /a\x01 HTTP/1.1\r\n" + h + "\r\n", 400},
      {"utf-8 in target", "GET /\xc3\xa9 HTTP/1.1\r\n" + h + "\r\n", 400},
      {"relative target", "GET a/b HTTP/1.1\r\n" + h + "\r\n", 400},
      {"asterisk with get", "GET * HTTP/1.1\r\n" + h + "\r\n", 400},
      {"connect with path", "CONNECT /x HTTP/1.1\r\n" + h + "\r\n", 400},
      {"connect without port", "CONNECT a HTTP/1.1\r\n" + h + "\r\n", 400},
      {"connect with body", "CONNECT a:1 HTTP/1.1\r\n" + h + "Content-Length: 3\r\n\r\n", 400},
      {"bad scheme", "GET h@p://a/ HTTP/1.1\r\n" + h + "\r\n", 400},
  };
}

TEST(RequestHead, Table) {
  auto cases = RequestCases();
  ASSERT_GE(cases.size(), 70u);
  for (const RequestCase& c : cases) {
    Outcome o = ParseRequest(c.bytes, 0);
    EXPECT_EQ(o.status, c.status) << c.name;
    if (c.status == kOk && o.status == kOk) {
      EXPECT_EQ(o.framing, c.framing) << c.name;
      EXPECT_EQ(o.length, c.length) << c.name;
    }
  }
}

// A byte that breaks the rules is found at every position of a long value, and the bytes
// that are allowed pass at every position (scanners that read several bytes at once
// must not miss either).
TEST(RequestHead, EveryPositionOfALongValue) {
  const std::string value(40, 'v');
  for (size_t at = 0; at < value.size(); ++at) {
    auto with = [&](char c) {
      std::string v = value;
      v[at] = c;
      return std::string("GET / HTTP/1.1\r\nHost: a\r\nX-Long: ") + v + "\r\n\r\n";
    };
    for (char bad : {'\0', '\x01', '\x1f', '\x7f', '\r', '\n'}) {
      EXPECT_EQ(ParseRequest(with(bad), 0).status, 400) << "byte " << int(bad) << " at " << at;
    }
    for (char good : {'\t', ' ', '~', '\x80', '\xff'}) {
      EXPECT_EQ(ParseRequest(with(good), 0).status, kOk) << "byte " << int(good) << " at " << at;
    }
  }
}

TEST(EqualsIgnoreCase, OnlyAsciiLettersFoldAtEveryPosition) {
  const std::string base = "abcdefghijklmnopqrstuvwxyz-0123";
  EXPECT_TRUE(EqualsIgnoreCase(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123"));
  for (size_t at = 0; at < base.size(); ++at) {
    // Pairs 0x20 apart that are not a letter's two cases: '@'/'`', '['/'{', ']'/'}',
    // '\x01'/'!', and bytes above 0x7f.
    for (auto [x, y] : {std::pair<char, char>{'@', '`'}, {'[', '{'}, {']', '}'}, {'\x01', '!'}, {'\xc1', '\xe1'}}) {
      std::string a = base, b = base;
      a[at] = x;
      b[at] = y;
      EXPECT_FALSE(EqualsIgnoreCase(a, b)) << at << " " << int(x);
      EXPECT_TRUE(EqualsIgnoreCase(a, a)) << at;
    }
    std::string upper = base;
    upper[at] = static_cast<char>(toupper(upper[at]));
    EXPECT_TRUE(EqualsIgnoreCase(base, upper)) << at;
    std::string other = base;
    other[at] = other[at] == 'q' ? 'r' : 'q';
    EXPECT_FALSE(EqualsIgnoreCase(base, other)) << at;
  }
}

// The verdict does not depend on how the bytes arrive: every case split at every offset
// (one byte at a time covers every split of the scanner's state).
TEST(RequestHead, SameVerdictWhateverTheSplit) {
  for (const RequestCase& c : RequestCases()) {
    for (size_t step = 1; step <= 7; ++step) {
      EXPECT_EQ(ParseRequest(c.bytes, step).status, ParseRequest(c.bytes, 0).status) << c.name << " step " << step;
    }
  }
}

TEST(RequestHead, SplitAtEveryOffset) {
  std::string req = "POST /p?q=1 HTTP/1.1\r\nHost: example\r\nContent-Length: 12\r\nX: y\r\n\r\n";
  for (size_t cut = 1; cut < req.size(); ++cut) {
    size_t scanned = 0, length = 0;
    ParseError e;
    EXPECT_EQ(FindHeadEnd(absl::string_view(req).substr(0, cut), &scanned, &length, &e), HeadStatus::kIncomplete) << cut;
    EXPECT_EQ(FindHeadEnd(req, &scanned, &length, &e), HeadStatus::kComplete) << cut;
    EXPECT_EQ(length, req.size());
  }
}

TEST(RequestHead, Views) {
  RequestHead r;
  // The head holds views into the bytes, which must outlive it.
  static std::vector<std::string> keep;
  auto ParseRequest = [](std::string bytes, size_t step, RequestHead* head) {
    keep.push_back(std::move(bytes));
    return tender::http::ParseRequest(keep.back(), step, head);
  };
  keep.reserve(16);
  ASSERT_EQ(ParseRequest("GET /a/b?x=1&y=2 HTTP/1.1\r\nHost:  h.example \r\nConnection: close\r\n\r\n", 0, &r).status, kOk);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/a/b");
  EXPECT_EQ(r.query, "x=1&y=2");
  EXPECT_EQ(r.host, "h.example");
  EXPECT_FALSE(r.WantsKeepAlive());
  EXPECT_TRUE(r.idempotent);
  ASSERT_EQ(ParseRequest("GET http://h/z?k HTTP/1.1\r\nHost: h\r\n\r\n", 0, &r).status, kOk);
  EXPECT_EQ(r.path, "/z");
  EXPECT_EQ(r.query, "k");
  ASSERT_EQ(ParseRequest("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 0, &r).status, kOk);
  EXPECT_TRUE(r.WantsKeepAlive());
  ASSERT_EQ(ParseRequest("GET / HTTP/1.0\r\n\r\n", 0, &r).status, kOk);
  EXPECT_FALSE(r.WantsKeepAlive());
  ASSERT_EQ(ParseRequest("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n", 0, &r).status, kOk);
  EXPECT_TRUE(r.expect_continue);
  EXPECT_FALSE(r.idempotent);
  ASSERT_EQ(ParseRequest("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", 0, &r).status, kOk);
  EXPECT_TRUE(r.connection.upgrade);
  EXPECT_TRUE(r.has_upgrade_header);
}

TEST(RequestHead, TooManyHeadersIs431) {
  std::string req = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 101; ++i) req += "X-" + std::to_string(i) + ": v\r\n";
  req += "\r\n";
  EXPECT_EQ(ParseRequest(req, 0).status, 431);
}

struct ResponseCase {
  const char* name;
  std::string bytes;
  bool head = false;
  bool connect = false;
  int status = kOk;
  Framing framing = Framing::kUntilClose;
  bool keeps_alive = false;
};

TEST(ResponseHead, Table) {
  std::vector<ResponseCase> cases = {
      {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", false, false, kOk, Framing::kContentLength, true},
      {"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, false, kOk, Framing::kChunked, true},
      {"until close", "HTTP/1.1 200 OK\r\n\r\n", false, false, kOk, Framing::kUntilClose, false},
      {"gzip only is until close", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false, false, kOk, Framing::kUntilClose},
      {"head has no body", "HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n", true, false, kOk, Framing::kNone, true},
      {"204", "HTTP/1.1 204 No Content\r\n\r\n", false, false, kOk, Framing::kNone, true},
      {"304 with length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", false, false, kOk, Framing::kNone, true},
      {"100 continue", "HTTP/1.1 100 Continue\r\n\r\n", false, false, kOk, Framing::kNone, true},
      {"101 upgrade", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", false, false, kOk,
       Framing::kTunnel},
      {"200 to connect", "HTTP/1.1 200 Connection established\r\n\r\n", false, true, kOk, Framing::kTunnel},
      {"no reason", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false, false, kOk, Framing::kNone, true},
      {"close", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n", false, false, kOk, Framing::kContentLength},
      {"1.0 with keep-alive", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n", false, false, kOk,
       Framing::kContentLength, true},
      {"1.0 plain", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", false, false, kOk, Framing::kContentLength, false},
      {"cl and te", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", false, false, 502},
      {"differing cl", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", false, false, 502},
      {"bad status", "HTTP/1.1 2x0 OK\r\n\r\n", false, false, 502},
      {"status 99", "HTTP/1.1 099 X\r\n\r\n", false, false, 502},
      {"status 600", "HTTP/1.1 600 X\r\n\r\n", false, false, 502},
      {"garbage", "hello world\r\n\r\n", false, false, 502},
      {"http/2 status line", "HTTP/2.0 200 OK\r\n\r\n", false, false, 502},
      {"obs-fold", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n", false, false, 502},
      {"space before colon", "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", false, false, 502},
      {"chunked twice", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", false, false, 502},
  };
  static HeaderField fields[101];
  for (const ResponseCase& c : cases) {
    size_t scanned = 0, length = 0;
    ParseError e;
    ResponseHead r;
    HeadStatus s = FindHeadEnd(c.bytes, &scanned, &length, &e);
    if (s == HeadStatus::kComplete) s = ParseResponseHead(absl::string_view(c.bytes).substr(0, length), Limits(), c.head, c.connect, fields, &r, &e);
    if (c.status == kOk) {
      ASSERT_EQ(s, HeadStatus::kComplete) << c.name << ": " << e.reason;
      EXPECT_EQ(r.framing, c.framing) << c.name;
      EXPECT_EQ(r.ServerKeepsAlive(), c.keeps_alive) << c.name;
    } else {
      EXPECT_EQ(s, HeadStatus::kError) << c.name;
      EXPECT_EQ(e.status, c.status) << c.name;
    }
  }
}

struct ChunkCase {
  const char* name;
  std::string body;
  bool ok;
};

std::vector<ChunkCase> ChunkCases() {
  return {
      {"one chunk", "5\r\nhello\r\n0\r\n\r\n", true},
      {"two chunks", "5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n", true},
      {"uppercase hex", "A\r\n0123456789\r\n0\r\n\r\n", true},
      {"leading zeros", "0005\r\nhello\r\n0\r\n\r\n", true},
      {"extension", "5;name=value\r\nhello\r\n0\r\n\r\n", true},
      {"extension after whitespace", "5 ;x\r\nhello\r\n0\r\n\r\n", true},
      {"trailers", "5\r\nhello\r\n0\r\nX-Sum: 1\r\nY: 2\r\n\r\n", true},
      {"empty body", "0\r\n\r\n", true},
      {"no size", "\r\nhello\r\n0\r\n\r\n", false},
      {"bad hex", "g\r\nhello\r\n0\r\n\r\n", false},
      {"negative", "-5\r\nhello\r\n0\r\n\r\n", false},
      {"overflow", "10000000000000000\r\nx\r\n0\r\n\r\n", false},
      {"size then space without extension", "5 \r\nhello\r\n0\r\n\r\n", false},
      {"bare lf after size", "5\nhello\r\n0\r\n\r\n", false},
      {"missing crlf after data", "5\r\nhelloX\r\n0\r\n\r\n", false},
      {"bare lf after data", "5\r\nhello\n0\r\n\r\n", false},
      {"control in extension", "5;\x01\r\nhello\r\n0\r\n\r\n", false},
      {"huge extension", "5;" + std::string(5000, 'a') + "\r\nhello\r\n0\r\n\r\n", false},
      {"folded trailer", "0\r\nX: 1\r\n 2\r\n\r\n", false},
      {"bare lf in trailer", "0\r\nX: 1\n\r\n", false},
      {"bad final crlf", "0\r\n\rX", false},
      {"0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", false},
  };
}

// Feeds a body in pieces of `step` bytes; true when it ends exactly at its last byte.
int FeedChunked(const std::string& body, size_t step) {
  ChunkedDecoder d;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t n = step == 0 ? body.size() - pos : std::min(step, body.size() - pos);
    size_t used = 0;
    auto r = d.Feed(absl::string_view(body).substr(pos, n), &used);
    pos += used;
    if (r == ChunkedDecoder::Result::kError) return 0;
    if (r == ChunkedDecoder::Result::kDone) return pos == body.size() ? 1 : 2;
  }
  return 3;  // incomplete
}

TEST(Chunked, TableAtEverySplit) {
  for (const ChunkCase& c : ChunkCases()) {
    for (size_t step : {0, 1, 2, 3, 5, 8}) {
      int r = FeedChunked(c.body, step);
      if (c.ok) EXPECT_EQ(r, 1) << c.name << " step " << step;
      else EXPECT_NE(r, 1) << c.name << " step " << step;
    }
  }
}

TEST(Chunked, StopsAtTheEndOfTheMessage) {
  std::string two = "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
  ChunkedDecoder d;
  size_t used = 0;
  EXPECT_EQ(d.Feed(two, &used), ChunkedDecoder::Result::kDone);
  EXPECT_EQ(two.substr(used), "GET / HTTP/1.1\r\n");
}

TEST(Chunked, LargeChunkIsSkippedWithoutLooking) {
  ChunkedDecoder d;
  size_t used = 0;
  EXPECT_EQ(d.Feed("100000\r\n", &used), ChunkedDecoder::Result::kNeedMore);
  EXPECT_EQ(d.data_remaining(), 0x100000u);
  std::string block(0x100000, 'x');
  EXPECT_EQ(d.Feed(block, &used), ChunkedDecoder::Result::kNeedMore);
  EXPECT_EQ(used, block.size());
  EXPECT_EQ(d.Feed("\r\n0\r\n\r\n", &used), ChunkedDecoder::Result::kDone);
}

}  // namespace
}  // namespace tender::http
