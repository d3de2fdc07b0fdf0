// KeyValueStore in memory, for unit tests and tools. Writes can be made to fail on demand, to
// test how callers handle a full disk.
#pragma once

#include <map>
#include <mutex>

#include "core/storage/key_value_store.h"

namespace truc::storage {

class MemoryStore final : public KeyValueStore {
 public:
  StatusOr<std::optional<std::string>> Get(std::string_view key) const override;
  Status Write(const WriteBatch& batch, bool sync) override;
  Status Scan(std::string_view prefix, std::string_view start,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override;

  // Every following Write fails with `status` (OK to heal).
  void FailWrites(Status status);

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> data_;  // Guarded by mu_.
  Status write_failure_;                                  // Guarded by mu_.
};

}  // namespace truc::storage
