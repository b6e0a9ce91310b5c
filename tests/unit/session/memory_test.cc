// Per-thread object memory: slabs for long-lived objects (slab.h) and the recyclers'
// caches for sessions (recycler.h).
#include <cstdint>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "proxy/session/recycler.h"
#include "proxy/session/slab.h"

namespace tender {
namespace {

struct Parked final {
  char bytes[168];
  static void* operator new(size_t size) { return Slab<Parked>::Allocate(size); }
  static void operator delete(void* p) { Slab<Parked>::Free(p); }
};

TEST(SlabTest, HandsOutDistinctAlignedObjectsAndReusesFreedOnes) {
  std::vector<Parked*> objects;
  std::set<Parked*> seen;
  for (int i = 0; i < 2000; ++i) {  // several 64 KiB slabs
    Parked* p = new Parked();
    for (char& c : p->bytes) c = static_cast<char>(i);  // each one writable in full
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % alignof(Parked), 0u);
    EXPECT_TRUE(seen.insert(p).second) << "handed out twice";
    objects.push_back(p);
  }
  for (int i = 0; i < 2000; ++i) EXPECT_EQ(objects[i]->bytes[167], static_cast<char>(i));
  Parked* last = objects.back();
  delete last;
  objects.pop_back();
  Parked* again = new Parked();
#if !defined(TENDER_SLAB_USES_MALLOC)
  EXPECT_EQ(again, last);  // the freed slot comes back first
#endif
  objects.push_back(again);
  for (Parked* p : objects) delete p;
}

struct Burst {
  char bytes[936];
  static void* operator new(size_t size) { return Recycler<Burst, 4>::Allocate(size); }
  static void operator delete(void* p) { Recycler<Burst, 4>::Free(p); }
};

TEST(RecyclerTest, CachesAreEmptiedOnlyOnceASecondPassesWithoutHeapAllocations) {
  std::vector<Burst*> burst;
  for (int i = 0; i < 10; ++i) burst.push_back(new Burst());
  for (Burst* b : burst) delete b;
  EXPECT_EQ((Recycler<Burst, 4>::Cached()), 4u);  // the other six went back to malloc
  ReturnFreeMemory();  // this second took ten from malloc: traffic may still need them
  EXPECT_EQ((Recycler<Burst, 4>::Cached()), 4u);
  delete new Burst();  // served from the cache: not an allocation from malloc
  ReturnFreeMemory();  // a quiet second after the burst
  EXPECT_EQ((Recycler<Burst, 4>::Cached()), 0u);
}

}  // namespace
}  // namespace tender
