#include "core/crypto/random.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <openssl/rand.h>
#include <pthread.h>

namespace truc::crypto {
namespace {

// Incremented in a forked child: every buffer filled before the fork is stale there.
std::atomic<uint64_t> fork_generation{0};
std::once_flag at_fork_registered;

struct Pool {
  std::array<unsigned char, 4096> bytes;
  size_t used = bytes.size();  // Empty until first filled.
  uint64_t generation = 0;
};

void Refill(Pool& pool) {
  if (RAND_bytes(pool.bytes.data(), static_cast<int>(pool.bytes.size())) != 1) std::abort();
  pool.used = 0;
}

}  // namespace

void RandomBytes(std::span<unsigned char> out) {
  std::call_once(at_fork_registered,
                 [] { pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); }); });
  thread_local Pool pool;
  if (const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
      pool.generation != generation) {
    pool.generation = generation;
    pool.used = pool.bytes.size();
  }
  while (!out.empty()) {
    if (pool.used == pool.bytes.size()) Refill(pool);
    const size_t n = std::min(out.size(), pool.bytes.size() - pool.used);
    std::memcpy(out.data(), pool.bytes.data() + pool.used, n);
    // What was handed out is not kept.
    std::memset(pool.bytes.data() + pool.used, 0, n);
    pool.used += n;
    out = out.subspan(n);
  }
}

}  // namespace truc::crypto
