#include "core/merkle/verify.h"

#include <bit>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/merkle/hash.h"
#include "core/merkle/tree.h"
#include "tests/core/merkle/reference_tree.h"

namespace truc::merkle {
namespace {

constexpr uint64_t kMaxSize = 64;
// Smaller bounds for the exhaustive tests, which would otherwise take minutes: trees whose
// proofs get every bit flipped, trees whose proofs are checked against every claim of indices
// up to kMaxClaimSize.
constexpr uint64_t kMaxBitFlipSize = 16;
constexpr uint64_t kMaxProofSize = 24;
constexpr uint64_t kMaxClaimSize = 32;

const std::vector<std::string>& Leaves() {
  static const auto* leaves =
      new std::vector<std::string>(testing::NumberedLeafHashes(2 * kMaxSize));
  return *leaves;
}

std::span<const std::string> FirstLeaves(uint64_t n) { return std::span(Leaves()).first(n); }

std::string Root(uint64_t n) { return RootFromLeafHashes(FirstLeaves(n)); }

std::string FlipBit(std::string bytes, size_t bit) {
  bytes[bit / 8] = static_cast<char>(bytes[bit / 8] ^ (1 << (bit % 8)));
  return bytes;
}

// Runs `verify` on every copy of `hash` with one bit flipped; returns a description of each
// flip that was accepted or rejected for another reason than a root mismatch.
template <typename Verify>
std::vector<std::string> FlipsNotRejected(const std::string& hash, std::string_view what,
                                          Verify verify) {
  std::vector<std::string> problems;
  for (size_t bit = 0; bit < 8 * hash.size(); ++bit) {
    const Status status = verify(FlipBit(hash, bit));
    if (status.reason() != kRootMismatch) {
      problems.push_back(fmt::format("{} bit {}: {}", what, bit, status.ToString()));
    }
  }
  return problems;
}

// Independent oracles: what a proof claims, recomputed with the recursive definitions of
// RFC 9162 2.1.3.1 (PATH) and 2.1.4.1 (SUBPROOF) rather than the verifiers' index loops. Both
// read the proof from its end, where the sibling of the top-level split sits, and return
// nullopt when the proof has the wrong length for the claimed indices.

// The root that `path` leads to from `leaf_hash` as leaf `index` of a tree of `size` leaves.
std::optional<std::string> RootFromPath(const std::string& leaf_hash, uint64_t index, uint64_t size,
                                        std::span<const std::string> path) {
  if (size == 1) return path.empty() ? std::optional(leaf_hash) : std::nullopt;
  if (path.empty()) return std::nullopt;
  const uint64_t k = std::bit_floor(size - 1);
  const std::string& sibling = path.back();
  const auto rest = path.first(path.size() - 1);
  if (index < k) {
    const auto left = RootFromPath(leaf_hash, index, k, rest);
    return left ? std::optional(HashChildren(*left, sibling)) : std::nullopt;
  }
  const auto right = RootFromPath(leaf_hash, index - k, size - k, rest);
  return right ? std::optional(HashChildren(sibling, *right)) : std::nullopt;
}

struct Roots {
  std::string first;
  std::string second;
};

// The roots that `proof` leads to, as SUBPROOF(m, D[n], b); `first_root` is the hash the
// verifier already has for the case b.
std::optional<Roots> RootsFromProof(uint64_t m, uint64_t n, bool b, const std::string& first_root,
                                    std::span<const std::string> proof) {
  if (m == n) {
    if (b) return proof.empty() ? std::optional(Roots{first_root, first_root}) : std::nullopt;
    return proof.size() == 1 ? std::optional(Roots{proof[0], proof[0]}) : std::nullopt;
  }
  if (proof.empty()) return std::nullopt;
  const uint64_t k = std::bit_floor(n - 1);
  const std::string& c = proof.back();
  const auto rest = proof.first(proof.size() - 1);
  if (m <= k) {
    const auto left = RootsFromProof(m, k, b, first_root, rest);
    if (!left) return std::nullopt;
    return Roots{left->first, HashChildren(left->second, c)};
  }
  const auto right = RootsFromProof(m - k, n - k, false, first_root, rest);
  if (!right) return std::nullopt;
  return Roots{HashChildren(c, right->first), HashChildren(c, right->second)};
}

// The reason the oracles predict: "" (OK), kBadProof or kRootMismatch.
std::string_view ExpectedInclusionReason(const std::string& leaf_hash, uint64_t index,
                                         uint64_t size, std::span<const std::string> path,
                                         const std::string& root) {
  const auto computed = RootFromPath(leaf_hash, index, size, path);
  if (!computed) return kBadProof;
  return *computed == root ? "" : kRootMismatch;
}

std::string_view ExpectedConsistencyReason(uint64_t first_size, uint64_t second_size,
                                           std::span<const std::string> proof,
                                           const std::string& first_root,
                                           const std::string& second_root) {
  const auto computed = RootsFromProof(first_size, second_size, true, first_root, proof);
  if (!computed) return kBadProof;
  return computed->first == first_root && computed->second == second_root ? "" : kRootMismatch;
}

TEST_CASE("Inclusion proofs verify for every leaf of every tree up to 64 leaves", "[merkle]") {
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    const std::string root = Root(n);
    for (uint64_t i = 0; i < n; ++i) {
      const auto path = InclusionPath(i, FirstLeaves(n));
      REQUIRE(path.ok());
      INFO("leaf " << i << " of " << n);
      CHECK(VerifyInclusion(Leaves()[i], i, n, *path, root).ok());
    }
  }
}

TEST_CASE("Inclusion proofs fail when any bit of the leaf, path or root flips", "[merkle]") {
  for (uint64_t n = 1; n <= kMaxBitFlipSize; ++n) {
    const std::string root = Root(n);
    for (uint64_t i = 0; i < n; ++i) {
      const std::vector<std::string> path = InclusionPath(i, FirstLeaves(n)).value();
      const std::string& leaf = Leaves()[i];
      INFO("leaf " << i << " of " << n);
      CHECK(FlipsNotRejected(leaf, "leaf", [&](const std::string& flipped) {
              return VerifyInclusion(flipped, i, n, path, root);
            }).empty());
      CHECK(FlipsNotRejected(root, "root", [&](const std::string& flipped) {
              return VerifyInclusion(leaf, i, n, path, flipped);
            }).empty());
      for (size_t j = 0; j < path.size(); ++j) {
        CHECK(
            FlipsNotRejected(path[j], fmt::format("path[{}]", j), [&](const std::string& flipped) {
              std::vector<std::string> bad_path = path;
              bad_path[j] = flipped;
              return VerifyInclusion(leaf, i, n, bad_path, root);
            }).empty());
      }
    }
  }
}

TEST_CASE("Inclusion verification agrees with the recursive definition on every claim",
          "[merkle]") {
  // Each proof is checked as a proof for every (index, size) up to kMaxClaimSize, so wrong
  // indices and sizes are covered; a few of those claims legitimately pass (see the next test).
  std::vector<std::string> disagreements;
  for (uint64_t n = 1; n <= kMaxProofSize; ++n) {
    const std::string root = Root(n);
    for (uint64_t i = 0; i < n; ++i) {
      const std::vector<std::string> path = InclusionPath(i, FirstLeaves(n)).value();
      const std::string& leaf = Leaves()[i];
      for (uint64_t claimed_n = 1; claimed_n <= kMaxClaimSize; ++claimed_n) {
        for (uint64_t claimed_i = 0; claimed_i < claimed_n; ++claimed_i) {
          const std::string_view expected =
              ExpectedInclusionReason(leaf, claimed_i, claimed_n, path, root);
          const Status status = VerifyInclusion(leaf, claimed_i, claimed_n, path, root);
          if (status.reason() != expected) {
            disagreements.push_back(fmt::format("path for leaf {} of {} as leaf {} of {}: {}", i, n,
                                                claimed_i, claimed_n, status.ToString()));
          }
        }
      }
    }
  }
  CHECK(disagreements == std::vector<std::string>());
}

TEST_CASE("Proofs bind tree sizes only as far as the sizes shape them", "[merkle]") {
  // Leaf 0's path is [leaf 1, node over the rest] in trees of both 3 and 4 leaves, so the path
  // taken from the 3-leaf tree also passes as one in a 4-leaf tree with the same root. No 4-leaf
  // tree has that root short of a SHA-256 collision: sizes must come with the root, from the
  // same signed tree head.
  const std::vector<std::string> path = InclusionPath(0, FirstLeaves(3)).value();
  CHECK(VerifyInclusion(Leaves()[0], 0, 4, path, Root(3)).ok());
  const std::vector<std::string> proof = ConsistencyProof(1, FirstLeaves(3)).value();
  CHECK(VerifyConsistency(1, 4, proof, Root(1), Root(3)).ok());
}

TEST_CASE("Inclusion verification names each kind of malformed input", "[merkle]") {
  const std::vector<std::string> path = InclusionPath(0, FirstLeaves(8)).value();
  const std::string& leaf = Leaves()[0];
  const std::string root = Root(8);
  REQUIRE(VerifyInclusion(leaf, 0, 8, path, root).ok());

  SECTION("an index outside the tree") {
    const Status status = VerifyInclusion(leaf, 8, 8, path, root);
    CHECK(status.code() == StatusCode::kOutOfRange);
    CHECK(status.reason() == kOutOfRange);
    CHECK(status.message() == "leaf index 8 is outside a tree of size 8");
    CHECK(VerifyInclusion(leaf, 0, 0, {}, EmptyRoot()).reason() == kOutOfRange);
  }
  SECTION("a path that is too long") {
    std::vector<std::string> longer = path;
    longer.push_back(root);
    const Status status = VerifyInclusion(leaf, 0, 8, longer, root);
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.reason() == kBadProof);
    CHECK(status.message() ==
          "inclusion path of 4 hashes is too long for leaf 0 in a tree of size 8");
  }
  SECTION("a path that is too short") {
    const Status status = VerifyInclusion(leaf, 0, 8, std::span(path).first(2), root);
    CHECK(status.reason() == kBadProof);
    CHECK(status.message() ==
          "inclusion path of 2 hashes is too short for leaf 0 in a tree of size 8");
  }
  SECTION("a path that leads elsewhere") {
    const Status status = VerifyInclusion(Leaves()[1], 0, 8, path, root);
    CHECK(status.code() == StatusCode::kUnauthenticated);
    CHECK(status.reason() == kRootMismatch);
    CHECK(status.message() ==
          "inclusion path for leaf 0 leads to a different root of the tree of size 8");
  }
  SECTION("hashes of the wrong size") {
    CHECK(VerifyInclusion(leaf.substr(1), 0, 8, path, root).reason() == kBadHash);
    CHECK(VerifyInclusion(leaf, 0, 8, path, root + "x").message() ==
          "expected root has 33 bytes, not 32");
    std::vector<std::string> truncated = path;
    truncated[1].pop_back();
    const Status status = VerifyInclusion(leaf, 0, 8, truncated, root);
    CHECK(status.reason() == kBadProof);
    CHECK(status.message() == "inclusion path hash 1 has 31 bytes, not 32");
  }
}

