// Fixed-size I/O buffers recycled per worker, so that the copy relay (used when splice(2)
// is off or unavailable) never allocates per read. Not thread-safe: one pool per worker.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace tender {

class BufferPool {
 public:
  explicit BufferPool(size_t buffer_size, size_t max_free = 1024)
      : buffer_size_(buffer_size), max_free_(max_free) {}
  ~BufferPool() {
    for (char* b : free_) delete[] b;
  }
  size_t buffer_size() const { return buffer_size_; }
  char* Acquire() {
    if (free_.empty()) return new char[buffer_size_];
    char* b = free_.back();
    free_.pop_back();
    return b;
  }
  void Release(char* b) {
    if (b == nullptr) return;
    if (free_.size() >= max_free_) {
      delete[] b;
      return;
    }
    free_.push_back(b);
  }

 private:
  size_t buffer_size_;
  size_t max_free_;
  std::vector<char*> free_;
};

}  // namespace tender
