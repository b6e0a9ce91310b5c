// maxconn on servers (with the backend queue and `timeout queue`) and on frontends, and
// a process out of file descriptors.
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/fakes/harness.h"

namespace tender::testing {
namespace {

using Behaviour = TestServer::Behaviour;

std::string Config(int port, const std::string& frontend_extra, const std::string& backend) {
  return absl::StrCat("global\n nbthread 1\n"
                      "defaults\n mode tcp\n timeout connect 2s\n timeout client 10s\n timeout server 10s\n"
                      "frontend fe\n bind 127.0.0.1:", port, "\n", frontend_extra, " default_backend be\n"
                      "backend be\n", backend);
}

TEST(LimitsTest, ServerMaxconnQueuesThenServes) {
  TestServer hold("hold", Behaviour::kHold);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, "", absl::StrCat(" server s 127.0.0.1:", hold.port(), " maxconn 1\n")), {"-d"}))
      << tender.output();
  int first = ConnectTo(port);
  ASSERT_EQ(ReadLine(first), "hold");
  int second = ConnectTo(port);
  ASSERT_TRUE(tender.WaitForOutput("queued for backend be")) << tender.output();
  EXPECT_EQ(hold.connections(), 1);
  close(first);  // frees the slot: the queued session goes on
  EXPECT_EQ(ReadLine(second), "hold");
  EXPECT_EQ(hold.connections(), 2);
  close(second);
}

TEST(LimitsTest, QueueTimeoutClosesTheWaitingClient) {
  TestServer hold("hold", Behaviour::kHold);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, "", absl::StrCat(" timeout queue 200ms\n server s 127.0.0.1:", hold.port(),
                                                          " maxconn 1\n")),
                           {"-d"}))
      << tender.output();
  int first = ConnectTo(port);
  ASSERT_EQ(ReadLine(first), "hold");
  int second = ConnectTo(port);
  EXPECT_TRUE(WaitForClose(second));
  EXPECT_EQ(hold.connections(), 1);
  close(second);
  close(first);
}

TEST(LimitsTest, MaxqueueRefusesBeyondTheQueue) {
  TestServer hold("hold", Behaviour::kHold);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, "", absl::StrCat(" server s 127.0.0.1:", hold.port(), " maxconn 1 maxqueue 1\n")),
                           {"-d"}))
      << tender.output();
  int first = ConnectTo(port);
  ASSERT_EQ(ReadLine(first), "hold");
  int queued = ConnectTo(port);
  ASSERT_TRUE(tender.WaitForOutput("queued for backend be"));
  int refused = ConnectTo(port);
  EXPECT_TRUE(WaitForClose(refused));  // the queue holds one
  close(refused);
  close(first);
  EXPECT_EQ(ReadLine(queued), "hold");
  close(queued);
}

TEST(LimitsTest, FullServersAreSkippedWhileOthersHaveRoom) {
  TestServer a("a", Behaviour::kHold), b("b", Behaviour::kHold);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, "", absl::StrCat(" balance roundrobin\n server a 127.0.0.1:", a.port(),
                                                          " maxconn 1\n server b 127.0.0.1:", b.port(), "\n"))))
      << tender.output();
  int c1 = ConnectTo(port);
  EXPECT_EQ(ReadLine(c1), "a");
  // roundrobin would send the third connection to a; a is full, so b takes it.
  int c2 = ConnectTo(port), c3 = ConnectTo(port);
  EXPECT_EQ(ReadLine(c2), "b");
  EXPECT_EQ(ReadLine(c3), "b");
  for (int fd : {c1, c2, c3}) close(fd);
}

TEST(LimitsTest, FrontendMaxconnLeavesConnectionsInTheBacklog) {
  TestServer echo("echo", Behaviour::kEcho);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, " maxconn 1\n", absl::StrCat(" server s 127.0.0.1:", echo.port(), "\n"))))
      << tender.output();
  int first = ConnectTo(port);
  ASSERT_EQ(write(first, "1\n", 2), 2);
  ASSERT_EQ(ReadLine(first), "1");
  int second = ConnectTo(port);  // completes in the kernel; tender must not accept it yet
  ASSERT_GE(second, 0);
  ASSERT_EQ(write(second, "2\n", 2), 2);
  // A round trip on the first session lets tender's single worker handle the listener's
  // event too.
  ASSERT_EQ(write(first, "3\n", 2), 2);
  ASSERT_EQ(ReadLine(first), "3");
  EXPECT_EQ(echo.connections(), 1);
  close(first);
  EXPECT_EQ(ReadLine(second), "2");  // accepted once the first session ended
  EXPECT_EQ(echo.connections(), 2);
  close(second);
}

// The highest file descriptor `pid` has open (RLIMIT_NOFILE bounds the number, not the count).
int HighestDescriptor(pid_t pid) {
  DIR* dir = opendir(absl::StrCat("/proc/", pid, "/fd").c_str());
  if (dir == nullptr) return -1;
  int highest = -1;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') highest = std::max(highest, atoi(e->d_name));
  }
  closedir(dir);
  return highest;
}

TEST(LimitsTest, OutOfDescriptorsTheListenerRestsThenServesTheWaitingClient) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizer runtimes need descriptors of their own: UBSan's vptr check probes
  // memory through a pipe(2) and, out of descriptors, reports a valid object as invalid
  // (strace: pipe2 -> EMFILE just before the report). The suite without sanitizers runs it.
  GTEST_SKIP() << "needs a process without sanitizers";
#endif
  TestServer hold("hold", Behaviour::kHold);
  int port = FreePort();
  TenderProcess tender;
  ASSERT_TRUE(tender.Start(Config(port, "", absl::StrCat(" server s 127.0.0.1:", hold.port(), "\n")))) << tender.output();
  // No room for one more descriptor: accept4 fails with EMFILE.
  rlimit full, saved;
  ASSERT_EQ(prlimit(tender.pid(), RLIMIT_NOFILE, nullptr, &saved), 0);
  int highest = HighestDescriptor(tender.pid());
  ASSERT_GT(highest, 0);
  full = {static_cast<rlim_t>(highest + 1), saved.rlim_max};
  ASSERT_EQ(prlimit(tender.pid(), RLIMIT_NOFILE, &full, nullptr), 0);

  int client = ConnectTo(port);  // completes in the kernel's backlog
  ASSERT_TRUE(tender.WaitForOutput("retrying in 100 ms")) << tender.output();
  ASSERT_EQ(prlimit(tender.pid(), RLIMIT_NOFILE, &saved, nullptr), 0);
  // The listener comes back by itself and takes the waiting client.
  EXPECT_EQ(ReadLine(client), "hold") << tender.output();
  EXPECT_EQ(hold.connections(), 1);
  close(client);
}

}  // namespace
}  // namespace tender::testing
