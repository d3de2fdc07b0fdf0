#include "cli/table.h"

#include <algorithm>

#include "core/base/strings.h"

namespace truc::cli {
namespace {

// The width of `text` on a terminal: its UTF-8 code points (Vietnamese letters with their
// diacritics are precomposed, one column each).
size_t DisplayWidth(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

std::string FormatTable(const std::vector<std::vector<std::string>>& raw_rows) {
  // Logged values come from outside: none may move the cursor or fake a line.
  std::vector<std::vector<std::string>> rows;
  rows.reserve(raw_rows.size());
  for (const std::vector<std::string>& raw : raw_rows) {
    std::vector<std::string>& row = rows.emplace_back();
    row.reserve(raw.size());
    for (const std::string& cell : raw) row.push_back(EscapeForDisplay(cell));
  }
  std::vector<size_t> widths;
  for (const std::vector<std::string>& row : rows) {
    if (row.size() > widths.size()) widths.resize(row.size());
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  std::string table;
  for (const std::vector<std::string>& row : rows) {
    if (&row != &rows.front()) table += "\n";
    for (size_t i = 0; i < row.size(); ++i) {
      table += row[i];
      if (i + 1 < row.size()) table += std::string(widths[i] - DisplayWidth(row[i]) + 2, ' ');
    }
  }
  return table;
}

}  // namespace truc::cli
