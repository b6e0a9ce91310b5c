// BufferPool: buffers are recycled, and the ones a whole interval did not need are
// unmapped by Trim() down to the reserve.
#include "proxy/net/buffer_pool.h"

#include <cstring>
#include <vector>

#include "gtest/gtest.h"

namespace tender {
namespace {

std::vector<char*> AcquireN(BufferPool& pool, size_t n) {
  std::vector<char*> v;
  for (size_t i = 0; i < n; ++i) {
    v.push_back(pool.Acquire());
    memset(v.back(), 'x', pool.buffer_size());  // the whole buffer is usable
  }
  return v;
}

TEST(BufferPoolTest, ReleasedBuffersAreReused) {
  BufferPool pool(16384);
  char* a = pool.Acquire();
  pool.Release(a);
  EXPECT_EQ(pool.Acquire(), a);
}

TEST(BufferPoolTest, TrimKeepsWhatTheLastIntervalUsed) {
  BufferPool pool(16384);
  for (char* b : AcquireN(pool, 100)) pool.Release(b);
  ASSERT_EQ(pool.free_count(), 100u);
  // All 100 were in use during this interval: nothing goes yet.
  pool.Trim();
  EXPECT_EQ(pool.free_count(), 100u);
  // A quiet interval in which only 10 were needed at once: 90 stayed untouched, and what
  // exceeds the reserve of those goes.
  for (char* b : AcquireN(pool, 10)) pool.Release(b);
  pool.Trim();
  EXPECT_EQ(pool.free_count(), 10u + BufferPool::kReserve);
  // A fully quiet interval: down to the reserve.
  pool.Trim();
  EXPECT_EQ(pool.free_count(), BufferPool::kReserve);
  // The pool still serves, mapping anew when it runs out.
  std::vector<char*> again = AcquireN(pool, 50);
  EXPECT_EQ(pool.free_count(), 0u);
  for (char* b : again) pool.Release(b);
}

TEST(BufferPoolTest, SizeIsRoundedToPagesButReportedAsConfigured) {
  BufferPool pool(1000);
  EXPECT_EQ(pool.buffer_size(), 1000u);
  char* b = pool.Acquire();
  memset(b, 0, 1000);
  pool.Release(b);
}

}  // namespace
}  // namespace tender
