#include "core/config/duration.h"

#include <array>
#include <cstdint>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "core/config/messages.h"

namespace truc::config {
namespace {

using std::chrono::milliseconds;

// Units with their length in milliseconds, largest first (FormatDuration relies on the order).
constexpr std::array<std::pair<std::string_view, int64_t>, 5> kUnits = {{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

Status NotADuration(std::string_view text) {
  return InvalidArgumentError(
      fmt::format("expected a duration such as {}, got {}", internal::kDurationExamples,
                  internal::QuoteForMessage(text)),
      "config.invalid");
}

}  // namespace

StatusOr<milliseconds> ParseDuration(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return NotADuration(text);
  const std::string_view unit = text.substr(digits);
  int64_t unit_ms = 0;
  for (const auto& [name, ms] : kUnits) {
    if (unit == name) unit_ms = ms;
  }
  if (unit_ms == 0) return NotADuration(text);

  constexpr int64_t kMax = std::numeric_limits<milliseconds::rep>::max();
  int64_t count = 0;
  for (size_t i = 0; i < digits; ++i) {
    const int digit = text[i] - '0';
    if (count > (kMax - digit) / 10) {
      return InvalidArgumentError(
          fmt::format("duration {} is too large", internal::QuoteForMessage(text)),
          "config.invalid");
    }
    count = count * 10 + digit;
  }
  if (count > kMax / unit_ms) {
    return InvalidArgumentError(
        fmt::format("duration {} is too large", internal::QuoteForMessage(text)), "config.invalid");
  }
  return milliseconds(count * unit_ms);
}

std::string FormatDuration(milliseconds d) {
  const int64_t ms = d.count();
  if (ms == 0) return "0s";
  for (const auto& [name, unit_ms] : kUnits) {
    if (ms % unit_ms == 0) return fmt::format("{}{}", ms / unit_ms, name);
  }
  return fmt::format("{}ms", ms);  // Not reached: every count is a whole number of ms.
}

}  // namespace truc::config
