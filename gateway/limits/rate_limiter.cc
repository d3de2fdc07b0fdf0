#include "gateway/limits/rate_limiter.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "gateway/errors.h"

namespace truc::gateway::limits {
namespace {

double SecondsBetween(TimePoint earlier, TimePoint later) {
  return std::max(0.0, std::chrono::duration<double>(later - earlier).count());
}

}  // namespace

StatusOr<std::unique_ptr<RateLimiter>> RateLimiter::Create(double requests_per_second, double burst,
                                                           const Clock& clock) {
  if (!std::isfinite(requests_per_second) || requests_per_second <= 0) {
    return InvalidArgumentError(
        fmt::format("a rate limit must be a positive number of requests per second, not {}",
                    requests_per_second));
  }
  if (!std::isfinite(burst) || burst < 1) {
    return InvalidArgumentError(
        fmt::format("a rate limit's burst must allow at least one request, not {}", burst));
  }
  return std::unique_ptr<RateLimiter>(new RateLimiter(requests_per_second, burst, clock));
}

Status RateLimiter::Admit(std::string_view client) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mu_);
  PruneLocked(now);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    it = buckets_.emplace(std::string(client), Bucket{burst_, by_update_.end()}).first;
  } else {
    const TimePoint last = it->second.updated->first;
    it->second.tokens =
        std::min(burst_, it->second.tokens + SecondsBetween(last, now) * requests_per_second_);
    by_update_.erase(it->second.updated);
  }
  Bucket& bucket = it->second;
  bucket.updated = by_update_.emplace(now, it->first);
  if (bucket.tokens < 1) {
    return ServerProxyError(
        error_code::kTooManyRequests,
        fmt::format("client {} sent more than {:g} requests per second (bursts of {:g}); the next "
                    "is admitted in {:.0f} ms",
                    client, requests_per_second_, burst_,
                    std::ceil((1 - bucket.tokens) / requests_per_second_ * 1000)));
  }
  bucket.tokens -= 1;
  return OkStatus();
}

size_t RateLimiter::tracked_clients() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

void RateLimiter::PruneLocked(TimePoint now) {
  while (!by_update_.empty() &&
         SecondsBetween(by_update_.begin()->first, now) * requests_per_second_ >= burst_) {
    buckets_.erase(buckets_.find(by_update_.begin()->second));
    by_update_.erase(by_update_.begin());
  }
}

}  // namespace truc::gateway::limits
