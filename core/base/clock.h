// The one source of wall-clock time. Injected wherever time matters (certificate validity,
// timestamp tolerances, configuration expiry) so that tests can move time without sleeping.
#pragma once

#include <chrono>
#include <string>

namespace truc {

using TimePoint = std::chrono::system_clock::time_point;

// Thread-safe: implementations may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// The operating system's real-time clock.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }

  // A process-wide instance; lives forever.
  static const SystemClock& Instance();
};

// Formats `t` as RFC 3339 UTC with millisecond precision: "2026-11-23T16:40:50.123Z".
std::string FormatRfc3339(TimePoint t);

}  // namespace truc
