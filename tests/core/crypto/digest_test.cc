#include "core/crypto/digest.h"

#include <string>
#include <vector>

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

TEST_CASE("Hashers alive at once on one thread, moved and made again, stay apart", "[crypto]") {
  // Contexts are reused from a per-thread cache: one hasher's state must never leak into another.
  std::vector<Hasher> hashers;
  for (int i = 0; i < 12; ++i) {
    hashers.emplace_back(i % 2 == 0 ? DigestAlgorithm::kSha256 : DigestAlgorithm::kSha512);
    hashers.back().Update(std::to_string(i));
  }
  Hasher moved = std::move(hashers[3]);
  hashers[3] = Hasher(DigestAlgorithm::kSha256);
  hashers[3].Update("three");
  moved.Update("+");
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 12; ++i) {
      if (i == 3) continue;
      const std::string text = std::to_string(i);
      CHECK(hashers[i].Finish() == (i % 2 == 0 ? Sha256(text) : Sha512(text)));
      hashers[i].Update(text);
    }
  }
  CHECK(hashers[3].Finish() == Sha256("three"));
  CHECK(moved.Finish() == Sha512("3+"));
  hashers.clear();  // Their contexts go back to the cache, and come out clean.
  Hasher again(DigestAlgorithm::kSha256);
  again.Update("abc");
  CHECK(again.Finish() == Sha256("abc"));
}

}  // namespace
}  // namespace truc::crypto
