#include "core/base/worker_pool.h"

#include <atomic>
#include <future>

#include <catch2/catch.hpp>

namespace truc {
namespace {

TEST_CASE("The worker pool runs every task and drains its queue on shutdown", "[base]") {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(2);
    for (int i = 0; i < 100; ++i) REQUIRE(pool.Submit([&] { ++ran; }));
  }
  CHECK(ran == 100);
}

TEST_CASE("A full or shut-down pool refuses tasks", "[base]") {
  WorkerPool pool(1, /*max_queue=*/1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  REQUIRE(pool.Submit([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();      // The worker is busy with the first task.
  CHECK(pool.Submit([] {}));        // One may wait.
  CHECK_FALSE(pool.Submit([] {}));  // The next is refused.
  release.set_value();
  pool.Shutdown();
  CHECK_FALSE(pool.Submit([] {}));
}

}  // namespace
}  // namespace truc