TEST_CASE("Consistency proofs verify between every pair of sizes up to 64", "[merkle]") {
  for (uint64_t n = 0; n <= kMaxSize; ++n) {
    const std::string second_root = Root(n);
    for (uint64_t m = 0; m <= n; ++m) {
      const auto proof = ConsistencyProof(m, FirstLeaves(n));
      REQUIRE(proof.ok());
      INFO("from " << m << " to " << n);
      CHECK(VerifyConsistency(m, n, *proof, Root(m), second_root).ok());
    }
  }
}

TEST_CASE("Consistency proofs fail when any bit of the proof or a root flips", "[merkle]") {
  // From size 0 only the first root matters: every tree extends the empty one.
  for (uint64_t n = 1; n <= kMaxBitFlipSize; ++n) {
    const std::string second_root = Root(n);
    for (uint64_t m = 1; m <= n; ++m) {
      const std::vector<std::string> proof = ConsistencyProof(m, FirstLeaves(n)).value();
      const std::string first_root = Root(m);
      INFO("from " << m << " to " << n);
      CHECK(FlipsNotRejected(first_root, "first root", [&](const std::string& flipped) {
              return VerifyConsistency(m, n, proof, flipped, second_root);
            }).empty());
      CHECK(FlipsNotRejected(second_root, "second root", [&](const std::string& flipped) {
              return VerifyConsistency(m, n, proof, first_root, flipped);
            }).empty());
      for (size_t j = 0; j < proof.size(); ++j) {
        CHECK(FlipsNotRejected(proof[j], fmt::format("proof[{}]", j),
                               [&](const std::string& flipped) {
                                 std::vector<std::string> bad_proof = proof;
                                 bad_proof[j] = flipped;
                                 return VerifyConsistency(m, n, bad_proof, first_root, second_root);
                               })
                  .empty());
      }
    }
  }
}

