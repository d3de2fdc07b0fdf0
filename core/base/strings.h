// Small string helpers that the standard library lacks.
#pragma once

#include <string_view>
#include <vector>

namespace truc {

// Splits `text` at every `separator`; empty pieces are kept ("a//b" gives "a", "", "b") and an
// empty text gives one empty piece. The pieces point into `text`.
std::vector<std::string_view> SplitString(std::string_view text, char separator);

// Removes leading and trailing ASCII whitespace.
std::string_view TrimWhitespace(std::string_view text);

}  // namespace truc
