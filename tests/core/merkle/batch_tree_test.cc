#include "core/merkle/batch_tree.h"

#include <catch2/catch.hpp>

#include "core/base/encoding.h"
#include "core/merkle/hash.h"
#include "core/merkle/tree.h"
#include "tests/core/merkle/reference_tree.h"

namespace truc::merkle {
namespace {

TEST_CASE("A batch tree's root and paths equal those built leaf by leaf, sizes 1 to 100",
          "[merkle]") {
  const std::vector<std::string> leaves = testing::NumberedLeafHashes(100);
  for (size_t n = 1; n <= leaves.size(); ++n) {
    const std::span<const std::string> prefix(leaves.data(), n);
    const BatchTree tree({prefix.begin(), prefix.end()});
    INFO("batch of " << n);
    CHECK(tree.size() == n);
    CHECK(tree.root() == testing::ReferenceRoot(prefix));
    for (uint64_t i = 0; i < n; ++i) {
      CHECK(tree.InclusionPath(i).value() == InclusionPath(i, prefix).value());
    }
  }
}

TEST_CASE("A batch tree over the reference leaves has the reference root", "[merkle]") {
  const BatchTree tree(testing::ReferenceLeafHashes());
  CHECK(HexEncode(tree.root()) == testing::kReferenceRootsHex.back());
}

TEST_CASE("An empty batch has the empty root and no paths", "[merkle]") {
  const BatchTree tree({});
  CHECK(tree.size() == 0);
  CHECK(tree.root() == EmptyRoot());
  const Status status = tree.InclusionPath(0).status();
  CHECK(status.code() == StatusCode::kOutOfRange);
  CHECK(status.reason() == kOutOfRange);
  CHECK(status.message() == "leaf index 0 is outside a batch of 0");
}

}  // namespace
}  // namespace truc::merkle
