// Hostile clients: 5,000 connections dribbling a request head one byte a second. tender
// answers them 408 when `timeout http-request` passes, serves normal clients meanwhile,
// respects maxconn, and holds no file descriptor for them afterwards.
#include <dirent.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"
#include "tests/fakes/http_origin.h"

namespace tender::testing {
namespace {

int OpenFds(pid_t pid) {
  int n = 0;
  DIR* d = opendir(absl::StrCat("/proc/", pid, "/fd").c_str());
  if (d == nullptr) return -1;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

TEST(SlowlorisTest, DribblingClientsGet408AndCostNothingAfterwards) {
  rlimit limit;
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  constexpr int kSlow = 5000;
  if (limit.rlim_cur < kSlow + 200) GTEST_SKIP() << "file descriptor limit " << limit.rlim_cur << " is too low";

  HttpOrigin origin("origin");
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(absl::StrCat(
      "global\n nbthread 2\n maxconn 6000\n"
      "defaults\n mode http\n timeout connect 2s\n timeout client 30s\n timeout server 30s\n"
      " timeout http-request 2s\n option http-server-close\n"
      "frontend fe\n bind 127.0.0.1:", port, "\n maxconn 5100\n default_backend be\n"
      "backend be\n server o 127.0.0.1:", origin.port(), "\n")))
      << tender.output();
  int baseline = OpenFds(tender.pid());

  const std::string head = "GET /slow HTTP/1.1\r\nHost: a\r\n";
  std::vector<int> slow;
  for (int i = 0; i < kSlow; ++i) {
    int fd = ConnectTo(port);
    ASSERT_GE(fd, 0) << i;
    ASSERT_EQ(send(fd, head.data(), 1, MSG_NOSIGNAL), 1);
    slow.push_back(fd);
  }
  // The dribble: one more byte on every connection each second (pacing of the attack, not
  // synchronisation), while a normal client is served.
  std::atomic<bool> stop{false};
  std::thread dribbler([&] {
    for (size_t offset = 1; offset < head.size() && !stop; ++offset) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      for (int fd : slow) send(fd, head.data() + offset, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
  });
  int served = 0;
  for (int i = 0; i < 20; ++i) {
    std::string r = RawExchange(port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    served += r.rfind("HTTP/1.1 200 OK", 0) == 0;
  }
  EXPECT_EQ(served, 20);
  // tender never holds more than maxconn client connections.
  EXPECT_LE(OpenFds(tender.pid()), baseline + 5100 + 2);

  // Every slow connection ends with a 408 (each read waits for its own event: data or EOF).
  int got_408 = 0;
  for (int fd : slow) {
    std::string r = ReadAll(fd, 20000);
    got_408 += r.rfind("HTTP/1.1 408", 0) == 0;
  }
  stop = true;
  dribbler.join();
  EXPECT_EQ(got_408, kSlow);
  for (int fd : slow) close(fd);
  // tender closed each connection before its client saw EOF: nothing is left open.
  EXPECT_EQ(OpenFds(tender.pid()), baseline);
  EXPECT_EQ(origin.requests(), 20);
}

}  // namespace
}  // namespace tender::testing
