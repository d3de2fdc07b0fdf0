#include "core/storage/memory_store.h"

namespace truc::storage {

StatusOr<std::optional<std::string>> MemoryStore::Get(std::string_view key) const {
  std::lock_guard lock(mu_);
  const auto it = data_.find(key);
  if (it == data_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryStore::Write(const WriteBatch& batch, bool /*sync*/) {
  std::lock_guard lock(mu_);
  if (!write_failure_.ok()) return write_failure_;
  for (const WriteBatch::Op& op : batch.ops()) {
    if (op.value) {
      data_[op.key] = *op.value;
    } else {
      data_.erase(op.key);
    }
  }
  return OkStatus();
}

Status MemoryStore::Scan(
    std::string_view prefix, std::string_view start,
    const std::function<bool(std::string_view, std::string_view)>& visit) const {
  std::lock_guard lock(mu_);
  for (auto it = data_.lower_bound(start.empty() ? prefix : start); it != data_.end(); ++it) {
    if (!std::string_view(it->first).starts_with(prefix)) break;
    if (!visit(it->first, it->second)) break;
  }
  return OkStatus();
}

void MemoryStore::FailWrites(Status status) {
  std::lock_guard lock(mu_);
  write_failure_ = std::move(status);
}

}  // namespace truc::storage
