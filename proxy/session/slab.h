// Per-thread slabs for small objects that live long and come in great numbers (a parked
// client connection), on pages of their own, apart from malloc's heap. Short-lived
// objects allocated between them during a burst (request sessions, ~1 KiB each) then
// free whole runs of the heap when the burst is over, which malloc can give back,
// instead of being pinned between live connections. Use from a class's operator
// new/delete; the class must be final (every allocation is exactly sizeof(T)).
//
// Slabs are never unmapped: a thread keeps the pages of its highest number of live
// objects (168 bytes each for HttpConnection: 1.6 MiB for 10,000) and reuses them.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define TENDER_SLAB_USES_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TENDER_SLAB_USES_MALLOC 1
#endif
#endif

namespace tender {

template <typename T>
class Slab {
 public:
  static void* Allocate(size_t size) {
    if (size != sizeof(T)) abort();
#if defined(TENDER_SLAB_USES_MALLOC)
    // ASan and its leak checker see through malloc'd objects only.
    return ::operator new(size);
#else
    State& s = Local();
    if (s.free != nullptr) {
      FreeSlot* slot = s.free;
      s.free = slot->next;
      return slot;
    }
    if (s.next == s.end) {
      void* chunk = mmap(nullptr, kChunkBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (chunk == MAP_FAILED) throw std::bad_alloc();
      s.next = static_cast<char*>(chunk);
      s.end = s.next + kChunkBytes / kSlotBytes * kSlotBytes;
    }
    void* p = s.next;
    s.next += kSlotBytes;
    return p;
#endif
  }

  static void Free(void* p) {
#if defined(TENDER_SLAB_USES_MALLOC)
    ::operator delete(p);
#else
    State& s = Local();
    auto* slot = static_cast<FreeSlot*>(p);
    slot->next = s.free;
    s.free = slot;
#endif
  }

 private:
  struct FreeSlot {
    FreeSlot* next;
  };
  static constexpr size_t kAlign = alignof(T) > alignof(FreeSlot) ? alignof(T) : alignof(FreeSlot);
  static constexpr size_t kSize = sizeof(T) > sizeof(FreeSlot) ? sizeof(T) : sizeof(FreeSlot);
  static constexpr size_t kSlotBytes = (kSize + kAlign - 1) / kAlign * kAlign;
  static constexpr size_t kChunkBytes = 64 * 1024;

  struct State {
    FreeSlot* free = nullptr;
    char* next = nullptr;
    char* end = nullptr;
  };
  static State& Local() {
    thread_local State state;
    return state;
  }
};

}  // namespace tender
