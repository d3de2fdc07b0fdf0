// Small string helpers that the standard library lacks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace truc {

// Splits `text` at every `separator`; empty pieces are kept ("a//b" gives "a", "", "b") and an
// empty text gives one empty piece. The pieces point into `text`.
std::vector<std::string_view> SplitString(std::string_view text, char separator);

// `text` made safe to print on a terminal or in a one-line message: well-formed UTF-8 characters
// stay as they are (Vietnamese names too), while control characters (C0, DEL, C1), backslashes
// and bytes that are not well-formed UTF-8 become \xNN (\\ for a backslash), so that no value
// can move the cursor, change colours or fake another line.
std::string EscapeForDisplay(std::string_view text);

// Removes leading and trailing ASCII whitespace.
std::string_view TrimWhitespace(std::string_view text);

}  // namespace truc
