// Internal to core/config: pieces of the error messages that more than one file writes.
#pragma once

#include <string>
#include <string_view>

namespace truc::config::internal {

// What a duration looks like, as error messages show it.
inline constexpr std::string_view kDurationExamples = R"("250ms", "30s", "5m", "2h" or "1d")";

// `text` in double quotes, with '"' and '\' escaped by a backslash, \n \r \t as such and every
// other byte below 0x20 or equal to 0x7f as \xNN, so that an error message stays on one line.
// Other bytes, UTF-8 included, are kept.
std::string QuoteForMessage(std::string_view text);

}  // namespace truc::config::internal
