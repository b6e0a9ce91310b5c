// The relay itself: bytes, half-closes, timeouts and stopping.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <random>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

using Behaviour = TestServer::Behaviour;

std::string Config(int port, const TestServer& s, const std::string& extra = "") {
  return absl::StrCat("global\n nbthread 2\n"
                      "defaults\n mode tcp\n timeout connect 2s\n timeout client 10s\n timeout server 10s\n",
                      extra, "listen svc\n bind 127.0.0.1:", port, "\n server s 127.0.0.1:", s.port(), "\n");
}

// Writes `payload` then half-closes (the echo server closes only after our FIN), while
// reading everything that comes back until EOF.
std::string SendThenHalfClose(int port, const std::string& payload) {
  int fd = ConnectTo(port);
  std::thread writer([&] {
    size_t off = 0;
    while (off < payload.size()) {
      ssize_t n = write(fd, payload.data() + off, payload.size() - off);
      if (n <= 0) break;
      off += n;
    }
    shutdown(fd, SHUT_WR);
  });
  std::string back = ReadAll(fd);
  writer.join();
  close(fd);
  return back;
}

TEST(RelayTest, HalfCloseFromTheClientReachesTheServerAndTheAnswerStillComesBack) {
  TestServer echo("echo", Behaviour::kEcho);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, echo))) << tender.output();
  std::string payload(200000, 'x');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);
  std::string back = SendThenHalfClose(port, payload);
  EXPECT_EQ(back.size(), payload.size());
  EXPECT_TRUE(back == payload);
}

TEST(RelayTest, ServerCloseReachesTheClient) {
  TestServer named("named", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, named))) << tender.output();
  int fd = ConnectTo(port);
  EXPECT_EQ(ReadAll(fd), "named\n");  // ReadAll returns at EOF
  close(fd);
}

// A server that streams `bytes` of a seeded sequence while reading and checking the same
// amount of another seeded sequence: both directions at once, checksummed.
class BulkServer {
 public:
  explicit BulkServer(size_t bytes) : bytes_(bytes) {
    listen_fd_ = ListenLoopback(0, 4, &port_);
    thread_ = std::thread([this] {
      int fd = accept(listen_fd_, nullptr, nullptr);
      std::thread sender([&] { received_ok_ = Receive(fd, 2, bytes_); });
      Send(fd, 1, bytes_);
      shutdown(fd, SHUT_WR);
      sender.join();
      close(fd);
    });
  }
  ~BulkServer() {
    Join();
    close(listen_fd_);
  }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  bool received_ok() const { return received_ok_; }

  static void Send(int fd, uint64_t seed, size_t bytes) {
    std::mt19937_64 rng(seed);
    std::vector<uint64_t> block(8192);
    size_t sent = 0;
    while (sent < bytes) {
      for (auto& w : block) w = rng();
      size_t chunk = std::min(bytes - sent, block.size() * 8);
      const char* p = reinterpret_cast<const char*>(block.data());
      size_t off = 0;
      while (off < chunk) {
        ssize_t n = write(fd, p + off, chunk - off);
        if (n <= 0) return;
        off += n;
      }
      sent += chunk;
    }
  }

  // Reads until EOF and checks the bytes against the seeded sequence and the count.
  static bool Receive(int fd, uint64_t seed, size_t bytes) {
    std::mt19937_64 rng(seed);
    std::vector<uint64_t> expected(8192);
    std::vector<char> got(expected.size() * 8);
    size_t total = 0;
    bool ok = true;
    while (total < bytes) {
      for (auto& w : expected) w = rng();
      size_t chunk = std::min(bytes - total, got.size());
      size_t off = 0;
      while (off < chunk) {
        ssize_t n = read(fd, got.data() + off, chunk - off);
        if (n <= 0) return false;
        off += n;
      }
      ok = ok && memcmp(got.data(), expected.data(), chunk) == 0;
      total += chunk;
    }
    char extra;
    return ok && read(fd, &extra, 1) == 0;
  }

 private:
  size_t bytes_;
  int listen_fd_;
  int port_;
  std::thread thread_;
  std::atomic<bool> received_ok_{false};
};

void TransferOneGibibyteEachWay(const std::string& global_extra) {
  constexpr size_t kBytes = size_t{1} << 30;
  BulkServer server(kBytes);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat("global\n nbthread 1\n", global_extra,
                                        "defaults\n mode tcp\n timeout connect 2s\n timeout client 1m\n timeout server 1m\n"
                                        "listen bulk\n bind 127.0.0.1:", port, "\n server s 127.0.0.1:", server.port(), "\n")))
      << tender.output();
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  std::atomic<bool> client_received_ok{false};
  std::thread receiver([&] { client_received_ok = BulkServer::Receive(fd, 1, kBytes); });
  BulkServer::Send(fd, 2, kBytes);
  shutdown(fd, SHUT_WR);
  receiver.join();
  close(fd);
  EXPECT_TRUE(client_received_ok);
  // The server's reader only finishes at EOF, i.e. after our half-close went through.
  server.Join();
  EXPECT_TRUE(server.received_ok());
}

