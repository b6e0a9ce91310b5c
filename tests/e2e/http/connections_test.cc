// Connection management: client keep-alive, server connection reuse (`http-reuse`),
// `option http-server-close` and `option httpclose`, counted at the origin.
#include <signal.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"
#include "tests/fakes/http_origin.h"

namespace tender::testing {
namespace {

std::string Config(int port, int origin_port, const std::string& backend_extra,
                   const std::string& defaults_extra = "") {
  return absl::StrCat(
      "global\n nbthread 1\n"
      "defaults\n mode http\n timeout connect 2s\n timeout client 5s\n timeout server 5s\n", defaults_extra,
      "frontend fe\n bind 127.0.0.1:", port, "\n default_backend be\n"
      "backend be\n", backend_extra, " server o 127.0.0.1:", origin_port, "\n");
}

// One response read from a keep-alive connection: the status line (with its CR), the
// fields, and the origin's one-line body.
struct Response {
  std::string status, head, body;
};
Response ReadResponse(int fd) {
  Response r;
  r.status = ReadLine(fd);
  std::string line;
  while ((line = ReadLine(fd)) != "\r" && !line.empty()) r.head += line;
  r.body = ReadLine(fd);
  return r;
}

// One send(2) carrying all of `bytes` (on loopback it does, or the test fails).
bool SendWhole(int fd, const std::string& bytes) {
  return send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

// Sends `count` requests one after the other on one client connection; returns how many
// got a complete 200 response.
int SequentialRequests(int port, int count, bool* closed_early) {
  int fd = ConnectTo(port);
  if (fd < 0) return 0;
  int ok = 0;
  for (int i = 0; i < count; ++i) {
    std::string req = absl::StrCat("GET /r", i, " HTTP/1.1\r\nHost: a\r\n\r\n");
    if (!SendWhole(fd, req)) break;
    Response r = ReadResponse(fd);
    if (r.status != "HTTP/1.1 200 OK\r") break;
    if (r.body == "origin") ++ok;
  }
  *closed_early = ok < count;
  close(fd);
  return ok;
}

TEST(ConnectionsTest, ServerConnectionsAreReusedAcrossClients) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), ""))) << tender.output();
  int ok = 0;
  bool closed = false;
  for (int client = 0; client < 10; ++client) ok += SequentialRequests(port, 100, &closed);
  EXPECT_EQ(ok, 1000);
  // http-reuse safe: a GET tender can replay takes an idle connection even as a client's
  // first request, so ten clients one after the other share one.
  EXPECT_EQ(origin.connections(), 1);
  EXPECT_EQ(origin.requests(), 1000);
}

std::string OneShot(int port, const std::string& method_and_path, const std::string& body = "") {
  std::string request = absl::StrCat(method_and_path, " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n");
  if (!body.empty()) absl::StrAppend(&request, "Content-Length: ", body.size(), "\r\n");
  absl::StrAppend(&request, "\r\n", body);
  return RawExchange(port, request);
}

TEST(ConnectionsTest, SafeLetsReplayableFirstRequestsShareIdleConnections) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), ""))) << tender.output();
  // A client per request (wrk's "Connection: close" load): every request is its client's
  // first, and every GET after the first rides the one idle connection.
  for (int i = 0; i < 20; ++i) {
    std::string r = OneShot(port, "GET /x");
    EXPECT_EQ(r.substr(0, 15), "HTTP/1.1 200 OK") << i << ": " << r;
  }
  EXPECT_EQ(origin.connections(), 1);
  EXPECT_EQ(origin.requests(), 20);
}

TEST(ConnectionsTest, SafeGivesAFirstRequestWithABodyItsOwnConnection) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), ""))) << tender.output();
  ASSERT_EQ(OneShot(port, "GET /x").substr(0, 15), "HTTP/1.1 200 OK");  // leaves one idle
  for (int i = 0; i < 3; ++i) {
    std::string r = OneShot(port, "POST /form", "a=1");
    EXPECT_EQ(r.substr(0, 15), "HTTP/1.1 200 OK") << i << ": " << r;
  }
  // Neither the GET's idle connection nor an earlier POST's: a new one each time.
  EXPECT_EQ(origin.connections(), 4);
}

