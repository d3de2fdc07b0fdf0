#include "core/crypto/digest.h"

#include <catch2/catch.hpp>

#include "core/base/encoding.h"

namespace truc::crypto {
namespace {

TEST_CASE("SHA-2 digests match the FIPS 180 test vectors", "[crypto]") {
  CHECK(HexEncode(Sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(HexEncode(Digest(DigestAlgorithm::kSha384, "abc")) ==
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
        "8086072ba1e7cc2358baeca134c825a7");
  CHECK(HexEncode(Sha512("abc")) ==
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  CHECK(DigestSize(DigestAlgorithm::kSha512) == 64);
  CHECK(DigestName(DigestAlgorithm::kSha256) == "SHA-256");
}

TEST_CASE("Incremental hashing equals one-shot hashing and restarts after Finish", "[crypto]") {
  Hasher hasher(DigestAlgorithm::kSha256);
  hasher.Update("a");
  hasher.Update("bc");
  CHECK(hasher.Finish() == Sha256("abc"));
  hasher.Update("xyz");
  CHECK(hasher.Finish() == Sha256("xyz"));
}

}  // namespace
}  // namespace truc::crypto
