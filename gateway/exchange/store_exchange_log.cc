#include "gateway/exchange/store_exchange_log.h"

#include <fmt/format.h>

#include "proto/timestamp_conversion.h"

namespace truc::gateway {
namespace {

constexpr std::string_view kPrefix = "exchange/";

// Fixed width, so that keys sort in sequence order.
std::string KeyOf(uint64_t sequence) { return fmt::format("{}{:020d}", kPrefix, sequence); }

}  // namespace

StatusOr<std::unique_ptr<StoreExchangeLog>> StoreExchangeLog::Open(storage::KeyValueStore& store) {
  uint64_t next = 0;
  // Records are few enough per gateway lifetime for a scan at start; the audit log replaces this
  // with a tree head holding the size.
  TRUC_RETURN_IF_ERROR(store.Scan(kPrefix, "", [&](std::string_view, std::string_view) {
    ++next;
    return true;
  }));
  return std::unique_ptr<StoreExchangeLog>(new StoreExchangeLog(store, next));
}

Status StoreExchangeLog::Append(const ExchangeRecord& record) {
  v1::ExchangeRecord stored;
  stored.set_side(record.side == ExchangeRecord::Side::kConsumer
                      ? v1::ExchangeRecord::SIDE_CONSUMER
                      : v1::ExchangeRecord::SIDE_PROVIDER);
  *stored.mutable_request() = record.request;
  if (record.response.has_value()) *stored.mutable_response() = *record.response;
  if (!record.outcome.ok()) {
    stored.set_error_type(record.outcome.reason());
    stored.set_error_message(record.outcome.message());
  }
  *stored.mutable_started() = proto::ToProtoTimestamp(record.started);
  *stored.mutable_finished() = proto::ToProtoTimestamp(record.finished);

  // Sequence numbers are assigned and written in order, so the log has no gaps even when a write
  // fails (the number is then reused by the next record).
  std::lock_guard lock(mu_);
  stored.set_sequence(next_sequence_);
  storage::WriteBatch batch;
  batch.Put(KeyOf(next_sequence_), stored.SerializeAsString());
  TRUC_RETURN_IF_ERROR(store_.Write(batch, /*sync=*/true));
  ++next_sequence_;
  return OkStatus();
}

Status StoreExchangeLog::Read(uint64_t first_sequence,
                              const std::function<bool(const v1::ExchangeRecord&)>& visit) const {
  Status parse_error;
  TRUC_RETURN_IF_ERROR(store_.Scan(
      kPrefix, KeyOf(first_sequence), [&](std::string_view key, std::string_view value) {
        v1::ExchangeRecord record;
        if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          parse_error = DataLossError(fmt::format("exchange log record {} is corrupt", key));
          return false;
        }
        return visit(record);
      }));
  return parse_error;
}

uint64_t StoreExchangeLog::size() const {
  std::lock_guard lock(mu_);
  return next_sequence_;
}

}  // namespace truc::gateway
