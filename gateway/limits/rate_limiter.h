// Limits how fast each client may send requests: one token bucket per client.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/base/clock.h"
#include "core/base/status.h"

namespace truc::gateway::limits {

// Each client's bucket holds up to `burst` tokens and refills at `requests_per_second`; a request
// takes one token. A client that sent nothing for long enough to refill its bucket has nothing to
// remember, so such buckets are pruned: memory is bounded by the clients active in the last
// burst / requests_per_second seconds. Thread-safe; each Admit takes O(log n) time for n tracked
// clients, plus the pruning (amortised O(log n) per bucket). A clock that steps back refills
// nothing.
class RateLimiter {
 public:
  // InvalidArgument unless `requests_per_second` is positive and finite and `burst` at least 1.
  // `clock` must outlive the limiter.
  static StatusOr<std::unique_ptr<RateLimiter>> Create(double requests_per_second, double burst,
                                                       const Clock& clock);

  // Takes a token from `client`'s bucket. Server.ServerProxy.TooManyRequests when it is empty,
  // saying when the next token comes.
  Status Admit(std::string_view client);

  // How many client buckets are held; those that have refilled go at the next Admit.
  size_t tracked_clients() const;

 private:
  // Clients by the time their bucket was last updated; the names point into buckets_.
  using UpdateIndex = std::multimap<TimePoint, std::string_view>;
  struct Bucket {
    double tokens;
    UpdateIndex::iterator updated;  // The bucket's entry in by_update_.
  };

  RateLimiter(double requests_per_second, double burst, const Clock& clock)
      : requests_per_second_(requests_per_second), burst_(burst), clock_(clock) {}

  // Drops the buckets that have refilled by `now`.
  void PruneLocked(TimePoint now);

  const double requests_per_second_;
  const double burst_;
  const Clock& clock_;

  mutable std::mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_;  // Guarded by mu_.
  UpdateIndex by_update_;                               // Guarded by mu_. One per bucket.
};

}  // namespace truc::gateway::limits
