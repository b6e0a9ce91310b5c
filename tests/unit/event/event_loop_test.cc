// The loop's two kinds of registration, counted over a fixed number of loop iterations
// (each iteration is driven by a posted task, so nothing here depends on time).
#include "proxy/event/event_loop.h"

#include <unistd.h>

#include <functional>
#include <memory>

#include "gtest/gtest.h"

namespace tender {
namespace {

class CountingHandler : public FdHandler {
 public:
  void OnFdEvents(uint32_t events) override {
    ++calls;
    on_call();
  }
  int calls = 0;
  std::function<void()> on_call = [] {};
};

// Runs `loop` for exactly `iterations` iterations: a posted task re-posts itself once per
// iteration (calling `at_iteration` with the iteration's number, from 1) and stops the
// loop on the last. Posted work runs before fd events in an iteration.
void RunIterations(EventLoop& loop, int iterations, std::function<void(int)> at_iteration = [](int) {}) {
  int done = 0;
  std::function<void()> tick = [&] {
    at_iteration(++done);
    if (done == iterations) loop.Stop();
    else loop.Post(tick);
  };
  loop.Post(tick);
  loop.Run();
}

struct Pipe {
  Pipe() {
    EXPECT_EQ(pipe(fds), 0);
    EXPECT_EQ(write(fds[1], "x", 1), 1);  // readable from the start, and never read
  }
  ~Pipe() {
    close(fds[0]);
    close(fds[1]);
  }
  int fds[2];
};

// How often a handler hears of a pipe that stays readable, over three iterations.
int CallsOverThreeIterations(bool level_triggered) {
  auto loop = std::move(EventLoop::Create()).value();
  Pipe p;
  CountingHandler h;
  bool added = level_triggered ? loop->AddLevelTriggered(p.fds[0], EPOLLIN, &h) : loop->Add(p.fds[0], EPOLLIN, &h);
  EXPECT_TRUE(added);
  RunIterations(*loop, 3);
  return h.calls;
}

TEST(EventLoopTest, EdgeTriggeredReportsReadinessOnce) { EXPECT_EQ(CallsOverThreeIterations(false), 1); }

TEST(EventLoopTest, LevelTriggeredReportsEveryIterationWhileReady) { EXPECT_EQ(CallsOverThreeIterations(true), 3); }

TEST(EventLoopTest, RemovedFdIsNoLongerReported) {
  auto loop = std::move(EventLoop::Create()).value();
  Pipe p;
  CountingHandler h;
  ASSERT_TRUE(loop->AddLevelTriggered(p.fds[0], EPOLLIN, &h));
  // The handler takes its fd out on its second call, as a listener pausing at maxconn.
  h.on_call = [&] {
    if (h.calls == 2) loop->Remove(p.fds[0]);
  };
  int calls_before_resume = -1;
  RunIterations(*loop, 6, [&](int iteration) {
    if (iteration == 4) {
      calls_before_resume = h.calls;
      loop->AddLevelTriggered(p.fds[0], EPOLLIN, &h);  // resumes: reported from the next iteration
    }
  });
  EXPECT_EQ(calls_before_resume, 2);
  EXPECT_EQ(h.calls, 4);
}

}  // namespace
}  // namespace tender