TEST(ConnectionsTest, SafeReplaysAFirstRequestWhenTheReusedConnectionDies) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), ""))) << tender.output();
  ASSERT_EQ(OneShot(port, "GET /drop-next").substr(0, 15), "HTTP/1.1 200 OK");
  // The next client's GET goes on that idle connection; the origin reads it and closes
  // without a word. tender sends it again on a new connection; the client sees a 200.
  std::string r = OneShot(port, "GET /x");
  EXPECT_EQ(r.substr(0, 15), "HTTP/1.1 200 OK") << r;
  EXPECT_EQ(origin.requests(), 3);
  EXPECT_EQ(origin.connections(), 2);
}

TEST(ConnectionsTest, SafeNeverRisksANonReplayableFirstRequestOnAReusedConnection) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), ""))) << tender.output();
  ASSERT_EQ(OneShot(port, "GET /drop-next").substr(0, 15), "HTTP/1.1 200 OK");
  // Had the POST gone on the idle connection it would have been lost (no replay for it).
  std::string r = OneShot(port, "POST /form", "a=1");
  EXPECT_EQ(r.substr(0, 15), "HTTP/1.1 200 OK") << r;
  EXPECT_EQ(origin.requests(), 2);
  EXPECT_EQ(origin.connections(), 2);
}

TEST(ConnectionsTest, ReuseAlwaysSharesOneConnectionAcrossSequentialClients) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), " http-reuse always\n"))) << tender.output();
  int ok = 0;
  bool closed = false;
  for (int client = 0; client < 10; ++client) ok += SequentialRequests(port, 100, &closed);
  EXPECT_EQ(ok, 1000);
  EXPECT_EQ(origin.connections(), 1);
}

TEST(ConnectionsTest, ReuseNeverKeepsOneConnectionPerClient) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), " http-reuse never\n"))) << tender.output();
  int ok = 0;
  bool closed = false;
  for (int client = 0; client < 10; ++client) ok += SequentialRequests(port, 100, &closed);
  EXPECT_EQ(ok, 1000);
  EXPECT_EQ(origin.connections(), 10);
}

TEST(ConnectionsTest, HttpServerCloseOpensOneServerConnectionPerRequest) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), " option http-server-close\n"))) << tender.output();
  bool closed = false;
  EXPECT_EQ(SequentialRequests(port, 50, &closed), 50);  // the client side stays open
  EXPECT_EQ(origin.connections(), 50);
  ASSERT_TRUE(origin.WaitForRequests(50));
  EXPECT_NE(origin.received().find("Connection: close\r\n"), std::string::npos);
}

TEST(ConnectionsTest, HttpCloseClosesTheClientAfterEachResponse) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), " option httpclose\n"))) << tender.output();
  bool closed = false;
  EXPECT_EQ(SequentialRequests(port, 3, &closed), 1);
  EXPECT_TRUE(closed);
}

TEST(ConnectionsTest, ServerClosingAnIdleConnectionIsNotAClientError) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), " http-reuse always\n"))) << tender.output();
  // /close makes the origin close right after its response; the next request must get a
  // new connection, not the dead one.
  for (int i = 0; i < 20; ++i) {
    std::string r = RawExchange(port, "GET /close HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.substr(0, 15), "HTTP/1.1 200 OK") << i << ": " << r;
    r = RawExchange(port, "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.substr(0, 15), "HTTP/1.1 200 OK") << i << ": " << r;
  }
}

TEST(ConnectionsTest, KeepAliveTimeoutClosesAnIdleConnectionSilently) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  // http-request and client timeouts are 5 s: a close well before that can only come from
  // `timeout http-keep-alive` on the parked connection.
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), "", " timeout http-request 5s\n timeout http-keep-alive 200ms\n")))
      << tender.output();
  int fd = ConnectTo(port);
  std::string req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  for (int i = 0; i < 2; ++i) {  // the second request wakes the parked connection
    ASSERT_TRUE(SendWhole(fd, req));
    Response r = ReadResponse(fd);
    EXPECT_EQ(r.status, "HTTP/1.1 200 OK\r");
    EXPECT_EQ(r.body, "origin");
  }
  // Idle now: closed without a byte (no 408 for a connection between requests).
  EXPECT_EQ(ReadAll(fd, 4000), "");
  EXPECT_TRUE(WaitForClose(fd, 100));
  close(fd);
}

