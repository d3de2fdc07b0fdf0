#include "core/merkle/compact_range.h"

#include <bit>
#include <utility>

#include <fmt/format.h>

#include "core/merkle/hash.h"

namespace truc::merkle {

StatusOr<CompactRange> CompactRange::FromFrontier(uint64_t size,
                                                  std::vector<std::string> frontier) {
  const auto expected = static_cast<size_t>(std::popcount(size));
  if (frontier.size() != expected) {
    return BadHashError(fmt::format("a tree of size {} has {} frontier hashes, not {}", size,
                                    expected, frontier.size()));
  }
  for (size_t i = 0; i < frontier.size(); ++i) {
    if (frontier[i].size() != kHashSize) {
      return BadHashError(
          fmt::format("frontier hash {} has {} bytes, not {}", i, frontier[i].size(), kHashSize));
    }
  }
  return CompactRange(size, std::move(frontier));
}

void CompactRange::Append(std::string leaf_hash, std::vector<std::string>* completed) {
  if (completed != nullptr) completed->assign(1, leaf_hash);
  frontier_.push_back(std::move(leaf_hash));
  // Each trailing one bit of the old size is a subtree as large as the one just completed.
  for (uint64_t carry = size_; carry & 1; carry >>= 1) {
    std::string merged = HashChildren(frontier_[frontier_.size() - 2], frontier_.back());
    frontier_.pop_back();
    frontier_.back() = std::move(merged);
    if (completed != nullptr) completed->push_back(frontier_.back());
  }
  ++size_;
}

std::string CompactRange::Root() const {
  if (frontier_.empty()) return EmptyRoot();
  std::string root = frontier_.back();
  for (size_t i = frontier_.size() - 1; i-- > 0;) root = HashChildren(frontier_[i], root);
  return root;
}

}  // namespace truc::merkle
