#include "core/merkle/tree.h"

#include <bit>
#include <utility>

#include <fmt/format.h>

#include "core/merkle/compact_range.h"
#include "core/merkle/hash.h"

namespace truc::merkle {
namespace {

// The leaves [begin, end) of a tree.
struct Range {
  uint64_t begin;
  uint64_t end;
};

// Where RFC 9162 splits a tree of n >= 2 leaves: the largest power of two smaller than n.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// A SubtreeHashFn over leaf hashes in memory; valid as long as `leaf_hashes` is.
SubtreeHashFn InMemory(std::span<const std::string> leaf_hashes) {
  return [leaf_hashes](uint64_t begin, uint64_t end) -> StatusOr<std::string> {
    return RootFromLeafHashes(leaf_hashes.subspan(begin, end - begin));
  };
}

// The hashes of `ranges` in reverse order: the generators find proof nodes from the root down,
// proofs list them from the leaf up.
StatusOr<std::vector<std::string>> HashesLeafFirst(const std::vector<Range>& ranges,
                                                   const SubtreeHashFn& subtree_hash) {
  std::vector<std::string> hashes;
  hashes.reserve(ranges.size());
  for (auto it = ranges.rbegin(); it != ranges.rend(); ++it) {
    TRUC_ASSIGN_OR_RETURN(std::string hash, subtree_hash(it->begin, it->end));
    hashes.push_back(std::move(hash));
  }
  return hashes;
}

}  // namespace

std::string RootFromLeafHashes(std::span<const std::string> leaf_hashes) {
  CompactRange range;
  for (const std::string& leaf_hash : leaf_hashes) range.Append(leaf_hash);
  return range.Root();
}

SubtreeHashFn SubtreeHashFromLeaves(LeafHashRangeFn leaf_hashes) {
  return [fetch = std::move(leaf_hashes)](uint64_t begin, uint64_t end) -> StatusOr<std::string> {
    TRUC_ASSIGN_OR_RETURN(std::vector<std::string> hashes, fetch(begin, end));
    if (hashes.size() != end - begin) {
      return BadLeafRangeError(fmt::format("asked for the {} leaf hashes of [{}, {}), got {}",
                                           end - begin, begin, end, hashes.size()));
    }
    return RootFromLeafHashes(hashes);
  };
}

StatusOr<std::vector<std::string>> InclusionPath(uint64_t leaf_index, uint64_t tree_size,
                                                 const SubtreeHashFn& subtree_hash) {
  if (leaf_index >= tree_size) {
    return OutOfRangeError(
        fmt::format("leaf index {} is outside a tree of size {}", leaf_index, tree_size));
  }
  // RFC 9162 2.1.3.1, PATH(m, D[n]): descend from the root towards the leaf, collecting the
  // sibling of every subtree on the way.
  std::vector<Range> siblings;
  Range node{0, tree_size};
  while (node.end - node.begin > 1) {
    const uint64_t split = node.begin + SplitPoint(node.end - node.begin);
    if (leaf_index < split) {
      siblings.push_back({split, node.end});
      node.end = split;
    } else {
      siblings.push_back({node.begin, split});
      node.begin = split;
    }
  }
  return HashesLeafFirst(siblings, subtree_hash);
}

StatusOr<std::vector<std::string>> InclusionPath(uint64_t leaf_index,
                                                 std::span<const std::string> leaf_hashes) {
  return InclusionPath(leaf_index, leaf_hashes.size(), InMemory(leaf_hashes));
}

StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t first_size, uint64_t second_size,
                                                    const SubtreeHashFn& subtree_hash) {
  if (first_size > second_size) {
    return OutOfRangeError(
        fmt::format("no consistency proof from tree size {} back to {}", first_size, second_size));
  }
  if (first_size == 0 || first_size == second_size) return std::vector<std::string>();
  // RFC 9162 2.1.4.1, SUBPROOF(m, D[n], b), unrolled: descend until the node is the first
  // tree's last full subtree. `is_first_root` is b: whether that node is the whole first tree,
  // whose root the verifier already has.
  std::vector<Range> nodes;
  Range node{0, second_size};
  bool is_first_root = true;
  while (node.end != first_size) {
    const uint64_t split = node.begin + SplitPoint(node.end - node.begin);
    if (first_size <= split) {
      nodes.push_back({split, node.end});
      node.end = split;
    } else {
      nodes.push_back({node.begin, split});
      node.begin = split;
      is_first_root = false;
    }
  }
  if (!is_first_root) nodes.push_back(node);
  return HashesLeafFirst(nodes, subtree_hash);
}

StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t first_size,
                                                    std::span<const std::string> leaf_hashes) {
  return ConsistencyProof(first_size, leaf_hashes.size(), InMemory(leaf_hashes));
}

}  // namespace truc::merkle
