// The seam between the gateways' exchange paths and the audit log: every exchange, with both its
// messages and their signatures, is handed over before the response reaches the caller.
#pragma once

#include <functional>
#include <future>
#include <optional>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "truc/v1/gateway_exchange.pb.h"

namespace truc::gateway {

// One exchange as one gateway saw it.
struct ExchangeRecord {
  enum class Side { kConsumer, kProvider };
  Side side = Side::kConsumer;
  // The request as sent (consumer) or received (provider), with its evidence and signature.
  v1::ExchangeMessage request;
  // The response, when there is one; absent when the exchange failed before it.
  std::optional<v1::ExchangeMessage> response;
  // OK, or the failure the caller is told about (its reason is the X-Road type).
  Status outcome;
  TimePoint started;
  TimePoint finished;
};

// Thread-safe implementations only.
class ExchangeLog {
 public:
  virtual ~ExchangeLog() = default;
  using Done = std::function<void(Status)>;
  // Takes what it needs of `record` before returning, then calls `done` once it is durable, on
  // any thread (`done` must be quick and must not block). An error means it may not be durable:
  // the exchange must then fail with LoggingFailed, for no exchange may succeed unlogged.
  virtual void AppendAsync(const ExchangeRecord& record, Done done) = 0;
  // As AppendAsync, but the bodies of `record`'s messages may be lent to the log rather than
  // copied: the caller must not touch them until `done` is called, when they are back in place.
  // For large bodies, one copy less while the exchange is logged.
  virtual void AppendLendingBodies(ExchangeRecord& record, Done done) {
    AppendAsync(record, std::move(done));
  }
  // AppendAsync, returning once `done` would be called.
  Status Append(const ExchangeRecord& record) {
    std::promise<Status> durable;
    std::future<Status> result = durable.get_future();
    AppendAsync(record, [&durable](Status status) { durable.set_value(std::move(status)); });
    return result.get();
  }
  // OK when exchanges may go ahead; an error (e.g. records overdue for a timestamp) makes the
  // gateway refuse new exchanges with LoggingFailed until it clears. Cheap: no I/O.
  virtual Status Ready() const = 0;
};

}  // namespace truc::gateway
