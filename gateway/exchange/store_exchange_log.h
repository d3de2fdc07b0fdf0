// An ExchangeLog that appends each record to a KeyValueStore with a synchronous write: durable
// before Append returns (RocksDB groups the fsyncs of concurrent appends into one).
#pragma once

#include <memory>
#include <mutex>

#include "core/storage/key_value_store.h"
#include "gateway/exchange/exchange_log.h"
#include "truc/v1/audit.pb.h"

namespace truc::gateway {

class StoreExchangeLog final : public ExchangeLog {
 public:
  // Continues after the last record in `store`, which must outlive the log.
  static StatusOr<std::unique_ptr<StoreExchangeLog>> Open(storage::KeyValueStore& store);

  Status Append(const ExchangeRecord& record) override;

  // Calls `visit` with each record from `first_sequence` on, in order, until it returns false.
  Status Read(uint64_t first_sequence,
              const std::function<bool(const v1::ExchangeRecord&)>& visit) const;

  // The number of records appended so far.
  uint64_t size() const;

 private:
  StoreExchangeLog(storage::KeyValueStore& store, uint64_t next)
      : store_(store), next_sequence_(next) {}

  storage::KeyValueStore& store_;
  mutable std::mutex mu_;
  uint64_t next_sequence_;  // Guarded by mu_.
};

}  // namespace truc::gateway
