#include "core/net/http_syntax.h"

#include <algorithm>

namespace truc::net {
namespace {

bool IsTokenChar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return kSymbols.find(static_cast<char>(c)) != std::string_view::npos;
}

// Visible ASCII or obs-text: what may appear in a field value or target besides whitespace.
bool IsVisible(unsigned char c) { return (c > 0x20 && c < 0x7f) || c >= 0x80; }

}  // namespace

bool IsHttpToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return IsTokenChar(static_cast<unsigned char>(c));
  });
}

bool IsHttpFieldValue(std::string_view text) {
  if (text.empty()) return true;
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  if (is_space(text.front()) || is_space(text.back())) return false;
  return std::all_of(text.begin(), text.end(), [&](char c) {
    return IsVisible(static_cast<unsigned char>(c)) || is_space(c);
  });
}

bool IsOriginFormTarget(std::string_view text) {
  return text.starts_with('/') && std::all_of(text.begin(), text.end(), [](char c) {
           return IsVisible(static_cast<unsigned char>(c));
         });
}

}  // namespace truc::net
