#include "proxy/net/buffer_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <new>

namespace tender {
namespace {

size_t PageSize() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

}  // namespace

BufferPool::BufferPool(size_t buffer_size)
    : buffer_size_(buffer_size),
      allocation_size_((buffer_size + PageSize() - 1) / PageSize() * PageSize()) {}

BufferPool::~BufferPool() {
  for (char* b : free_) munmap(b, allocation_size_);
}

char* BufferPool::Acquire() {
  if (!free_.empty()) {
    char* b = free_.back();
    free_.pop_back();
    low_water_ = std::min(low_water_, free_.size());
    return b;
  }
  low_water_ = 0;
  void* b = mmap(nullptr, allocation_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (b == MAP_FAILED) throw std::bad_alloc();
  return static_cast<char*>(b);
}

void BufferPool::Release(char* b) {
  if (b == nullptr) return;
  if (free_.size() >= kMaxFree) {
    munmap(b, allocation_size_);
    return;
  }
  free_.push_back(b);
}

void BufferPool::Trim() {
  // The oldest `low_water_` free buffers were not touched since the last call.
  size_t idle = std::min(low_water_, free_.size());
  if (idle > kReserve) {
    size_t n = idle - kReserve;
    for (size_t i = 0; i < n; ++i) munmap(free_[i], allocation_size_);
    free_.erase(free_.begin(), free_.begin() + n);
  }
  low_water_ = free_.size();
}

}  // namespace tender
