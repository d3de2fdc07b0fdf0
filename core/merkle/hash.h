// Merkle tree hashing of RFC 9162 (Certificate Transparency 2.0) section 2.1, with SHA-256.
//
// A tree is built over the *leaf hashes* of its entries, in order. Leaves and interior nodes are
// hashed with different one-byte prefixes, so that no leaf can be passed off as an interior node:
//
//   leaf hash          HashLeaf(d)        = SHA-256(0x00 || d)
//   node hash          HashChildren(l, r) = SHA-256(0x01 || l || r)
//   MTH of no leaves   EmptyRoot()        = SHA-256("")
//
// A tree of n > 1 leaves is split at k, the largest power of two smaller than n: its root is
// HashChildren(MTH(first k leaves), MTH(remaining n - k leaves)). docs/merkle.md states the
// formats; tree.h builds roots and proofs, verify.h checks proofs, batch_tree.h and
// compact_range.h are the two incremental builders, errors.h lists the error reasons.
//
// All hashes are kHashSize raw bytes in a std::string. Everything here is a pure function and
// thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace truc::merkle {

// Size in bytes of every leaf hash, node hash and root.
inline constexpr size_t kHashSize = 32;

// SHA-256(0x00 || data): the leaf hash of one entry.
std::string HashLeaf(std::string_view data);

// SHA-256(0x01 || left || right): the hash of an interior node.
std::string HashChildren(std::string_view left, std::string_view right);

// SHA-256(""): the root of the tree with no leaves.
std::string EmptyRoot();

}  // namespace truc::merkle
