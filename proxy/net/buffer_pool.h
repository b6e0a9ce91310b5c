// Fixed-size I/O buffers recycled per worker, so that reading and relaying never allocate
// per read. Not thread-safe: one pool per worker.
//
// Buffers are mapped on their own (mmap), not taken from malloc's heap: a burst's
// buffers would otherwise sit between small long-lived objects (connections) allocated
// meanwhile, and the heap could not shrink after it. A burst (thousands of requests in
// flight at once) leaves many buffers free afterwards; Trim(), called by the worker once a
// second, unmaps those that nobody needed during the last interval, keeping a small
// reserve. So memory follows the traffic down as well as up.
#pragma once

#include <cstddef>
#include <vector>

namespace tender {

class BufferPool {
 public:
  // Buffers kept ready whatever the traffic, and the most kept free at all (one released
  // beyond that is unmapped at once).
  static constexpr size_t kReserve = 32;
  static constexpr size_t kMaxFree = 4096;

  explicit BufferPool(size_t buffer_size);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  size_t buffer_size() const { return buffer_size_; }
  char* Acquire();
  void Release(char* b);
  void Trim();

  size_t free_count() const { return free_.size(); }

 private:
  size_t buffer_size_;
  size_t allocation_size_;  // buffer_size_ rounded up to whole pages
  std::vector<char*> free_;  // most recently released last
  size_t low_water_ = 0;     // the fewest free buffers since the last Trim()
};

}  // namespace tender