TEST(ConnectionsTest, HttpOneZeroClientsGetKeepAliveOnlyWhenTheyAskForIt) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), ""))) << tender.output();
  std::string r = RawExchange(port, "GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.find("HTTP/1.1 200", 5), std::string::npos) << "1.0 without keep-alive: one response, then close";
  int fd = ConnectTo(port);
  std::string req = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(SendWhole(fd, req));
    Response r = ReadResponse(fd);
    EXPECT_EQ(r.status, "HTTP/1.1 200 OK\r");
    EXPECT_NE(r.head.find("Connection: keep-alive"), std::string::npos) << r.head;
    EXPECT_EQ(r.body, "origin");
  }
  close(fd);
}

TEST(ConnectionsTest, GracefulStopClosesIdleConnectionsAndFinishesStartedRequests) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), ""))) << tender.output();
  // An idle keep-alive client, after one request.
  int idle = ConnectTo(port);
  std::string req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_TRUE(SendWhole(idle, req));
  EXPECT_EQ(ReadLine(idle), "HTTP/1.1 200 OK\r");
  // A client in the middle of its second request's head (its first was served, so tender
  // has surely accepted it; bytes sent on loopback are in tender's socket when send
  // returns).
  int busy = ConnectTo(port);
  ASSERT_TRUE(SendWhole(busy, req));
  Response r = ReadResponse(busy);
  EXPECT_EQ(r.status, "HTTP/1.1 200 OK\r");
  EXPECT_EQ(r.body, "origin");
  std::string part = "GET /late HTTP/1.1\r\nHost: a\r\n";
  ASSERT_TRUE(SendWhole(busy, part));
  kill(tender.pid(), SIGTERM);
  ASSERT_TRUE(tender.WaitForOutput("stopping gracefully")) << tender.output();
  // The idle one is closed (its pending response bytes are read first).
  EXPECT_TRUE(WaitForClose(idle));
  // The started request is answered, with Connection: close, then the connection closes.
  ASSERT_TRUE(SendWhole(busy, "\r\n"));
  std::string response = ReadAll(busy);
  EXPECT_EQ(response.substr(0, 15), "HTTP/1.1 200 OK") << response;
  EXPECT_NE(response.find("Connection: close\r\n"), std::string::npos) << response;
  close(idle);
  close(busy);
  EXPECT_EQ(tender.Stop(0), 0) << tender.output();  // already exiting: just its status
}

// A client's socket joins tender's epoll set only when its session first waits on the
// client (docs/http.md): the tests below cover each way a session can come to need it
// while a request is with the server.

TEST(ConnectionsTest, ARequestArrivingWhileTheServerAnswersIsServedNext) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), ""))) << tender.output();
  int fd = ConnectTo(port);
  std::string first = "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_TRUE(SendWhole(fd, first));
  ASSERT_TRUE(origin.WaitForRequests(1));
  // The first request is with the origin; the second arrives meanwhile.
  std::string second = "GET /after HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_TRUE(SendWhole(fd, second));
  origin.ReleaseHeld();
  for (int i = 0; i < 2; ++i) {
    Response r = ReadResponse(fd);
    EXPECT_EQ(r.status, "HTTP/1.1 200 OK\r") << i;
    EXPECT_EQ(r.body, "origin") << i;
  }
  std::string received = origin.received();
  EXPECT_LT(received.find("GET /hold"), received.find("GET /after")) << received;
  close(fd);
}

