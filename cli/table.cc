#include "cli/table.h"

#include <algorithm>

namespace truc::cli {

std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const std::vector<std::string>& row : rows) {
    if (row.size() > widths.size()) widths.resize(row.size());
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string table;
  for (const std::vector<std::string>& row : rows) {
    if (&row != &rows.front()) table += "\n";
    for (size_t i = 0; i < row.size(); ++i) {
      table += row[i];
      if (i + 1 < row.size()) table += std::string(widths[i] - row[i].size() + 2, ' ');
    }
  }
  return table;
}

}  // namespace truc::cli
