// CRC-32C (Castagnoli; RFC 3720, appendix B.4), the checksum of iSCSI, ext4, LevelDB and RocksDB.
// It detects damage (flipped bits, torn writes), not tampering: signatures do that.
#pragma once

#include <cstdint>
#include <string_view>

namespace truc {

// The CRC-32C of `data`.
uint32_t Crc32c(std::string_view data);

// The CRC-32C of A + `data`, given `crc`, the CRC-32C of A: checksums data that comes in pieces.
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);

}  // namespace truc
