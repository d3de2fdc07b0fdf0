// The storage seam: an ordered key-value store with atomic, durable batches. RocksDB in
// production (rocksdb_store.h), an in-memory map in unit tests (memory_store.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/status.h"

namespace truc::storage {

// A set of writes applied all together or not at all.
class WriteBatch {
 public:
  void Put(std::string key, std::string value) {
    ops_.push_back({std::move(key), std::move(value)});
  }
  void Delete(std::string key) { ops_.push_back({std::move(key), std::nullopt}); }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }

  struct Op {
    std::string key;
    std::optional<std::string> value;  // nullopt: delete.
  };
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
};

// Thread-safe. Keys are ordered bytewise.
class KeyValueStore {
 public:
  virtual ~KeyValueStore() = default;

  // The value, or nullopt when the key is absent.
  virtual StatusOr<std::optional<std::string>> Get(std::string_view key) const = 0;

  // Applies `batch` atomically. When `sync` is set, returns only once the batch is durable
  // (survives a power cut); errors such as a full disk are returned and nothing is applied.
  virtual Status Write(const WriteBatch& batch, bool sync) = 0;

  // Calls `visit(key, value)` for every key starting with `prefix`, in order, beginning at
  // `start` (a key >= prefix; empty: the first key of the prefix). Stops early when `visit`
  // returns false.
  virtual Status Scan(
      std::string_view prefix, std::string_view start,
      const std::function<bool(std::string_view, std::string_view)>& visit) const = 0;

  // Whether a Write that stores something would be refused for lack of space now (the error it
  // would return), so that work whose outcome must be stored is not started. Cheap.
  virtual Status CheckSpace() const { return OkStatus(); }
};

}  // namespace truc::storage
