// The text checks every entry point relies on: what EscapeForDisplay returns is UTF-8 with no
// control character; a value IsHttpFieldValue accepts holds no CR, LF or NUL; a token holds no
// separator; a target no space.
#include <algorithm>

#include "core/base/strings.h"
#include "core/base/utf8.h"
#include "core/net/http_syntax.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string shown = truc::EscapeForDisplay(text);
  truc::fuzz::Require(truc::IsValidUtf8(shown), "escaped text is UTF-8");
  truc::fuzz::Require(std::none_of(shown.begin(), shown.end(),
                                   [](char c) {
                                     const auto b = static_cast<unsigned char>(c);
                                     return b < 0x20 || b == 0x7f;
                                   }),
                      "escaped text holds no control character");
  if (truc::IsValidUtf8(text) &&
      text.find_first_of(std::string_view("\\\0\x7f", 3)) == std::string_view::npos &&
      std::none_of(text.begin(), text.end(),
                   [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    // Printable UTF-8 without backslashes may still hold C1 controls, which are escaped.
    truc::fuzz::Require(shown.size() >= text.size(), "escaping never shortens");
  }
  if (truc::net::IsHttpFieldValue(text)) {
    truc::fuzz::Require(text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos,
                        "a field value holds no CR, LF or NUL");
  }
  if (truc::net::IsHttpToken(text)) {
    truc::fuzz::Require(text.find_first_of(" \t:\r\n\"(),/;<=>?@[\\]{}") == std::string_view::npos,
                        "a token holds no separator");
  }
  if (truc::net::IsOriginFormTarget(text)) {
    truc::fuzz::Require(
        text.find_first_of(std::string_view(" \r\n\t\0", 5)) == std::string_view::npos,
        "a target holds no space or control character");
  }
  return 0;
}
