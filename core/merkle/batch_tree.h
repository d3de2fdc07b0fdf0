// A whole Merkle tree built at once, for handing every member of a batch its inclusion path:
// batch timestamping and signing hash N concurrent messages into one tree, sign its root once,
// and give each message the path from its leaf to that root.
//
// The tree is built level by level (pairing neighbours, carrying an unpaired last node up
// unchanged), which gives exactly the RFC 9162 tree. Building costs N - 1 hashes; each path is
// then read off the stored levels, O(log N), so the root and all N paths cost O(N log N).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/merkle/errors.h"

namespace truc::merkle {

// Immutable after construction; const methods are thread-safe. Keeps about 2N hashes.
class BatchTree {
 public:
  // Builds the tree over `leaf_hashes`, in order (normally HashLeaf outputs; other bytes are
  // hashed as given). Any number of leaves, including none.
  explicit BatchTree(std::vector<std::string> leaf_hashes);

  // Number of leaves.
  uint64_t size() const { return levels_.front().size(); }

  // MTH of the leaves; EmptyRoot() when there are none.
  const std::string& root() const { return root_; }

  // The inclusion path of leaf `leaf_index`, equal to what InclusionPath in tree.h returns.
  // O(log N). OutOfRange (kOutOfRange) when leaf_index >= size().
  StatusOr<std::vector<std::string>> InclusionPath(uint64_t leaf_index) const;

 private:
  // levels_[0] holds the leaf hashes, each next level the parents of the one below; the last
  // level holds the root alone (or nothing, for the empty tree).
  std::vector<std::vector<std::string>> levels_;
  std::string root_;
};

}  // namespace truc::merkle
