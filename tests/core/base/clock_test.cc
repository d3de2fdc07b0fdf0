#include "core/base/clock.h"

#include <catch2/catch.hpp>

#include "tests/fakes/fake_clock.h"

namespace truc {
namespace {

TEST_CASE("Times format as RFC 3339 UTC with milliseconds", "[base]") {
  testing::FakeClock clock;
  CHECK(FormatRfc3339(clock.Now()) == "2026-01-01T00:00:00.000Z");
  clock.Advance(std::chrono::milliseconds(86'400'000 + 1'234));
  CHECK(FormatRfc3339(clock.Now()) == "2026-01-02T00:00:01.234Z");
}

}  // namespace
}  // namespace truc
