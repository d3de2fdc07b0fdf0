// Checking RFC 9162 inclusion and consistency proofs, as made by tree.h or BatchTree, against
// roots the caller trusts (typically from a signed tree head).
//
// The verifiers follow RFC 9162 2.1.3.2 and 2.1.4.2: they walk the proof from the leaf end,
// using the indices to decide on which side each hash goes, so a proof with the wrong number of
// hashes for its indices is rejected before any root comparison. They never rebuild the tree.
//
// A proof binds the leaf (or the first root) to the expected root. It binds the indices only as
// far as they shape the proof: leaf 0's path in a tree of 3 leaves also passes for a tree of 4
// with the same root, although no tree of 4 leaves has that root short of a SHA-256 collision.
// So take the tree size from the same signed tree head as the root, never from the prover.
//
// Errors, all with a reason from errors.h:
//   InvalidArgument (kBadHash)       the leaf hash or a root is not kHashSize bytes;
//   OutOfRange (kOutOfRange)         leaf index >= tree size, or first size > second size;
//   InvalidArgument (kBadProof)      too many or too few hashes, or one not kHashSize bytes;
//   Unauthenticated (kRootMismatch)  the proof leads to a different root.
//
// Pure functions; thread-safe. O(log n) hashes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/base/status.h"
#include "core/merkle/errors.h"

namespace truc::merkle {

// OK when `path` proves that the leaf with hash `leaf_hash` sits at `leaf_index` in the tree of
// `tree_size` leaves whose root is `expected_root`.
Status VerifyInclusion(std::string_view leaf_hash, uint64_t leaf_index, uint64_t tree_size,
                       std::span<const std::string> path, std::string_view expected_root);

// OK when `proof` proves that the tree of `first_size` leaves with root `first_root` is a prefix
// of the tree of `second_size` leaves with root `second_root`. When first_size == second_size
// the proof must be empty and the roots equal; when first_size == 0 the proof must be empty and
// first_root must be EmptyRoot().
Status VerifyConsistency(uint64_t first_size, uint64_t second_size,
                         std::span<const std::string> proof, std::string_view first_root,
                         std::string_view second_root);

}  // namespace truc::merkle
