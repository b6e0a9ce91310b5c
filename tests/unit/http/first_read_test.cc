#include "proxy/http/first_read.h"

#include "gtest/gtest.h"

namespace tender::http {
namespace {

// Counts how many of `n` new connections the predictor would read at accept.
int TriesOutOf(FirstReadPredictor& p, int n, bool data_there) {
  int tries = 0;
  for (int i = 0; i < n; ++i) {
    if (p.ShouldTry()) {
      ++tries;
      p.Record(data_there);
    }
  }
  return tries;
}

TEST(FirstReadPredictorTest, ReadsAtAcceptWhileRequestsAreThere) {
  FirstReadPredictor p;
  EXPECT_EQ(TriesOutOf(p, 100, /*data_there=*/true), 100);
}

TEST(FirstReadPredictorTest, SkipsTheReadOnceItKeepsFailing) {
  FirstReadPredictor p;
  // The first reads fail until the score goes negative; then only probes are tried.
  int tries = TriesOutOf(p, 1600, /*data_there=*/false);
  EXPECT_LT(tries, 1600 / 16 + 10);
  EXPECT_GE(tries, 1600 / 16);
}

TEST(FirstReadPredictorTest, ProbesNoticeWhenTheLoadGoesAway) {
  FirstReadPredictor p;
  TriesOutOf(p, 1000, /*data_there=*/false);
  // Requests are there again: the probes succeed and reading at accept comes back.
  TriesOutOf(p, 16 * 9, /*data_there=*/true);
  EXPECT_EQ(TriesOutOf(p, 50, /*data_there=*/true), 50);
}

TEST(FirstReadPredictorTest, FollowsTheMajority) {
  FirstReadPredictor p;
  // Two of three reads find the request: the read is always tried.
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(p.ShouldTry()) << i;
    p.Record(i % 3 != 2);
  }
}

}  // namespace
}  // namespace tender::http
