#include "core/base/clock.h"

#include <ctime>

#include <fmt/format.h>

namespace truc {

const SystemClock& SystemClock::Instance() {
  static const SystemClock* const clock = new SystemClock();
  return *clock;
}

std::string FormatRfc3339(TimePoint t) {
  const auto since_epoch = t.time_since_epoch();
  auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds);
  const std::time_t tt = seconds.count();
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     static_cast<int>(millis.count()));
}

}  // namespace truc
