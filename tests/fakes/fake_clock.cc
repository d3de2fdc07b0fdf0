#include "tests/fakes/fake_clock.h"

namespace truc::testing {

TimePoint FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

void FakeClock::Set(TimePoint t) {
  std::lock_guard lock(mu_);
  now_ = t;
}

void FakeClock::Advance(std::chrono::system_clock::duration d) {
  std::lock_guard lock(mu_);
  now_ += d;
}

}  // namespace truc::testing
