// Durations as configuration files and command lines write them: a whole number followed by one
// unit, "250ms", "30s", "5m", "2h" or "1d". The format is specified in docs/configuration.md.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace truc::config {

// Parses `text` ("250ms", "30s", "5m", "2h", "1d"). The number is a non-negative decimal integer
// with no sign, spaces or fraction; the unit is one of ms, s, m, h, d. Returns InvalidArgument with
// reason "config.invalid" and a message that does not name any field, either
//   expected a duration such as "250ms", "30s", "5m", "2h" or "1d", got "30 seconds"
// or, when the value does not fit in std::chrono::milliseconds,
//   duration "99999999999999999d" is too large
// Thread-safe.
StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Formats `d` with the largest unit that represents it exactly ("90s", "5m", "250ms", "0s"), so
// that ParseDuration(FormatDuration(d)) == d for every non-negative `d`. Negative durations are
// written with a leading "-", which ParseDuration rejects.
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace truc::config
