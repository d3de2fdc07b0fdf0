#include "core/base/strings.h"

#include <catch2/catch.hpp>

namespace truc {
namespace {

TEST_CASE("Values are escaped for display: controls and malformed UTF-8, never letters", "[base]") {
  CHECK(EscapeForDisplay("Nguyễn Văn A, 079123456789") == "Nguyễn Văn A, 079123456789");
  CHECK(EscapeForDisplay("a\r\nb") == "a\\x0d\\x0ab");
  CHECK(EscapeForDisplay("\x1b[31mred") == "\\x1b[31mred");  // A terminal colour sequence.
  CHECK(EscapeForDisplay(std::string_view("nul\0x", 5)) == "nul\\x00x");
  CHECK(EscapeForDisplay("del\x7f") == "del\\x7f");
  CHECK(EscapeForDisplay("Nguy\xean") == "Nguy\\xean");       // Latin-1, not UTF-8.
  CHECK(EscapeForDisplay("c1\xc2\x85") == "c1\\xc2\\x85");    // U+0085, a C1 control.
  CHECK(EscapeForDisplay("back\\slash") == "back\\\\slash");  // An escape cannot be faked.
  CHECK(EscapeForDisplay("") == "");
}

TEST_CASE("Strings split at every separator and trim ASCII whitespace", "[base]") {
  CHECK(SplitString("a//b", '/') == std::vector<std::string_view>{"a", "", "b"});
  CHECK(SplitString("", ',') == std::vector<std::string_view>{""});
  CHECK(TrimWhitespace(" \t chunked \r\n") == "chunked");
}

}  // namespace
}  // namespace truc
