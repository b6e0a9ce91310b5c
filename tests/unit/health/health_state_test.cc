#include "proxy/health/health_state.h"

#include "gtest/gtest.h"

namespace tender {
namespace {

HealthParams Params(int rise, int fall, config::InitState init = config::InitState::kFullyUp,
                    config::OnError on_error = config::OnError::kFailCheck) {
  HealthParams p;
  p.rise = rise;
  p.fall = fall;
  p.inter = absl::Seconds(2);
  p.fastinter = absl::Milliseconds(500);
  p.downinter = absl::Seconds(5);
  p.init_state = init;
  p.on_error = on_error;
  return p;
}

TEST(HealthStateTest, DownAfterExactlyFallFailuresFromFullyUp) {
  for (int fall = 1; fall <= 5; ++fall) {
    HealthState h(Params(2, fall));
    for (int i = 1; i < fall; ++i) ASSERT_EQ(h.OnCheckFailed(), Transition::kNone) << "fall " << fall << " i " << i;
    EXPECT_EQ(h.OnCheckFailed(), Transition::kWentDown) << "fall " << fall;
    EXPECT_FALSE(h.up());
  }
}

TEST(HealthStateTest, UpAfterExactlyRiseSuccessesFromDown) {
  for (int rise = 1; rise <= 5; ++rise) {
    HealthState h(Params(rise, 3, config::InitState::kFullyDown));
    for (int i = 1; i < rise; ++i) ASSERT_EQ(h.OnCheckPassed(), Transition::kNone);
    EXPECT_EQ(h.OnCheckPassed(), Transition::kWentUp) << "rise " << rise;
    EXPECT_EQ(h.counter(), h.top());  // fully up: fall more failures needed again
  }
}

TEST(HealthStateTest, ASuccessInBetweenRestoresTheMargin) {
  HealthState h(Params(2, 3));
  h.OnCheckFailed();
  h.OnCheckFailed();
  h.OnCheckPassed();  // back to 3 of 4: two failures to go again
  EXPECT_EQ(h.OnCheckFailed(), Transition::kNone);
  EXPECT_EQ(h.OnCheckFailed(), Transition::kWentDown);
}

TEST(HealthStateTest, InitStates) {
  HealthState up(Params(2, 3, config::InitState::kUp));
  EXPECT_TRUE(up.up());
  EXPECT_EQ(up.OnCheckFailed(), Transition::kWentDown);  // one failure suffices

  HealthState down(Params(2, 3, config::InitState::kDown));
  EXPECT_FALSE(down.up());
  EXPECT_EQ(down.OnCheckPassed(), Transition::kWentUp);  // one success suffices

  HealthState fully_down(Params(3, 3, config::InitState::kFullyDown));
  EXPECT_EQ(fully_down.OnCheckPassed(), Transition::kNone);
  EXPECT_EQ(fully_down.OnCheckPassed(), Transition::kNone);
  EXPECT_EQ(fully_down.OnCheckPassed(), Transition::kWentUp);
}

TEST(HealthStateTest, Intervals) {
  HealthState h(Params(2, 3));
  EXPECT_EQ(h.NextInterval(), absl::Seconds(2));           // fully up: inter
  h.OnCheckFailed();
  EXPECT_EQ(h.NextInterval(), absl::Milliseconds(500));    // transitioning: fastinter
  h.OnCheckFailed();
  h.OnCheckFailed();
  EXPECT_FALSE(h.up());
  EXPECT_EQ(h.NextInterval(), absl::Seconds(5));           // fully down: downinter
  h.OnCheckPassed();
  EXPECT_EQ(h.NextInterval(), absl::Milliseconds(500));    // rising: fastinter
  h.OnCheckPassed();
  EXPECT_EQ(h.NextInterval(), absl::Seconds(2));
}

TEST(HealthStateTest, OnErrorActions) {
  HealthState mark_down(Params(2, 3, config::InitState::kFullyUp, config::OnError::kMarkDown));
  EXPECT_EQ(mark_down.OnErrorLimit(), Transition::kWentDown);
  EXPECT_EQ(mark_down.NextInterval(), absl::Milliseconds(500));  // forced fastinter

  HealthState fail_check(Params(2, 3, config::InitState::kFullyUp, config::OnError::kFailCheck));
  EXPECT_EQ(fail_check.OnErrorLimit(), Transition::kNone);  // one failed check of three
  EXPECT_EQ(fail_check.counter(), 3);

  HealthState sudden(Params(2, 3, config::InitState::kFullyUp, config::OnError::kSuddenDeath));
  EXPECT_EQ(sudden.OnErrorLimit(), Transition::kNone);
  EXPECT_EQ(sudden.OnCheckFailed(), Transition::kWentDown);  // one more failure is fatal

  HealthState fast(Params(2, 3, config::InitState::kFullyUp, config::OnError::kFastinter));
  EXPECT_EQ(fast.OnErrorLimit(), Transition::kNone);
  EXPECT_EQ(fast.counter(), fast.top());
  EXPECT_EQ(fast.NextInterval(), absl::Milliseconds(500));
  fast.OnCheckPassed();
  EXPECT_EQ(fast.NextInterval(), absl::Seconds(2));  // a result ends the forced fastinter
}

}  // namespace
}  // namespace tender
