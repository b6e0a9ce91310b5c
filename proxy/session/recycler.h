// Per-thread free lists for objects a worker creates and deletes on its own thread
// (sessions): steady traffic then allocates no session memory. Use from a class's
// operator new/delete.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace tender {

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
    return ::operator new(size);
  }
  static void Free(void* p) {
    std::vector<void*>& free = Cache().free;
    if (free.size() < kMaxCached) {
      free.push_back(p);
      return;
    }
    ::operator delete(p);
  }

 private:
  struct Store {
    std::vector<void*> free;
    ~Store() {
      for (void* p : free) ::operator delete(p);
    }
  };
  static Store& Cache() {
    thread_local Store store;
    return store;
  }
};

}  // namespace tender
