// Request framing end to end: what the origin receives is exactly what a strict reading
// of the client's bytes allows, and anything ambiguous is refused before any byte of it
// reaches a server.
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"
#include "tests/fakes/http_origin.h"

namespace tender::testing {
namespace {

// A literal's bytes, embedded NULs included.
template <size_t N>
std::string Bytes(const char (&s)[N]) {
  return std::string(s, N - 1);
}

class FramingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = FreePort();
    ASSERT_TRUE(tender_.Start(absl::StrCat(
        "global\n nbthread 1\n"
        "defaults\n mode http\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n"
        "frontend fe\n bind 127.0.0.1:", port_, "\n default_backend be\n"
        "backend be\n server o 127.0.0.1:", origin_.port(), "\n")))
        << tender_.output();
  }
  std::string Status(const std::string& response) { return response.substr(0, response.find("\r\n")); }

  HttpOrigin origin_{"origin"};
  TenderProcess tender_;
  int port_ = 0;
};

// Every ambiguous or invalid framing: 400 (or 501), the connection closed, and the origin
// never sees a byte.
TEST_F(FramingTest, AmbiguousRequestsNeverReachTheServer) {
  struct Case {
    const char* name;
    std::string request;
    const char* status;
  };
  std::vector<Case> cases = {
      {"CL.TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", "400"},
      {"TE.CL", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n", "400"},
      {"two lengths", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "400"},
      {"TE obfuscated", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", "501"},
      {"TE not last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n", "400"},
      {"space before colon", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", "400"},
      {"obs-fold TE", "POST / HTTP/1.1\r\nHost: a\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n", "400"},
      {"bare LF", "GET / HTTP/1.1\nHost: a\n\n", "400"},
      {"NUL in value", Bytes("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n"), "400"},
      {"no host", "GET / HTTP/1.1\r\n\r\n", "400"},
      {"bad method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", "400"},
      {"HTTP/2 version", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", "505"},
      {"bad chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n", "400"},
      {"chunk size overflow",
       "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff1\r\nab\r\n0\r\n\r\n", "400"},
  };
  for (const Case& c : cases) {
    std::string response = RawExchange(port_, c.request);
    EXPECT_EQ(Status(response).substr(0, 12), absl::StrCat("HTTP/1.1 ", c.status)) << c.name << ": " << response;
  }
  // The two chunked cases reach the server with their head (the head is valid; the body
  // is not yet known to be bad). Nothing else did.
  std::string got = origin_.received();
  EXPECT_EQ(got.find("SMUGGLED"), std::string::npos);
  EXPECT_EQ(got.find("Content-Length: 6"), std::string::npos);
  EXPECT_EQ(got.find("xchunked"), std::string::npos);
  EXPECT_EQ(origin_.requests(), 0) << got;
}

TEST_F(FramingTest, BodiesArriveByteExactAndPipelinedRequestsAreAnsweredInOrder) {
  std::string body(100000, 'x');
  for (size_t i = 0; i < body.size(); i += 7) body[i] = static_cast<char>('a' + i % 26);
  std::string chunked = "3\r\nabc\r\n10;ext=1\r\n0123456789abcdef\r\n0\r\nX-Trailer: t\r\n\r\n";
  std::string requests = absl::StrCat(
      "POST /one HTTP/1.1\r\nHost: a\r\nContent-Length: ", body.size(), "\r\n\r\n", body,
      "POST /two HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", chunked,
      "GET /chunked HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET /three HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  std::string response = RawExchange(port_, requests);
  // Four responses, in order.
  size_t first = response.find("HTTP/1.1 200");
  size_t second = response.find("HTTP/1.1 200", first + 1);
  size_t third = response.find("HTTP/1.1 200", second + 1);
  size_t fourth = response.find("HTTP/1.1 200", third + 1);
  ASSERT_NE(fourth, std::string::npos) << response;
  EXPECT_NE(response.find("Transfer-Encoding: chunked\r\n\r\n2\r\nor\r\n5\r\nigin\n\r\n0\r\n\r\n"), std::string::npos) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  ASSERT_TRUE(origin_.WaitForRequests(4));
  std::string got = origin_.received();
  // The bodies, exactly as sent, each right after its own head.
  EXPECT_NE(got.find(absl::StrCat("Content-Length: ", body.size(), "\r\n\r\n", body, "POST /two")), std::string::npos);
  EXPECT_NE(got.find(absl::StrCat("Transfer-Encoding: chunked\r\n\r\n", chunked, "GET /chunked")), std::string::npos);
}

TEST_F(FramingTest, ExpectContinueAndHeadAndNoBodyStatuses) {
  int fd = ConnectTo(port_);
  ASSERT_GE(fd, 0);
  std::string head = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";
  ASSERT_EQ(send(fd, head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));
  // The origin does not send 100 itself; tender forwards the request and the body follows
  // when the client decides to send it.
  ASSERT_EQ(send(fd, "hello", 5, 0), 5);
  std::string line = ReadLine(fd);
  EXPECT_EQ(line, "HTTP/1.1 200 OK\r");
  close(fd);
  std::string r = RawExchange(port_, "HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /status/204 HTTP/1.1\r\nHost: a\r\n\r\n"
                                     "GET /status/304 HTTP/1.1\r\nHost: a\r\n\r\nGET /close HTTP/1.1\r\nHost: a\r\n\r\n");
  // HEAD's response has a Content-Length but no body: the next response follows at once.
  EXPECT_NE(r.find("Content-Length: 7\r\n\r\nHTTP/1.1 204 Status"), std::string::npos) << r;
  EXPECT_NE(r.find("HTTP/1.1 304 Status"), std::string::npos) << r;
  EXPECT_NE(r.find("origin\n"), std::string::npos) << r;  // /close's body
}

TEST_F(FramingTest, InvalidOrIncompleteResponsesGive502) {
  EXPECT_EQ(Status(RawExchange(port_, "GET /invalid HTTP/1.1\r\nHost: a\r\n\r\n")), "HTTP/1.1 502 Bad Gateway");
  EXPECT_EQ(Status(RawExchange(port_, "GET /cl-te HTTP/1.1\r\nHost: a\r\n\r\n")), "HTTP/1.1 502 Bad Gateway");
  // A truncated body cannot be repaired: the client sees the head, then the connection
  // closes before Content-Length bytes came.
  std::string r = RawExchange(port_, "GET /truncated HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(Status(r), "HTTP/1.1 200 OK");
  EXPECT_EQ(r.substr(r.find("\r\n\r\n") + 4), "short");
  // A response without length ends with the server's close, and so does the client's
  // connection.
  r = RawExchange(port_, "GET /until-close HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_NE(r.find("Connection: close\r\n\r\norigin\n"), std::string::npos) << r;
}

TEST_F(FramingTest, WebSocketUpgradeTunnelsBothWays) {
  int fd = ConnectTo(port_);
  ASSERT_GE(fd, 0);
  std::string req = "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
  ASSERT_EQ(send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  EXPECT_EQ(ReadLine(fd), "HTTP/1.1 101 Switching Protocols\r");
  std::string rest;
  while (rest.find("\r\n\r\n") == std::string::npos) {
    std::string line = ReadLine(fd);
    if (line.empty() && rest.size() > 2) break;
    rest += line + "\n";
    if (line == "\r") break;
  }
  EXPECT_NE(rest.find("Upgrade: websocket"), std::string::npos) << rest;
  for (int i = 0; i < 100; ++i) {
    std::string msg = absl::StrCat("frame ", i, "\n");
    ASSERT_EQ(send(fd, msg.data(), msg.size(), 0), static_cast<ssize_t>(msg.size()));
    EXPECT_EQ(ReadLine(fd), absl::StrCat("frame ", i));
  }
  shutdown(fd, SHUT_WR);
  EXPECT_TRUE(WaitForClose(fd));
  close(fd);
}

}  // namespace
}  // namespace tender::testing
