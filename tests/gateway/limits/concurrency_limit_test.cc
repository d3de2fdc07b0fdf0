#include "gateway/limits/concurrency_limit.h"

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace truc::gateway::limits {
namespace {

TEST_CASE("No more permits than the limit exist at once", "[limits]") {
  ConcurrencyLimit limit(2);
  std::optional<ConcurrencyLimit::Permit> first = limit.TryAcquire();
  std::optional<ConcurrencyLimit::Permit> second = limit.TryAcquire();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(limit.in_flight() == 2);
  CHECK_FALSE(limit.TryAcquire());
  CHECK(limit.in_flight() == 2);
}

TEST_CASE("A permit is given back when it is destroyed", "[limits]") {
  ConcurrencyLimit limit(1);
  {
    std::optional<ConcurrencyLimit::Permit> permit = limit.TryAcquire();
    REQUIRE(permit);
    CHECK_FALSE(limit.TryAcquire());
  }
  CHECK(limit.in_flight() == 0);
  CHECK(limit.TryAcquire());
}

TEST_CASE("A moved permit is given back once", "[limits]") {
  ConcurrencyLimit limit(2);
  std::optional<ConcurrencyLimit::Permit> permit = limit.TryAcquire();
  REQUIRE(permit);
  {
    ConcurrencyLimit::Permit moved = std::move(*permit);
    permit.reset();  // The moved-from permit gives nothing back.
    CHECK(limit.in_flight() == 1);
    std::optional<ConcurrencyLimit::Permit> other = limit.TryAcquire();
    REQUIRE(other);
    moved = std::move(*other);  // Assigning gives back the permit it held.
    CHECK(limit.in_flight() == 1);
  }
  CHECK(limit.in_flight() == 0);
}

TEST_CASE("A limit of zero admits nothing", "[limits]") {
  ConcurrencyLimit limit(0);
  CHECK_FALSE(limit.TryAcquire());
}

TEST_CASE("Concurrent holders never exceed the limit", "[limits]") {
  ConcurrencyLimit limit(3);
  std::atomic<size_t> most_seen{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        std::optional<ConcurrencyLimit::Permit> permit = limit.TryAcquire();
        if (!permit) continue;
        size_t now = limit.in_flight();
        size_t seen = most_seen.load();
        while (now > seen && !most_seen.compare_exchange_weak(seen, now)) {
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(most_seen.load() <= 3);
  CHECK(limit.in_flight() == 0);
}

}  // namespace
}  // namespace truc::gateway::limits