TEST_CASE("Consistency verification agrees with the recursive definition on every claim",
          "[merkle]") {
  std::vector<std::string> disagreements;
  for (uint64_t n = 2; n <= kMaxProofSize; ++n) {
    const std::string second_root = Root(n);
    for (uint64_t m = 1; m < n; ++m) {
      const std::vector<std::string> proof = ConsistencyProof(m, FirstLeaves(n)).value();
      const std::string first_root = Root(m);
      for (uint64_t claimed_n = 2; claimed_n <= kMaxClaimSize; ++claimed_n) {
        for (uint64_t claimed_m = 1; claimed_m < claimed_n; ++claimed_m) {
          const std::string_view expected =
              ExpectedConsistencyReason(claimed_m, claimed_n, proof, first_root, second_root);
          const Status status =
              VerifyConsistency(claimed_m, claimed_n, proof, first_root, second_root);
          if (status.reason() != expected) {
            disagreements.push_back(fmt::format("proof from {} to {} as from {} to {}: {}", m, n,
                                                claimed_m, claimed_n, status.ToString()));
          }
        }
      }
      CHECK(VerifyConsistency(m, n, proof, second_root, first_root).reason() == kRootMismatch);
    }
  }
  CHECK(disagreements == std::vector<std::string>());
}

TEST_CASE("Consistency verification names each kind of malformed input", "[merkle]") {
  const std::vector<std::string> proof = ConsistencyProof(6, FirstLeaves(8)).value();
  const std::string first_root = Root(6);
  const std::string second_root = Root(8);
  REQUIRE(VerifyConsistency(6, 8, proof, first_root, second_root).ok());

  SECTION("a first tree larger than the second") {
    const Status status = VerifyConsistency(8, 6, proof, second_root, first_root);
    CHECK(status.code() == StatusCode::kOutOfRange);
    CHECK(status.reason() == kOutOfRange);
    CHECK(status.message() == "first tree size 8 is larger than second tree size 6");
  }
  SECTION("a proof that is empty, too long or too short") {
    const Status empty = VerifyConsistency(6, 8, {}, first_root, second_root);
    CHECK(empty.reason() == kBadProof);
    CHECK(empty.message() == "empty consistency proof from tree size 6 to 8");
    std::vector<std::string> longer = proof;
    longer.push_back(proof.back());
    CHECK(VerifyConsistency(6, 8, longer, first_root, second_root).message() ==
          "consistency proof of 4 hashes is too long from tree size 6 to 8");
    CHECK(VerifyConsistency(6, 8, std::span(proof).first(2), first_root, second_root).message() ==
          "consistency proof of 2 hashes is too short from tree size 6 to 8");
  }
  SECTION("a proof where none is needed") {
    const std::vector<std::string> one = {first_root};
    CHECK(VerifyConsistency(6, 6, one, first_root, first_root).message() ==
          "consistency proof from tree size 6 to 6 must be empty, has 1 hashes");
    CHECK(VerifyConsistency(0, 6, one, EmptyRoot(), first_root).reason() == kBadProof);
  }
  SECTION("roots that cannot both be right") {
    const Status same_size = VerifyConsistency(6, 6, {}, first_root, second_root);
    CHECK(same_size.code() == StatusCode::kUnauthenticated);
    CHECK(same_size.reason() == kRootMismatch);
    CHECK(same_size.message() == "the two roots of the tree of size 6 differ");
    CHECK(VerifyConsistency(0, 6, {}, first_root, first_root).message() ==
          "first root is not the root of the empty tree");
    CHECK(VerifyConsistency(0, 0, {}, EmptyRoot(), EmptyRoot()).ok());
    CHECK(VerifyConsistency(6, 8, proof, first_root, first_root).message() ==
          "consistency proof leads to a different root of the tree of size 8");
  }
  SECTION("hashes of the wrong size") {
    CHECK(VerifyConsistency(6, 8, proof, "", second_root).message() ==
          "first root has 0 bytes, not 32");
    std::vector<std::string> padded = proof;
    padded[0] += '\0';
    CHECK(VerifyConsistency(6, 8, padded, first_root, second_root).reason() == kBadProof);
  }
}

}  // namespace
}  // namespace truc::merkle
