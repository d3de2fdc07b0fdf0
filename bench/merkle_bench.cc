// Throughput of the Merkle code on the hot paths: building a batch tree with every inclusion
// path (batch timestamping and signing), verifying inclusion proofs, appending to a compact
// range (audit log). Prints one line per measurement; takes the best of several rounds.
//
//   truc_merkle_bench [leaves]      default 10000
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench/bench_util.h"
#include "core/merkle/batch_tree.h"
#include "core/merkle/compact_range.h"
#include "core/merkle/hash.h"
#include "core/merkle/verify.h"

namespace truc::merkle {
namespace {

constexpr int kRounds = 5;

using bench::Report;

template <typename Work>
double BestSeconds(Work work) {
  return bench::BestSeconds(kRounds, work);
}

int Run(size_t n) {
  std::vector<std::string> leaves;
  leaves.reserve(n);
  for (size_t i = 0; i < n; ++i) leaves.push_back(HashLeaf(fmt::format("message {}", i)));
  fmt::print("Merkle benchmark, {} leaves, best of {} rounds\n", n, kRounds);

  Report("batch tree: build (root only)", n, "leaves",
         BestSeconds([&] { BatchTree tree(leaves); }));

  std::vector<std::vector<std::string>> paths(n);
  Report("batch tree: build + all inclusion paths", n, "leaves", BestSeconds([&] {
           const BatchTree tree(leaves);
           for (size_t i = 0; i < n; ++i) paths[i] = tree.InclusionPath(i).value();
         }));

  const std::string root = BatchTree(leaves).root();
  size_t failures = 0;
  Report("inclusion proof verification", n, "proofs", BestSeconds([&] {
           for (size_t i = 0; i < n; ++i) {
             if (!VerifyInclusion(leaves[i], i, n, paths[i], root).ok()) ++failures;
           }
         }));

  std::string range_root;
  Report("compact range: append all + root", n, "leaves", BestSeconds([&] {
           CompactRange range;
           for (const std::string& leaf : leaves) range.Append(leaf);
           range_root = range.Root();
         }));

  if (failures != 0 || range_root != root) {
    fmt::print(stderr, "inconsistent results: {} failed verifications, roots {}\n", failures,
               range_root == root ? "equal" : "differ");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace truc::merkle

int main(int argc, char** argv) {
  const size_t leaves = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000;
  if (leaves == 0) {
    fmt::print(stderr, "usage: {} [leaves > 0]\n", argv[0]);
    return 2;
  }
  return truc::merkle::Run(leaves);
}