TEST(RelayTest, OneGibibyteEachWayAtOnceArrivesByteExactThroughSplice) { TransferOneGibibyteEachWay(""); }

TEST(RelayTest, OneGibibyteEachWayAtOnceArrivesByteExactThroughBuffers) {
  TransferOneGibibyteEachWay(" nosplice\n tune.bufsize 16384\n");
}

TEST(RelayTest, HalfCloseWorksInCopyModeToo) {
  TestServer echo("echo", Behaviour::kEcho);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat("global\n nosplice\n"
                                        "defaults\n mode tcp\n timeout connect 2s\n timeout client 10s\n timeout server 10s\n"
                                        "listen svc\n bind 127.0.0.1:", port, "\n server s 127.0.0.1:", echo.port(), "\n")))
      << tender.output();
  std::string payload(300000, 'y');
  std::string back = SendThenHalfClose(port, payload);
  EXPECT_TRUE(back == payload) << back.size();
}

TEST(RelayTest, IdleClientIsClosedByTimeoutClient) {
  TestServer hold("hold", Behaviour::kHold);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat("global\n nbthread 1\n"
                                        "defaults\n mode tcp\n timeout connect 2s\n timeout client 200ms\n timeout server 10s\n"
                                        "listen svc\n bind 127.0.0.1:", port, "\n server s 127.0.0.1:", hold.port(), "\n")))
      << tender.output();
  int fd = ConnectTo(port);
  EXPECT_EQ(ReadLine(fd), "hold");
  EXPECT_TRUE(WaitForClose(fd));  // nothing moves, so the idle timeout closes both sides
  close(fd);
}

// A listener whose accept queue is full: Linux drops further SYNs, so a connect to it
// hangs until the connector gives up. That is a real connect timeout on loopback.
class BlackHole {
 public:
  BlackHole() {
    fd_ = ListenLoopback(0, 0, &port_);
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port_);
    // Fill the queue (backlog 0 still admits one); these are never accepted.
    for (int i = 0; i < 2; ++i) fillers_.push_back(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    for (int f : fillers_) connect(f, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  }
  ~BlackHole() {
    for (int f : fillers_) close(f);
    close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_;
  int port_;
  std::vector<int> fillers_;
};

TEST(RelayTest, ConnectTimeoutRetriesThenRedispatches) {
  BlackHole hole;
  TestServer good("good", Behaviour::kSendName);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat("global\n nbthread 1\n"
                                        "defaults\n mode tcp\n timeout connect 100ms\n timeout client 10s\n timeout server 10s\n"
                                        " retries 1\n option redispatch\n"
                                        "listen svc\n bind 127.0.0.1:", port, "\n balance first\n"
                                        " server hole 127.0.0.1:", hole.port(), "\n server good 127.0.0.1:", good.port(), "\n")))
      << tender.output();
  // `first` always picks the black hole; its connect times out twice (one retry), and the
  // last retry goes elsewhere.
  EXPECT_EQ(FetchName(port), "good");
}

TEST(RelayTest, ConnectTimeoutWithoutRedispatchClosesTheClient) {
  BlackHole hole;
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat("global\n nbthread 1\n"
                                        "defaults\n mode tcp\n timeout connect 100ms\n timeout client 10s\n timeout server 10s\n retries 1\n"
                                        "listen svc\n bind 127.0.0.1:", port, "\n server hole 127.0.0.1:", hole.port(), "\n")))
      << tender.output();
  int fd = ConnectTo(port);
  EXPECT_TRUE(WaitForClose(fd));
  close(fd);
}

TEST(RelayTest, GracefulStopFinishesEstablishedSessionsAndRefusesNewOnes) {
  TestServer echo("echo", Behaviour::kEcho);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, echo))) << tender.output();
  int fd = ConnectTo(port);
  ASSERT_EQ(write(fd, "ping\n", 5), 5);
  EXPECT_EQ(ReadLine(fd), "ping");
  kill(tender.pid(), SIGTERM);
  ASSERT_TRUE(tender.WaitForOutput("stopping gracefully"));
  // The listeners close; the established session still relays.
  ASSERT_EQ(write(fd, "pong\n", 5), 5);
  EXPECT_EQ(ReadLine(fd), "pong");
  shutdown(fd, SHUT_WR);
  EXPECT_TRUE(WaitForClose(fd));
  close(fd);
  EXPECT_EQ(tender.Stop(0), 0);  // signal 0 only waits: the process exits on its own
  EXPECT_EQ(ConnectTo(port), -1);
}

TEST(RelayTest, SigintStopsAtOnce) {
  TestServer hold("hold", Behaviour::kHold);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, hold))) << tender.output();
  int fd = ConnectTo(port);
  EXPECT_EQ(ReadLine(fd), "hold");
  EXPECT_EQ(tender.Stop(SIGINT), 0);
  EXPECT_TRUE(WaitForClose(fd));
  close(fd);
}

}  // namespace
}  // namespace tender::testing
