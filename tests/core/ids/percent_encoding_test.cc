#include "core/ids/percent_encoding.h"

#include <catch2/catch.hpp>

namespace truc::ids {
namespace {

TEST_CASE("Percent-encoding keeps unreserved bytes and escapes the rest", "[ids]") {
  CHECK(PercentEncode("Az09-._~") == "Az09-._~");
  CHECK(PercentEncode("a/b c%") == "a%2Fb%20c%25");
  CHECK(PercentEncode("Hà Nội") == "H%C3%A0%20N%E1%BB%99i");
}

TEST_CASE("Percent-decoding reverses encoding and rejects broken escapes", "[ids]") {
  CHECK(PercentDecode("a%2Fb%20c%25").value() == "a/b c%");
  CHECK(PercentDecode("a+b").value() == "a+b");
  CHECK(PercentDecode("%e1%BB%99").value() == "ộ");
  CHECK(PercentDecode("ab%2").status().message() ==
        "'%' at offset 2 is not followed by two hex digits");
  CHECK(PercentDecode("%G0").status().message() ==
        "'%' at offset 0 is not followed by two hex digits");
}

}  // namespace
}  // namespace truc::ids
