#include "core/merkle/batch_tree.h"

#include <utility>

#include <fmt/format.h>

#include "core/merkle/hash.h"

namespace truc::merkle {

BatchTree::BatchTree(std::vector<std::string> leaf_hashes) {
  levels_.push_back(std::move(leaf_hashes));
  while (levels_.back().size() > 1) {
    const std::vector<std::string>& below = levels_.back();
    std::vector<std::string> above;
    above.reserve((below.size() + 1) / 2);
    for (size_t i = 0; i + 1 < below.size(); i += 2) {
      above.push_back(HashChildren(below[i], below[i + 1]));
    }
    if (below.size() % 2 == 1) above.push_back(below.back());
    levels_.push_back(std::move(above));
  }
  root_ = levels_.back().empty() ? EmptyRoot() : levels_.back().front();
}

StatusOr<std::vector<std::string>> BatchTree::InclusionPath(uint64_t leaf_index) const {
  if (leaf_index >= size()) {
    return OutOfRangeError(
        fmt::format("leaf index {} is outside a batch of {}", leaf_index, size()));
  }
  std::vector<std::string> path;
  path.reserve(levels_.size() - 1);
  uint64_t index = leaf_index;
  for (size_t level = 0; level + 1 < levels_.size(); ++level, index /= 2) {
    // A node without a sibling was carried up unchanged and adds nothing to the path.
    const uint64_t sibling = index ^ 1;
    if (sibling < levels_[level].size()) path.push_back(levels_[level][sibling]);
  }
  return path;
}

}  // namespace truc::merkle
