// The right edge of an append-only Merkle tree: enough to extend it and to compute its root,
// without keeping its leaves or interior nodes.
//
// A tree of n leaves decomposes into one perfect subtree per set bit of n, largest (leftmost)
// first; 13 = 8 + 4 + 1 leaves give subtrees over [0, 8), [8, 12) and [12, 13). The "frontier"
// is the list of their hashes, at most 64 of them. Appending a leaf merges equal-sized subtrees
// like a binary counter carries; the root folds the frontier from the right. This is the
// "compact range" of transparency logs.
//
// The frontier is all a log needs to keep a running root. It is not enough to build proofs:
// those need the hashes of subtrees that Append has folded away, which the log must store (or
// recompute from stored leaf hashes, see SubtreeHashFromLeaves in tree.h).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/base/status.h"
#include "core/merkle/errors.h"

namespace truc::merkle {

// A value type. Not thread-safe: an owner shared between threads guards it with its own mutex.
class CompactRange {
 public:
  // The empty tree.
  CompactRange() = default;

  // Restores a range saved as size() and frontier(), e.g. from an audit log's checkpoint.
  // InvalidArgument (kBadHash) unless `frontier` holds exactly one kHashSize-byte hash per set
  // bit of `size`.
  static StatusOr<CompactRange> FromFrontier(uint64_t size, std::vector<std::string> frontier);

  // Appends the leaf with hash `leaf_hash` (normally HashLeaf of the entry; other bytes are
  // hashed as given). Computes one node hash per trailing one bit of size(): O(log n) worst
  // case, O(1) amortized.
  //
  // When `completed` is given, it receives the hashes of the perfect subtrees that end with this
  // leaf, smallest first: the leaf hash itself, then the subtree of 2, 4, ... leaves, one per
  // trailing one bit of the old size. Leaf i thus completes the subtrees
  // [i + 1 - 2^h, i + 1) for h = 0 .. completed.size() - 1. A log that stores them holds every
  // perfect subtree hash that proofs ask for (tree.h), each under the index of its last leaf.
  void Append(std::string leaf_hash, std::vector<std::string>* completed = nullptr);

  // MTH of all leaves appended so far; EmptyRoot() for none. O(log n) hashes.
  std::string Root() const;

  // Number of leaves appended so far.
  uint64_t size() const { return size_; }

  // Hashes of the perfect subtrees making up the tree, largest first.
  const std::vector<std::string>& frontier() const { return frontier_; }

 private:
  CompactRange(uint64_t size, std::vector<std::string> frontier)
      : size_(size), frontier_(std::move(frontier)) {}

  uint64_t size_ = 0;
  std::vector<std::string> frontier_;
};

}  // namespace truc::merkle
