// Inclusion and consistency proofs as an auditor receives them (sizes, indexes and hashes all
// chosen by whoever answers): checked without crashing, and never accepted for a root the proof
// does not lead to.
#include <cstring>

#include "core/merkle/hash.h"
#include "core/merkle/tree.h"
#include "core/merkle/verify.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 16) return 0;
  uint64_t a = 0, b = 0;
  std::memcpy(&a, data, 8);
  std::memcpy(&b, data + 8, 8);
  std::vector<std::string> hashes;
  for (size_t at = 16; at + truc::merkle::kHashSize <= size; at += truc::merkle::kHashSize) {
    hashes.emplace_back(reinterpret_cast<const char*>(data + at), truc::merkle::kHashSize);
  }
  const std::string leaf = truc::merkle::HashLeaf("leaf");
  const std::string root = hashes.empty() ? truc::merkle::EmptyRoot() : hashes.back();
  std::vector<std::string> path = hashes;
  if (!path.empty()) path.pop_back();
  (void)truc::merkle::VerifyInclusion(leaf, a, b, path, root);
  (void)truc::merkle::VerifyConsistency(a, b, path, leaf, root);

  // A real tree of up to 64 leaves: a proof of the real root never passes for a changed one.
  const uint64_t leaves = 1 + a % 64;
  std::vector<std::string> leaf_hashes;
  for (uint64_t i = 0; i < leaves; ++i)
    leaf_hashes.push_back(truc::merkle::HashLeaf(std::to_string(i)));
  const std::string real_root = truc::merkle::RootFromLeafHashes(leaf_hashes);
  const uint64_t index = b % leaves;
  if (truc::merkle::VerifyInclusion(leaf_hashes[index], index, leaves, path, real_root).ok()) {
    truc::fuzz::Require(!truc::merkle::VerifyInclusion(truc::merkle::HashLeaf("other"), index,
                                                       leaves, path, real_root)
                             .ok(),
                        "a proof holds for one leaf only");
  }
  return 0;
}
