#include "core/merkle/hash.h"

#include "core/crypto/digest.h"

namespace truc::merkle {
namespace {

std::string PrefixedHash(char prefix, std::string_view first, std::string_view second = {}) {
  return crypto::Digest(crypto::DigestAlgorithm::kSha256,
                        {std::string_view(&prefix, 1), first, second});
}

}  // namespace

std::string HashLeaf(std::string_view data) { return PrefixedHash('\x00', data); }

std::string HashChildren(std::string_view left, std::string_view right) {
  return PrefixedHash('\x01', left, right);
}

std::string EmptyRoot() { return crypto::Sha256(""); }

}  // namespace truc::merkle
