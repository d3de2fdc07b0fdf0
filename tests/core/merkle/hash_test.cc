#include "core/merkle/hash.h"

#include <catch2/catch.hpp>

#include "core/base/encoding.h"
#include "core/crypto/digest.h"
#include "core/merkle/tree.h"
#include "tests/core/merkle/reference_tree.h"

namespace truc::merkle {
namespace {

TEST_CASE("Merkle leaf and node hashes are SHA-256 with a 0x00 or 0x01 prefix", "[merkle]") {
  CHECK(HashLeaf("abc") == crypto::Sha256(std::string("\x00"
                                                      "abc",
                                                      4)));
  CHECK(HashChildren("left", "right") == crypto::Sha256("\x01leftright"));
  CHECK(HashLeaf("") != EmptyRoot());
  CHECK(HexEncode(EmptyRoot()) == testing::kEmptyRootHex);
  CHECK(HashLeaf("x").size() == kHashSize);
}

TEST_CASE("Roots of the certificate-transparency reference tree match its test vectors",
          "[merkle]") {
  const std::vector<std::string> leaves = testing::ReferenceLeafHashes();
  CHECK(HexEncode(RootFromLeafHashes({})) == testing::kEmptyRootHex);
  for (size_t n = 1; n <= leaves.size(); ++n) {
    const std::span<const std::string> prefix(leaves.data(), n);
    INFO("tree size " << n);
    CHECK(HexEncode(RootFromLeafHashes(prefix)) == testing::kReferenceRootsHex[n - 1]);
    CHECK(HexEncode(testing::ReferenceRoot(prefix)) == testing::kReferenceRootsHex[n - 1]);
  }
}

TEST_CASE("RootFromLeafHashes agrees with the recursive RFC definition", "[merkle]") {
  const std::vector<std::string> leaves = testing::NumberedLeafHashes(130);
  for (size_t n = 0; n <= leaves.size(); ++n) {
    const std::span<const std::string> prefix(leaves.data(), n);
    INFO("tree size " << n);
    CHECK(RootFromLeafHashes(prefix) == testing::ReferenceRoot(prefix));
  }
}

}  // namespace
}  // namespace truc::merkle
