#include "gateway/limits/rate_limiter.h"

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/fakes/fake_clock.h"

namespace truc::gateway::limits {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::unique_ptr<RateLimiter> Limiter(const Clock& clock, double per_second, double burst) {
  StatusOr<std::unique_ptr<RateLimiter>> limiter = RateLimiter::Create(per_second, burst, clock);
  REQUIRE(limiter.ok());
  return *std::move(limiter);
}

// How many requests of `client` are admitted if it sends `attempts` at once.
int AdmittedOf(RateLimiter& limiter, std::string_view client, int attempts) {
  int admitted = 0;
  for (int i = 0; i < attempts; ++i) admitted += limiter.Admit(client).ok();
  return admitted;
}

TEST_CASE("A client may send a burst, then is refused", "[limits]") {
  testing::FakeClock clock;
  auto limiter = Limiter(clock, /*per_second=*/2, /*burst=*/5);
  CHECK(AdmittedOf(*limiter, "EE/GOV/1/portal", 5) == 5);
  const Status refused = limiter->Admit("EE/GOV/1/portal");
  CHECK(refused.reason() == "Server.ServerProxy.TooManyRequests");
  CHECK(refused.message() ==
        "client EE/GOV/1/portal sent more than 2 requests per second (bursts of 5); the next is "
        "admitted in 500 ms");
}

TEST_CASE("Tokens come back at the configured rate, up to the burst", "[limits]") {
  testing::FakeClock clock;
  auto limiter = Limiter(clock, /*per_second=*/2, /*burst=*/5);
  REQUIRE(AdmittedOf(*limiter, "c", 6) == 5);
  clock.Advance(milliseconds(499));
  CHECK_FALSE(limiter->Admit("c").ok());
  clock.Advance(milliseconds(1));
  CHECK(limiter->Admit("c").ok());
  CHECK_FALSE(limiter->Admit("c").ok());
  clock.Advance(seconds(1));
  CHECK(AdmittedOf(*limiter, "c", 3) == 2);
  clock.Advance(seconds(60));
  CHECK(AdmittedOf(*limiter, "c", 10) == 5);
}

TEST_CASE("Each client has its own bucket", "[limits]") {
  testing::FakeClock clock;
  auto limiter = Limiter(clock, 1, 2);
  CHECK(AdmittedOf(*limiter, "a", 3) == 2);
  CHECK(AdmittedOf(*limiter, "b", 3) == 2);
}

TEST_CASE("Buckets that have refilled are pruned", "[limits]") {
  testing::FakeClock clock;
  auto limiter = Limiter(clock, /*per_second=*/1, /*burst=*/4);
  for (int i = 0; i < 100; ++i) REQUIRE(limiter->Admit(std::to_string(i)).ok());
  clock.Advance(seconds(2));
  REQUIRE(limiter->Admit("late").ok());
  CHECK(limiter->tracked_clients() == 101);
  clock.Advance(seconds(2));  // 4 s since the first hundred: they are full again.
  REQUIRE(limiter->Admit("later").ok());
  CHECK(limiter->tracked_clients() == 2);
  // A pruned client starts with a full bucket, as it would have had.
  CHECK(AdmittedOf(*limiter, "7", 5) == 4);
}

TEST_CASE("A clock that steps back refills nothing", "[limits]") {
  testing::FakeClock clock;
  auto limiter = Limiter(clock, 1, 1);
  REQUIRE(limiter->Admit("c").ok());
  clock.Advance(-seconds(30));
  CHECK_FALSE(limiter->Admit("c").ok());
  clock.Advance(seconds(1));
  CHECK(limiter->Admit("c").ok());
}

TEST_CASE("A rate limit needs a positive rate and a burst of at least one", "[limits]") {
  testing::FakeClock clock;
  for (auto [rate, burst] : std::vector<std::pair<double, double>>{
           {0, 5}, {-1, 5}, {std::numeric_limits<double>::infinity(), 5}, {1, 0.5}, {1, NAN}}) {
    INFO(rate << " " << burst);
    CHECK(RateLimiter::Create(rate, burst, clock).status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("Concurrent requests never take more than the burst", "[limits]") {
  testing::FakeClock clock;
  auto limiter = Limiter(clock, 1, 100);
  std::vector<int> admitted(8, 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < admitted.size(); ++t) {
    threads.emplace_back([&, t] { admitted[t] = AdmittedOf(*limiter, "c", 50); });
  }
  for (std::thread& thread : threads) thread.join();
  int total = 0;
  for (int count : admitted) total += count;
  CHECK(total == 100);
}

}  // namespace
}  // namespace truc::gateway::limits
