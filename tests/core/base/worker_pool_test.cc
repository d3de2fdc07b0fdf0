#include "core/base/worker_pool.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>

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

// The threads of this process named `name` (a sanitizer's runtime may start threads of its own).
size_t ThreadCount(const std::string& name) {
  size_t count = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string line;
    if (std::getline(comm, line) && line == name) ++count;
  }
  return count;
}

TEST_CASE("The worker pool starts threads as tasks need them, up to its limit", "[base]") {
  WorkerPool pool(3, 0, "lazy-pool");
  CHECK(ThreadCount("lazy-pool") == 0);  // Nothing to run, no thread.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> running{0};
  std::atomic<int> done{0};
  for (int i = 0; i < 5; ++i) {
    REQUIRE(pool.Submit([&] {
      ++running;
      released.wait();
      ++done;
    }));
  }
  // Three run at once; the other two wait for a thread.
  while (running < 3) std::this_thread::yield();
  CHECK(ThreadCount("lazy-pool") == 3);
  CHECK(running == 3);
  release.set_value();
  pool.Shutdown();
  CHECK(done == 5);
}

}  // namespace
}  // namespace truc
