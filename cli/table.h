// Plain-text tables for command output.
#pragma once

#include <string>
#include <vector>

namespace truc::cli {

// `rows` (the first is usually a header) as lines joined by "\n", without a final newline; every
// column but the last is padded to its widest cell, columns are separated by two spaces. Widths
// count UTF-8 code points. Rows may have different lengths. Cells are escaped for display
// (EscapeForDisplay): control characters and malformed UTF-8 are shown as \xNN.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);

}  // namespace truc::cli
