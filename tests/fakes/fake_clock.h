// A Clock that stands still until a test moves it.
#pragma once

#include <mutex>

#include "core/base/clock.h"

namespace truc::testing {

// 2026-01-01T00:00:00Z: where fake clocks start, and what test certificates are valid around.
inline constexpr TimePoint kFakeClockStart = TimePoint(std::chrono::seconds(1767225600));

// Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = kFakeClockStart) : now_(start) {}

  TimePoint Now() const override;
  void Set(TimePoint t);
  void Advance(std::chrono::system_clock::duration d);

 private:
  mutable std::mutex mu_;
  TimePoint now_;  // Guarded by mu_.
};

}  // namespace truc::testing
