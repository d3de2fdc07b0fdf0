#include "core/base/utf8.h"

#include <catch2/catch.hpp>

namespace truc {
namespace {

TEST_CASE("UTF-8 sequences are decoded strictly", "[base]") {
  uint32_t code_point = 0;
  CHECK(Utf8SequenceLength("a", 0, code_point) == 1);
  CHECK(code_point == 'a');
  CHECK(Utf8SequenceLength("ộ", 0, code_point) == 3);
  CHECK(code_point == 0x1ed9);
  CHECK(Utf8SequenceLength("\xf0\x9f\x98\x80", 0, code_point) == 4);
  CHECK(Utf8SequenceLength("\xc0\xaf", 0, code_point) == 0);          // Overlong "/".
  CHECK(Utf8SequenceLength("\xed\xa0\x80", 0, code_point) == 0);      // A surrogate.
  CHECK(Utf8SequenceLength("\xe1\xbb", 0, code_point) == 0);          // Truncated.
  CHECK(Utf8SequenceLength("\xf4\x90\x80\x80", 0, code_point) == 0);  // Above U+10FFFF.
  CHECK(Utf8SequenceLength("\x80", 0, code_point) == 0);              // A lone continuation byte.
}

TEST_CASE("Whole texts are checked as UTF-8", "[base]") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("Phở bò, 🍜"));
  CHECK_FALSE(IsValidUtf8("ph\xe1\xbb"));  // Truncated at the end.
  CHECK_FALSE(IsValidUtf8("a\xc0\xae" "b"));  // Overlong ".".
  CHECK_FALSE(IsValidUtf8("\xff"));
}

}  // namespace
}  // namespace truc
