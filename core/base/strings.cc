#include "core/base/strings.h"

#include <fmt/format.h>

#include "core/base/utf8.h"

namespace truc {

std::vector<std::string_view> SplitString(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      pieces.push_back(text.substr(start));
      return pieces;
    }
    pieces.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::string_view TrimWhitespace(std::string_view text) {
  constexpr std::string_view kWhitespace = " \t\r\n\f\v";
  const size_t first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(kWhitespace);
  return text.substr(first, last - first + 1);
}

std::string EscapeForDisplay(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t code_point = 0;
    const size_t length = Utf8SequenceLength(text, i, code_point);
    const bool control = code_point < 0x20 || (code_point >= 0x7f && code_point < 0xa0);
    if (length == 0 || control) {
      escaped += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (code_point == '\\') {
      escaped += "\\\\";
    } else {
      escaped.append(text.substr(i, length));
    }
    i += length;
  }
  return escaped;
}

}  // namespace truc
