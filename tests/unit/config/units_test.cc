#include "proxy/config/units.h"

#include "gtest/gtest.h"

namespace tender::config {
namespace {

TEST(UnitsTest, TimeUnits) {
  EXPECT_EQ(*ParseTime("5000"), absl::Milliseconds(5000));
  EXPECT_EQ(*ParseTime("250us"), absl::Microseconds(250));
  EXPECT_EQ(*ParseTime("5ms"), absl::Milliseconds(5));
  EXPECT_EQ(*ParseTime("5s"), absl::Seconds(5));
  EXPECT_EQ(*ParseTime("2m"), absl::Minutes(2));
  EXPECT_EQ(*ParseTime("1h"), absl::Hours(1));
  EXPECT_EQ(*ParseTime("1d"), absl::Hours(24));
  EXPECT_FALSE(ParseTime("5x").ok());
  EXPECT_FALSE(ParseTime("s").ok());
  EXPECT_FALSE(ParseTime("-1").ok());
}

TEST(UnitsTest, FormatTimeRoundTrips) {
  for (absl::Duration d : {absl::ZeroDuration(), absl::Microseconds(7), absl::Milliseconds(1500),
                           absl::Seconds(10), absl::Minutes(90), absl::Hours(48)}) {
    EXPECT_EQ(*ParseTime(FormatTime(d)), d) << FormatTime(d);
  }
  EXPECT_EQ(FormatTime(absl::Milliseconds(5000)), "5s");
  EXPECT_EQ(FormatTime(absl::Milliseconds(1500)), "1500ms");
}

TEST(UnitsTest, Sizes) {
  EXPECT_EQ(*ParseSize("16384"), 16384);
  EXPECT_EQ(*ParseSize("16k"), 16384);
  EXPECT_EQ(*ParseSize("1m"), 1 << 20);
  EXPECT_EQ(*ParseSize("2G"), int64_t{2} << 30);
  EXPECT_FALSE(ParseSize("1t").ok());
}

}  // namespace
}  // namespace tender::config
