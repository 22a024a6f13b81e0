// SPDX-License-Identifier: MIT
#include "server/heap_bounds.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace oauthctl::server {

void bound_heap_arenas() {
#if defined(__GLIBC__)
  const auto cores = std::max(2U, std::thread::hardware_concurrency());
  mallopt(M_ARENA_MAX, static_cast<int>(cores));
  // Setting it also turns off the dynamic threshold described in mallopt(3).
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
}

void claim_heap_arena() {
  // volatile: an allocation freed at once may otherwise be optimised away.
  void* volatile block = std::malloc(64);
  std::free(block);
}

void release_free_heap(std::chrono::steady_clock::duration every) {
#if defined(__GLIBC__)
  static std::atomic<std::chrono::steady_clock::rep> last{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  auto seen = last.load();
  if (now - seen < every.count() || !last.compare_exchange_strong(seen, now)) {
    return;
  }
  malloc_trim(0);
#else
  (void)every;
#endif
}

} // namespace oauthctl::server