TEST(ConnectionsTest, AResponseLargerThanTheSocketBuffersReachesAClosingClient) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), ""))) << tender.output();
  // A small receive window: tender's sends must stop on a full socket and wait to be
  // told it has room again, whatever the reading speed.
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int window = 4096;
  ASSERT_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &window, sizeof(window)), 0);
  sockaddr_in to = {};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  std::string req = "GET /big HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
  ASSERT_TRUE(SendWhole(fd, req));
  std::string response = ReadAll(fd, 30000);
  size_t body = response.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  EXPECT_EQ(response.size() - body - 4, HttpOrigin::kBigBody);
  EXPECT_EQ(response.find_first_not_of('x', body + 4), std::string::npos);
  close(fd);
}

TEST(ConnectionsTest, AClosingAnswerArrivesWholeBeforeTheResetForUnreadBytes) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), ""))) << tender.output();
  // More bytes after a Connection: close request than tender reads (its buffer holds
  // 16 KiB): closing with them unread resets the connection, which must come only after
  // the answer and its FIN.
  std::string req = "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" + std::string(200000, 'y');
  int fd = ConnectTo(port);
  ASSERT_TRUE(SendWhole(fd, req));
  std::string response = ReadAll(fd);
  EXPECT_EQ(response.substr(0, 15), "HTTP/1.1 200 OK") << response;
  EXPECT_EQ(response.substr(response.size() - 7), "origin\n") << response;
  close(fd);
}

TEST(ConnectionsTest, GracefulStopAnswersARequestThatIsWithTheServer) {
  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, origin.port(), ""))) << tender.output();
  // An idle keep-alive client: its close tells that the worker has begun the stop (the
  // log line comes from the main thread before the workers hear of it).
  int idle = ConnectTo(port);
  std::string plain = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_TRUE(SendWhole(idle, plain));
  ASSERT_EQ(ReadResponse(idle).body, "origin");
  int fd = ConnectTo(port);
  std::string req = "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_TRUE(SendWhole(fd, req));
  ASSERT_TRUE(origin.WaitForRequests(2));
  kill(tender.pid(), SIGTERM);
  ASSERT_TRUE(WaitForClose(idle));
  close(idle);
  origin.ReleaseHeld();
  std::string response = ReadAll(fd);
  EXPECT_EQ(response.substr(0, 15), "HTTP/1.1 200 OK") << response;
  EXPECT_NE(response.find("Connection: close\r\n"), std::string::npos) << response;
  EXPECT_EQ(response.substr(response.size() - 7), "origin\n") << response;
  close(fd);
  EXPECT_EQ(tender.Stop(0), 0) << tender.output();
}

// The read at accept is skipped while recent connections had nothing to read then
// (proxy/http/first_read.h). A connection whose PROXY header came through epoll is
// already in the epoll set, where a skipped read would never be reported again: its
// request, sent with the header, must still be read.
TEST(ConnectionsTest, RequestWithAProxyHeaderIsReadWhileReadsAtAcceptAreSkipped) {
  HttpOrigin origin("origin");
  int port = FreePort(), proxied_port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(Config(port, origin.port(), ""), "frontend proxied\n bind 127.0.0.1:",
                                        proxied_port, " accept-proxy\n default_backend be\n")))
      << tender.output();
  // A client that connects and says nothing: the read at accept finds nothing, and the
  // worker's predictor turns to skipping.
  int silent = ConnectTo(port);
  ASSERT_GE(silent, 0);
  // Connected before the next client's request is answered, so accepted by then (one
  // worker; the listeners are reported in the order they became ready).
  int proxied = ConnectTo(proxied_port);
  ASSERT_GE(proxied, 0);
  int other = ConnectTo(port);
  ASSERT_TRUE(SendWhole(other, "GET /other HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_EQ(ReadResponse(other).status, "HTTP/1.1 200 OK\r");
  // The header and the request in one segment, to a connection tender already watches.
  ASSERT_TRUE(SendWhole(proxied, "PROXY TCP4 192.0.2.1 192.0.2.2 40000 80\r\nGET /proxied HTTP/1.1\r\nHost: a\r\n\r\n"));
  Response r = ReadResponse(proxied);
  EXPECT_EQ(r.status, "HTTP/1.1 200 OK\r") << tender.output();
  EXPECT_EQ(r.body, "origin");
  close(proxied);
  close(other);
  close(silent);
}

}  // namespace
}  // namespace tender::testing
