#include "gateway/limits/replay_guard.h"

#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/fakes/fake_clock.h"

namespace truc::gateway::limits {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

std::unique_ptr<ReplayGuard> Guard(const Clock& clock, size_t max_entries = 100) {
  StatusOr<std::unique_ptr<ReplayGuard>> guard =
      ReplayGuard::Create(minutes(5), clock, max_entries);
  REQUIRE(guard.ok());
  return *std::move(guard);
}

TEST_CASE("A message id is refused when its client repeats it within the window", "[limits]") {
  testing::FakeClock clock;
  auto guard = Guard(clock);
  REQUIRE(guard->Admit("EE/GOV/1/portal", "m-1").ok());
  clock.Advance(minutes(4));
  const Status replay = guard->Admit("EE/GOV/1/portal", "m-1");
  CHECK(replay.reason() == "Server.ServerProxy.DuplicateMessageId");
  CHECK(replay.message() ==
        "client EE/GOV/1/portal already sent message id 'm-1' in the last 300 s");
}

TEST_CASE("The same id from another client, or another id, is admitted", "[limits]") {
  testing::FakeClock clock;
  auto guard = Guard(clock);
  REQUIRE(guard->Admit("EE/GOV/1/portal", "m-1").ok());
  CHECK(guard->Admit("EE/GOV/2/portal", "m-1").ok());
  CHECK(guard->Admit("EE/GOV/1/portal", "m-2").ok());
  // The pair is kept whole: no concatenation makes ("a", "bc") collide with ("ab", "c").
  CHECK(guard->Admit("a", "bc").ok());
  CHECK(guard->Admit("ab", "c").ok());
}

TEST_CASE("A message id is admitted again once the window has passed", "[limits]") {
  testing::FakeClock clock;
  auto guard = Guard(clock);
  REQUIRE(guard->Admit("c", "m-1").ok());
  clock.Advance(minutes(5) - seconds(1));
  CHECK_FALSE(guard->Admit("c", "m-1").ok());
  clock.Advance(seconds(1));
  CHECK(guard->Admit("c", "m-1").ok());
  // Admitted again, it is watched for a new window.
  clock.Advance(minutes(1));
  CHECK_FALSE(guard->Admit("c", "m-1").ok());
}

TEST_CASE("Expired ids are forgotten", "[limits]") {
  testing::FakeClock clock;
  auto guard = Guard(clock);
  for (int i = 0; i < 10; ++i) REQUIRE(guard->Admit("c", std::to_string(i)).ok());
  clock.Advance(minutes(3));
  REQUIRE(guard->Admit("c", "late").ok());
  CHECK(guard->size() == 11);
  clock.Advance(minutes(2));
  REQUIRE(guard->Admit("c", "later").ok());
  CHECK(guard->size() == 2);
}

TEST_CASE("A full guard refuses new ids rather than forget ones inside the window", "[limits]") {
  testing::FakeClock clock;
  auto guard = Guard(clock, /*max_entries=*/3);
  REQUIRE(guard->Admit("c", "1").ok());
  clock.Advance(minutes(1));
  REQUIRE(guard->Admit("c", "2").ok());
  REQUIRE(guard->Admit("c", "3").ok());
  const Status full = guard->Admit("c", "4");
  CHECK(full.reason() == "Server.ServerProxy.TooManyRequests");
  CHECK(full.message() ==
        "3 message ids of the last 300 s are remembered, the most this gateway watches for "
        "replays");
  // The ids it holds are still refused as replays.
  CHECK(guard->Admit("c", "1").reason() == "Server.ServerProxy.DuplicateMessageId");
  // Once the oldest expires there is room again.
  clock.Advance(minutes(4));
  CHECK(guard->Admit("c", "4").ok());
  CHECK(guard->Admit("c", "5").reason() == "Server.ServerProxy.TooManyRequests");
}

TEST_CASE("A clock that steps back keeps ids watched", "[limits]") {
  testing::FakeClock clock;
  auto guard = Guard(clock);
  REQUIRE(guard->Admit("c", "m-1").ok());
  clock.Advance(-minutes(10));
  CHECK_FALSE(guard->Admit("c", "m-1").ok());
}

TEST_CASE("A replay guard needs a positive window and room for one id", "[limits]") {
  testing::FakeClock clock;
  CHECK(ReplayGuard::Create(seconds(0), clock, 10).status().code() == StatusCode::kInvalidArgument);
  CHECK(ReplayGuard::Create(seconds(1), clock, 0).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("Concurrent clients replaying the same id: exactly one is admitted", "[limits]") {
  testing::FakeClock clock;
  auto guard = Guard(clock, 100000);
  constexpr int kThreads = 8;
  constexpr int kIds = 500;
  std::vector<int> admitted(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIds; ++i) admitted[t] += guard->Admit("c", std::to_string(i)).ok();
    });
  }
  for (std::thread& thread : threads) thread.join();
  int total = 0;
  for (int count : admitted) total += count;
  CHECK(total == kIds);
  CHECK(guard->size() == kIds);
}

}  // namespace
}  // namespace truc::gateway::limits
