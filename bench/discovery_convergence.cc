// Discovery convergence: from a catalog change at the Consul stand-in to the first
// connection served by the new instance, over many changes; and the number of queries
// tender sends to Consul while nothing changes (only the pending blocking query should
// exist). Not part of the test suite: `bazel run //bench:discovery_convergence -- [CHANGES]`.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/consul/consul_standin.h"
#include "tests/fakes/harness.h"

using tender::testing::ConsulInstance;
using tender::testing::ConsulStandIn;
using tender::testing::FetchName;
using tender::testing::FreePort;
using tender::testing::TenderProcess;
using tender::testing::TestServer;

int main(int argc, char** argv) {
  int changes = argc > 1 ? std::atoi(argv[1]) : 50;
  ConsulStandIn consul;
  std::vector<std::unique_ptr<TestServer>> servers;
  for (int i = 0; i <= changes; ++i) {
    servers.push_back(std::make_unique<TestServer>(absl::StrCat("i", i), TestServer::Behaviour::kSendName));
  }
  auto instance = [&](int i) {
    ConsulInstance in;
    in.node = absl::StrCat("node", i);
    in.id = "web";
    in.service = "web";
    in.port = servers[i]->port();
    return in;
  };
  consul.Register(instance(0));
  int port = FreePort();
  TenderProcess tender;
  if (!tender.Start(absl::StrCat("global\n nbthread 1\n"
                                 "consul local\n address 127.0.0.1:", consul.port(), "\n wait 5m\n"
                                 "defaults\n mode tcp\n timeout connect 1s\n timeout client 5s\n timeout server 5s\n"
                                 "frontend fe\n bind 127.0.0.1:", port, "\n default_backend web\n"
                                 "backend web\n server-template web 1-4 consul@local/web drain 0\n")) ||
      !tender.WaitForOutput("every source has synced")) {
    std::fprintf(stderr, "tender did not start:\n%s\n", tender.output().c_str());
    return 1;
  }
  std::vector<double> ms;
  for (int i = 1; i <= changes; ++i) {
    // Changes 50 ms apart: each costs two queries, well under the client's rate limit of
    // 100 queries/s, so this measures convergence rather than the limiter.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto t0 = std::chrono::steady_clock::now();
    consul.Register(instance(i));
    consul.Deregister(absl::StrCat("node", i - 1), "web");
    std::string want = absl::StrCat("i", i);
    while (FetchName(port) != want) {
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))]; };
  int before = consul.health_requests();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  int idle_queries = consul.health_requests() - before;
  std::printf("discovery convergence over %d catalog changes 50 ms apart (Consul stand-in, blocking queries, "
              "one worker):\n", changes);
  std::printf("  change -> first connection on the new instance: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              pct(0.5), pct(0.9), pct(0.99), ms.back());
  std::printf("  queries Consul received in the 3 s after the last change: %d (beyond the one pending blocking query)\n",
              idle_queries);
  if (std::getenv("TENDER_BENCH_DEBUG")) std::fprintf(stderr, "%s", tender.output().c_str());
  return 0;
}
