// Roots and proofs of RFC 9162 Merkle trees (hashing in hash.h, checking proofs in verify.h).
//
// Proofs are lists of kHashSize-byte node hashes, ordered from the leaf end towards the root:
//   - the inclusion path of leaf i in a tree of size n is PATH(i, D[n]) of RFC 9162 2.1.3.1;
//   - the consistency proof from size m to size n is PROOF(m, D[n]) of RFC 9162 2.1.4.1, and
//     empty when m == 0 or m == n.
//
// Each generator comes in two forms: over leaf hashes held in memory, and over a SubtreeHashFn
// for a log whose nodes live in storage. To build many inclusion paths of one tree at once, use
// BatchTree (batch_tree.h) instead.
//
// Pure functions; thread-safe as long as a given SubtreeHashFn is.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/merkle/errors.h"

namespace truc::merkle {

// MTH of the leaves with hashes `leaf_hashes`, in order; EmptyRoot() for none. Leaf hashes are
// normally HashLeaf outputs; other bytes are hashed as given. O(n) hashes, O(log n) memory.
std::string RootFromLeafHashes(std::span<const std::string> leaf_hashes);

// The storage seam for proofs: returns MTH(D[begin:end]) of the log's leaves. Proof generation
// asks for O(log n) ranges, each a node of the tree being proven: a perfect subtree
// [j * 2^h, (j + 1) * 2^h), or a subtree ending at the tree size. 0 <= begin < end always. A log
// that stores perfect subtree hashes answers each call in O(log n) hashes; errors are passed on
// to the caller of the generator.
using SubtreeHashFn = std::function<StatusOr<std::string>(uint64_t begin, uint64_t end)>;

// Returns the leaf hashes D[begin:end] of a log, in order; 0 <= begin < end always.
using LeafHashRangeFn =
    std::function<StatusOr<std::vector<std::string>>(uint64_t begin, uint64_t end)>;

// A SubtreeHashFn for a log that stores only its leaf hashes: each call fetches the range from
// `leaf_hashes` and hashes it with RootFromLeafHashes, so one proof reads and hashes O(n) leaves
// in total. Fine for small logs and for tests; a large log should store node hashes instead.
// Errors from `leaf_hashes` are passed on; DataLoss (kBadLeafRange) when it returns the wrong
// number of hashes.
SubtreeHashFn SubtreeHashFromLeaves(LeafHashRangeFn leaf_hashes);

// The inclusion path of leaf `leaf_index` in the tree of the given size. OutOfRange
// (kOutOfRange) when leaf_index >= tree_size; errors from `subtree_hash` are passed on.
// Calls `subtree_hash` once per path element, at most 64 times.
StatusOr<std::vector<std::string>> InclusionPath(uint64_t leaf_index, uint64_t tree_size,
                                                 const SubtreeHashFn& subtree_hash);
// The same over leaf hashes in memory, tree size leaf_hashes.size(). O(n) hashes.
StatusOr<std::vector<std::string>> InclusionPath(uint64_t leaf_index,
                                                 std::span<const std::string> leaf_hashes);

// The consistency proof from the tree's first `first_size` leaves to its first `second_size`
// leaves. OutOfRange (kOutOfRange) when first_size > second_size; errors from `subtree_hash`
// are passed on. Calls `subtree_hash` once per proof element, at most 65 times.
StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t first_size, uint64_t second_size,
                                                    const SubtreeHashFn& subtree_hash);
// The same over leaf hashes in memory, second size leaf_hashes.size(). O(n) hashes.
StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t first_size,
                                                    std::span<const std::string> leaf_hashes);

}  // namespace truc::merkle
