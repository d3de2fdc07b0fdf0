#include "core/base/encoding.h"

#include <catch2/catch.hpp>

namespace truc {
namespace {

TEST_CASE("Hex round-trips and rejects bad digits with their offset", "[base]") {
  CHECK(HexEncode(std::string("\x00\xff\x10", 3)) == "00ff10");
  CHECK(HexDecode("00FF10").value() == std::string("\x00\xff\x10", 3));
  CHECK(HexDecode("abc").status().message() == "hex string has odd length 3");
  CHECK(HexDecode("00zz").status().message() == "invalid hex digit at offset 2");
}

TEST_CASE("Base64 follows RFC 4648 test vectors", "[base]") {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [raw, encoded] : vectors) {
    CHECK(Base64Encode(raw) == encoded);
    CHECK(Base64Decode(encoded).value() == raw);
  }
}

TEST_CASE("Base64 decoding rejects malformed text", "[base]") {
  CHECK_FALSE(Base64Decode("Zm9").ok());
  CHECK_FALSE(Base64Decode("Zm 9v").ok());
  CHECK_FALSE(Base64Decode("Z=9v").ok());
  CHECK(Base64Decode("Zm9*").status().message() == "invalid base64 character at offset 3");
}

}  // namespace
}  // namespace truc
