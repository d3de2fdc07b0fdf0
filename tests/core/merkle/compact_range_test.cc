#include "core/merkle/compact_range.h"

#include <bit>

#include <catch2/catch.hpp>

#include "core/merkle/hash.h"
#include "tests/core/merkle/reference_tree.h"

namespace truc::merkle {
namespace {

TEST_CASE("A compact range's root equals the full tree's root at every size up to 200",
          "[merkle]") {
  const std::vector<std::string> leaves = testing::NumberedLeafHashes(200);
  CompactRange range;
  CHECK(range.Root() == EmptyRoot());
  for (size_t n = 1; n <= leaves.size(); ++n) {
    range.Append(leaves[n - 1]);
    INFO("size " << n);
    CHECK(range.size() == n);
    CHECK(range.frontier().size() == static_cast<size_t>(std::popcount(n)));
    CHECK(range.Root() == testing::ReferenceRoot(std::span(leaves).first(n)));
  }
}

TEST_CASE("A compact range holds the hashes of the perfect subtrees, largest first", "[merkle]") {
  const std::vector<std::string> leaves = testing::NumberedLeafHashes(13);
  CompactRange range;
  for (const std::string& leaf : leaves) range.Append(leaf);
  const std::span<const std::string> all(leaves);
  CHECK(range.frontier() == std::vector<std::string>{testing::ReferenceRoot(all.subspan(0, 8)),
                                                     testing::ReferenceRoot(all.subspan(8, 4)),
                                                     leaves[12]});
}

TEST_CASE("Appending reports the perfect subtrees each leaf completes", "[merkle]") {
  const std::vector<std::string> leaves = testing::NumberedLeafHashes(64);
  const std::span<const std::string> all(leaves);
  CompactRange range;
  std::vector<std::string> completed;
  for (size_t i = 0; i < leaves.size(); ++i) {
    range.Append(leaves[i], &completed);
    INFO("leaf " << i);
    // Leaf i ends one subtree per trailing one bit of i, besides itself.
    REQUIRE(completed.size() == static_cast<size_t>(std::countr_one(i)) + 1);
    for (size_t h = 0; h < completed.size(); ++h) {
      const size_t width = size_t{1} << h;
      CHECK(completed[h] == testing::ReferenceRoot(all.subspan(i + 1 - width, width)));
    }
  }
}

TEST_CASE("A compact range restored from its frontier continues where it left off", "[merkle]") {
  const std::vector<std::string> leaves = testing::NumberedLeafHashes(40);
  CompactRange original;
  for (size_t i = 0; i < 27; ++i) original.Append(leaves[i]);

  auto restored = CompactRange::FromFrontier(original.size(), original.frontier());
  REQUIRE(restored.ok());
  CHECK(restored->Root() == original.Root());
  for (size_t i = 27; i < leaves.size(); ++i) restored->Append(leaves[i]);
  CHECK(restored->Root() == testing::ReferenceRoot(leaves));
  CHECK(CompactRange::FromFrontier(0, {})->Root() == EmptyRoot());
}

TEST_CASE("A compact range rejects a frontier that does not fit its size", "[merkle]") {
  const std::string hash = HashLeaf("x");
  const Status wrong_count = CompactRange::FromFrontier(3, {hash}).status();
  CHECK(wrong_count.code() == StatusCode::kInvalidArgument);
  CHECK(wrong_count.reason() == kBadHash);
  CHECK(wrong_count.message() == "a tree of size 3 has 2 frontier hashes, not 1");
  const Status short_hash = CompactRange::FromFrontier(3, {hash, hash.substr(1)}).status();
  CHECK(short_hash.reason() == kBadHash);
  CHECK(short_hash.message() == "frontier hash 1 has 31 bytes, not 32");
}

}  // namespace
}  // namespace truc::merkle
