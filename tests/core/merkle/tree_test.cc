#include "core/merkle/tree.h"

#include <bit>
#include <utility>

#include <catch2/catch.hpp>

#include "core/merkle/hash.h"
#include "tests/core/merkle/reference_tree.h"

namespace truc::merkle {
namespace {

using testing::HexList;
using Hexes = std::vector<std::string>;

TEST_CASE("Inclusion paths in the reference tree match the certificate-transparency vectors",
          "[merkle]") {
  const std::vector<std::string> leaves = testing::ReferenceLeafHashes();
  auto path = [&](uint64_t index, size_t size) {
    return HexList(InclusionPath(index, std::span(leaves).first(size)).value());
  };
  // The vectors number leaves from 1; we number them from 0.
  CHECK(path(0, 1).empty());
  CHECK(path(0, 8) == Hexes{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
  CHECK(path(5, 8) == Hexes{"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
  CHECK(path(2, 3) == Hexes{"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"});
  CHECK(path(1, 5) == Hexes{"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"});
}

TEST_CASE("Consistency proofs in the reference tree match the certificate-transparency vectors",
          "[merkle]") {
  const std::vector<std::string> leaves = testing::ReferenceLeafHashes();
  auto proof = [&](uint64_t first_size, size_t second_size) {
    return HexList(ConsistencyProof(first_size, std::span(leaves).first(second_size)).value());
  };
  CHECK(proof(1, 1).empty());
  CHECK(proof(1, 8) == Hexes{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
  CHECK(proof(6, 8) == Hexes{"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
  CHECK(proof(2, 5) == Hexes{"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"});
  CHECK(proof(0, 8).empty());
}

TEST_CASE("Proof generation rejects indices outside the tree", "[merkle]") {
  const std::vector<std::string> leaves = testing::NumberedLeafHashes(5);
  const Status past_end = InclusionPath(5, leaves).status();
  CHECK(past_end.code() == StatusCode::kOutOfRange);
  CHECK(past_end.reason() == kOutOfRange);
  CHECK(past_end.message() == "leaf index 5 is outside a tree of size 5");
  CHECK(InclusionPath(0, std::span<const std::string>()).status().reason() == kOutOfRange);
  const Status backwards = ConsistencyProof(6, leaves).status();
  CHECK(backwards.code() == StatusCode::kOutOfRange);
  CHECK(backwards.message() == "no consistency proof from tree size 6 back to 5");
}

TEST_CASE("Proofs from a leaf hash source equal proofs from leaves in memory", "[merkle]") {
  const std::vector<std::string> leaves = testing::NumberedLeafHashes(21);
  std::vector<std::pair<uint64_t, uint64_t>> fetched;
  const SubtreeHashFn from_storage = SubtreeHashFromLeaves(
      [&](uint64_t begin, uint64_t end) -> StatusOr<std::vector<std::string>> {
        fetched.emplace_back(begin, end);
        const auto range = std::span(leaves).subspan(begin, end - begin);
        return std::vector<std::string>(range.begin(), range.end());
      });

  for (uint64_t i = 0; i < leaves.size(); ++i) {
    CHECK(InclusionPath(i, leaves.size(), from_storage).value() ==
          InclusionPath(i, leaves).value());
  }
  for (uint64_t m = 0; m <= leaves.size(); ++m) {
    CHECK(ConsistencyProof(m, leaves.size(), from_storage).value() ==
          ConsistencyProof(m, leaves).value());
  }

  // Each requested range is a node of the tree: perfect and aligned, or ending at its end.
  for (const auto& [begin, end] : fetched) {
    const uint64_t width = end - begin;
    const bool perfect = std::has_single_bit(width) && begin % width == 0;
    CHECK((perfect || end == leaves.size()));
  }
}

TEST_CASE("Proof generation passes on leaf hash source failures", "[merkle]") {
  SECTION("an error from the source") {
    const SubtreeHashFn failing =
        SubtreeHashFromLeaves([](uint64_t, uint64_t) -> StatusOr<std::vector<std::string>> {
          return UnavailableError("disk offline", "storage.unavailable");
        });
    CHECK(InclusionPath(3, 10, failing).status().reason() == "storage.unavailable");
    CHECK(ConsistencyProof(3, 10, failing).status().reason() == "storage.unavailable");
  }
  SECTION("a source that returns too few hashes") {
    const SubtreeHashFn short_reads =
        SubtreeHashFromLeaves([](uint64_t, uint64_t) -> StatusOr<std::vector<std::string>> {
          return std::vector<std::string>{HashLeaf("only one")};
        });
    const Status status = InclusionPath(0, 4, short_reads).status();
    CHECK(status.code() == StatusCode::kDataLoss);
    CHECK(status.reason() == kBadLeafRange);
    CHECK(status.message() == "asked for the 2 leaf hashes of [2, 4), got 1");
  }
}

}  // namespace
}  // namespace truc::merkle
