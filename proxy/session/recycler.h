// Per-thread free lists for objects a worker creates and deletes on its own thread
// (sessions): steady traffic then allocates no session memory. Use from a class's
// operator new/delete.
#pragma once

#include <malloc.h>

#include <cstddef>
#include <new>
#include <vector>

namespace tender {

namespace recycler_internal {

// What this thread's recyclers took from and gave back to malloc, and how to empty
// their caches.
struct HeapUse {
  size_t allocations = 0;
  size_t frees = 0;
  std::vector<void (*)()> drains;
};
inline HeapUse& Local() {
  thread_local HeapUse use;
  return use;
}

}  // namespace recycler_internal

// Called once a second by a worker. A burst of sessions beyond what the caches keep goes
// back to malloc as it ends; the cached ones (allocated during the burst, anywhere in
// it) would still pin a page each, so once a whole second has passed without a session
// taken from malloc (the burst is over, traffic does not churn them) the caches are
// emptied. Then malloc_trim(3) returns the heap's free pages, every second: what a
// burst leaves is freed over several seconds (idle server connections go after 5 s),
// and glibc returns a thread arena's free pages only when asked. The long-lived objects
// are on slabs of their own (slab.h), so a burst's pages come free as a whole.
inline void ReturnFreeMemory() {
  recycler_internal::HeapUse& use = recycler_internal::Local();
  if (use.frees > 0 && use.allocations == 0) {
    for (void (*drain)() : use.drains) drain();
    use.frees = 0;
  }
  use.allocations = 0;
  malloc_trim(0);
}

template <typename T, size_t kMaxCached = 4096>
class Recycler {
 public:
  static void* Allocate(size_t size) {
    std::vector<void*>& free = Cache().free;
    if (size == sizeof(T) && !free.empty()) {
      void* p = free.back();
      free.pop_back();
      return p;
    }
    ++recycler_internal::Local().allocations;
    return ::operator new(size);
  }
  static void Free(void* p) {
    std::vector<void*>& free = Cache().free;
    if (free.size() < kMaxCached) {
      free.push_back(p);
      return;
    }
    ++recycler_internal::Local().frees;
    ::operator delete(p);
  }
  // Objects cached on this thread (for tests).
  static size_t Cached() { return Cache().free.size(); }

 private:
  struct Store {
    std::vector<void*> free;
    Store() { recycler_internal::Local().drains.push_back(&Drain); }
    ~Store() {
      for (void* p : free) ::operator delete(p);
    }
  };
  static void Drain() {
    std::vector<void*>& free = Cache().free;
    for (void* p : free) ::operator delete(p);
    free.clear();
    free.shrink_to_fit();
  }
  static Store& Cache() {
    thread_local Store store;
    return store;
  }
};

}  // namespace tender
