#include "core/merkle/verify.h"

#include <bit>

#include <fmt/format.h>

#include "core/merkle/hash.h"

namespace truc::merkle {
namespace {

Status CheckHash(std::string_view hash, std::string_view what) {
  if (hash.size() == kHashSize) return OkStatus();
  return BadHashError(fmt::format("{} has {} bytes, not {}", what, hash.size(), kHashSize));
}

Status CheckProofHashes(std::span<const std::string> proof, std::string_view what) {
  for (size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != kHashSize) {
      return BadProofError(
          fmt::format("{} hash {} has {} bytes, not {}", what, i, proof[i].size(), kHashSize));
    }
  }
  return OkStatus();
}

// Shifts both node indices right until `fn` is odd or zero, skipping the levels on which the
// node is the last one, has no sibling and is carried up unchanged.
void SkipPromotedLevels(uint64_t& fn, uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Status VerifyInclusion(std::string_view leaf_hash, uint64_t leaf_index, uint64_t tree_size,
                       std::span<const std::string> path, std::string_view expected_root) {
  TRUC_RETURN_IF_ERROR(CheckHash(leaf_hash, "leaf hash"));
  TRUC_RETURN_IF_ERROR(CheckHash(expected_root, "expected root"));
  TRUC_RETURN_IF_ERROR(CheckProofHashes(path, "inclusion path"));
  if (leaf_index >= tree_size) {
    return OutOfRangeError(
        fmt::format("leaf index {} is outside a tree of size {}", leaf_index, tree_size));
  }
  // RFC 9162 2.1.3.2. fn is the index of the current node on its level, sn that of the level's
  // last node; the root is reached when sn is 0.
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : path) {
    if (sn == 0) {
      return BadProofError(
          fmt::format("inclusion path of {} hashes is too long for leaf {} in a tree of size {}",
                      path.size(), leaf_index, tree_size));
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = HashChildren(p, r);
      SkipPromotedLevels(fn, sn);
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return BadProofError(
        fmt::format("inclusion path of {} hashes is too short for leaf {} in a tree of size {}",
                    path.size(), leaf_index, tree_size));
  }
  if (r != expected_root) {
    return RootMismatchError(
        fmt::format("inclusion path for leaf {} leads to a different root of the tree of size {}",
                    leaf_index, tree_size));
  }
  return OkStatus();
}

Status VerifyConsistency(uint64_t first_size, uint64_t second_size,
                         std::span<const std::string> proof, std::string_view first_root,
                         std::string_view second_root) {
  TRUC_RETURN_IF_ERROR(CheckHash(first_root, "first root"));
  TRUC_RETURN_IF_ERROR(CheckHash(second_root, "second root"));
  TRUC_RETURN_IF_ERROR(CheckProofHashes(proof, "consistency proof"));
  if (first_size > second_size) {
    return OutOfRangeError(fmt::format("first tree size {} is larger than second tree size {}",
                                       first_size, second_size));
  }
  if (first_size == 0 || first_size == second_size) {
    if (!proof.empty()) {
      return BadProofError(
          fmt::format("consistency proof from tree size {} to {} must be empty, has {} hashes",
                      first_size, second_size, proof.size()));
    }
    if (first_size == 0 && first_root != EmptyRoot()) {
      return RootMismatchError("first root is not the root of the empty tree");
    }
    if (first_size == second_size && first_root != second_root) {
      return RootMismatchError(
          fmt::format("the two roots of the tree of size {} differ", first_size));
    }
    return OkStatus();
  }
  // RFC 9162 2.1.4.2.
  if (proof.empty()) {
    return BadProofError(
        fmt::format("empty consistency proof from tree size {} to {}", first_size, second_size));
  }
  // When the first tree is perfect its root is the proof's implicit first hash.
  size_t next = 0;
  std::string fr(std::has_single_bit(first_size) ? first_root : std::string_view(proof[next++]));
  std::string sr = fr;
  uint64_t fn = first_size - 1;
  uint64_t sn = second_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  for (; next < proof.size(); ++next) {
    const std::string& c = proof[next];
    if (sn == 0) {
      return BadProofError(
          fmt::format("consistency proof of {} hashes is too long from tree size {} to {}",
                      proof.size(), first_size, second_size));
    }
    if ((fn & 1) == 1 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      SkipPromotedLevels(fn, sn);
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return BadProofError(
        fmt::format("consistency proof of {} hashes is too short from tree size {} to {}",
                    proof.size(), first_size, second_size));
  }
  if (fr != first_root) {
    return RootMismatchError(fmt::format(
        "consistency proof leads to a different root of the tree of size {}", first_size));
  }
  if (sr != second_root) {
    return RootMismatchError(fmt::format(
        "consistency proof leads to a different root of the tree of size {}", second_size));
  }
  return OkStatus();
}

}  // namespace truc::merkle
