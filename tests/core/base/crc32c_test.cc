#include "core/base/crc32c.h"

#include <string>

#include <catch2/catch.hpp>

namespace truc {
namespace {

TEST_CASE("CRC-32C gives the values of RFC 3720 and the usual check value", "[base]") {
  CHECK(Crc32c("") == 0);
  CHECK(Crc32c("123456789") == 0xe3069283);
  // RFC 3720, appendix B.4.
  CHECK(Crc32c(std::string(32, '\0')) == 0x8a9136aa);
  CHECK(Crc32c(std::string(32, '\xff')) == 0x62a8ab43);
  std::string ascending;
  std::string descending;
  for (int i = 0; i < 32; ++i) {
    ascending += static_cast<char>(i);
    descending += static_cast<char>(31 - i);
  }
  CHECK(Crc32c(ascending) == 0x46dd794e);
  CHECK(Crc32c(descending) == 0x113fdb5c);
}

TEST_CASE("CRC-32C extended piece by piece equals that of the whole, at every split", "[base]") {
  std::string data;
  for (int i = 0; i < 103; ++i) data += static_cast<char>(i * 37 + 11);
  const uint32_t whole = Crc32c(data);
  for (size_t split = 0; split <= data.size(); ++split) {
    INFO(split);
    CHECK(Crc32cExtend(Crc32c(data.substr(0, split)), data.substr(split)) == whole);
  }
  // A flipped bit anywhere changes it.
  for (size_t at = 0; at < data.size(); ++at) {
    std::string flipped = data;
    flipped[at] ^= 0x10;
    CHECK(Crc32c(flipped) != whole);
  }
}

}  // namespace
}  // namespace truc
