// The errors of core/merkle: a machine-readable reason for each kind of failure, and the one
// builder per reason that pairs it with its status code. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/base/status.h"

namespace truc::merkle {

// A leaf hash or root given to a verifier, or a stored frontier hash, is not kHashSize bytes.
inline constexpr std::string_view kBadHash = "merkle.bad_hash";
// A leaf index or tree size lies outside the tree.
inline constexpr std::string_view kOutOfRange = "merkle.out_of_range";
// A proof has the wrong number of hashes for its indices, or a hash of the wrong size.
inline constexpr std::string_view kBadProof = "merkle.bad_proof";
// A well-formed proof leads to a root other than the expected one.
inline constexpr std::string_view kRootMismatch = "merkle.root_mismatch";
// A leaf hash source returned the wrong number of hashes for a range.
inline constexpr std::string_view kBadLeafRange = "merkle.bad_leaf_range";

Status BadHashError(std::string message);       // InvalidArgument, kBadHash
Status OutOfRangeError(std::string message);    // OutOfRange, kOutOfRange
Status BadProofError(std::string message);      // InvalidArgument, kBadProof
Status RootMismatchError(std::string message);  // Unauthenticated, kRootMismatch
Status BadLeafRangeError(std::string message);  // DataLoss, kBadLeafRange

}  // namespace truc::merkle
