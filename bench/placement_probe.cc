// Cache-line ping-pong between two CPUs: how far apart the host placed this VM's vCPUs
// right now. Two threads, one pinned to each CPU, hand a counter back and forth through
// one cache line; the round trip is the cost of moving that line there and back. On a
// 2-vCPU VM it is small when both vCPUs share a cache complex ("near") and several times
// larger when they do not, and every cross-CPU figure of a benchmark (wrk on one CPU, the
// proxy on the other) moves with it. bench/run measures only while it reads near.
//
//   placement_probe [CPU_A=0] [CPU_B=1] [ROUND_TRIPS=200000]
// Prints the median of 9 batches in nanoseconds per round trip.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

struct alignas(64) Line {
  std::atomic<long> value{0};
};

bool Pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

// Thread A writes odd values and waits for the next even one; thread B the reverse.
double BatchNs(int cpu_a, int cpu_b, long round_trips) {
  Line line;
  std::thread b([&] {
    Pin(cpu_b);
    for (long i = 0; i < round_trips; ++i) {
      while (line.value.load(std::memory_order_acquire) != 2 * i + 1) {
      }
      line.value.store(2 * i + 2, std::memory_order_release);
    }
  });
  Pin(cpu_a);
  auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < round_trips; ++i) {
    line.value.store(2 * i + 1, std::memory_order_release);
    while (line.value.load(std::memory_order_acquire) != 2 * i + 2) {
    }
  }
  auto end = std::chrono::steady_clock::now();
  b.join();
  return std::chrono::duration<double, std::nano>(end - start).count() / round_trips;
}

}  // namespace

int main(int argc, char** argv) {
  int cpu_a = argc > 1 ? atoi(argv[1]) : 0;
  int cpu_b = argc > 2 ? atoi(argv[2]) : 1;
  long round_trips = argc > 3 ? atol(argv[3]) : 200000;
  std::vector<double> batches;
  for (int i = 0; i < 9; ++i) batches.push_back(BatchNs(cpu_a, cpu_b, round_trips / 9 + 1));
  std::sort(batches.begin(), batches.end());
  printf("%.1f\n", batches[batches.size() / 2]);
  return 0;
}
