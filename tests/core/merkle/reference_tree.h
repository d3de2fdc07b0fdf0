// Shared by the Merkle tests: the reference tree of the certificate-transparency project's
// merkle_tree_test.cc (RFC 6962 hashing, which RFC 9162 keeps), and a literal transcription of
// the RFC 9162 MTH definition to check the library's builders against.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/encoding.h"
#include "core/merkle/hash.h"

namespace truc::merkle::testing {

// The entries of the 8-leaf reference tree, in hex.
inline constexpr std::array<std::string_view, 8> kReferenceEntriesHex = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

// kReferenceRootsHex[n - 1] is the root of the tree over the first n reference entries.
inline constexpr std::array<std::string_view, 8> kReferenceRootsHex = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

inline constexpr std::string_view kEmptyRootHex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

inline std::vector<std::string> ReferenceLeafHashes() {
  std::vector<std::string> hashes;
  hashes.reserve(kReferenceEntriesHex.size());
  for (std::string_view hex : kReferenceEntriesHex) {
    hashes.push_back(HashLeaf(HexDecode(hex).value()));
  }
  return hashes;
}

// Leaf hashes of n distinct entries ("0", "1", ...), for trees larger than the reference tree.
inline std::vector<std::string> NumberedLeafHashes(uint64_t n) {
  std::vector<std::string> hashes;
  hashes.reserve(n);
  for (uint64_t i = 0; i < n; ++i) hashes.push_back(HashLeaf(std::to_string(i)));
  return hashes;
}

// MTH(D[n]) exactly as RFC 9162 2.1.1 defines it, recursively.
inline std::string ReferenceRoot(std::span<const std::string> leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyRoot();
  if (leaf_hashes.size() == 1) return leaf_hashes[0];
  const size_t k = std::bit_floor(leaf_hashes.size() - 1);
  return HashChildren(ReferenceRoot(leaf_hashes.first(k)), ReferenceRoot(leaf_hashes.subspan(k)));
}

inline std::vector<std::string> HexList(const std::vector<std::string>& hashes) {
  std::vector<std::string> hex;
  hex.reserve(hashes.size());
  for (const std::string& hash : hashes) hex.push_back(HexEncode(hash));
  return hex;
}

}  // namespace truc::merkle::testing
