#include "gateway/rest/body_format.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include <fmt/format.h>

#include "core/base/strings.h"
#include "core/base/utf8.h"

namespace truc::gateway::rest {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD in UTF-8.

bool IsXmlChar(uint32_t code_point) {
  if (code_point < 0x20) return code_point == '\t' || code_point == '\n' || code_point == '\r';
  return code_point != 0xFFFE && code_point != 0xFFFF;
}

}  // namespace

std::string Utf8ContentType(std::string_view media_type) {
  return fmt::format("{};charset=utf-8", media_type);
}

std::vector<std::string> AcceptedMediaRanges(const net::HttpHeaders& headers) {
  std::vector<std::string> ranges;
  for (const std::string& field : headers.GetAll("Accept")) {
    for (std::string_view element : SplitString(field, ',')) {
      std::string range(TrimWhitespace(element.substr(0, element.find(';'))));
      if (range.empty()) continue;
      std::transform(range.begin(), range.end(), range.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      ranges.push_back(std::move(range));
    }
  }
  return ranges;
}

std::string ToJsonText(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false,
                    nlohmann::ordered_json::error_handler_t::replace);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t code_point = 0;
    const size_t length = Utf8SequenceLength(text, i, code_point);
    if (length == 0 || !IsXmlChar(code_point)) {
      out += kReplacementCharacter;
      i += std::max<size_t>(length, 1);
      continue;
    }
    switch (code_point) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

std::string XmlElement(std::string_view name, std::string_view text) {
  return fmt::format("<{0}>{1}</{0}>", name, XmlEscape(text));
}

}  // namespace truc::gateway::rest
