#include "gateway/limits/concurrency_limit.h"

namespace truc::gateway::limits {

ConcurrencyLimit::Permit& ConcurrencyLimit::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    Release();
    limit_ = std::exchange(other.limit_, nullptr);
  }
  return *this;
}

void ConcurrencyLimit::Permit::Release() {
  if (limit_ != nullptr) limit_->in_flight_.fetch_sub(1, std::memory_order_release);
  limit_ = nullptr;
}

std::optional<ConcurrencyLimit::Permit> ConcurrencyLimit::TryAcquire() {
  size_t current = in_flight_.load(std::memory_order_relaxed);
  do {
    if (current >= max_in_flight_) return std::nullopt;
  } while (!in_flight_.compare_exchange_weak(current, current + 1, std::memory_order_acquire,
                                             std::memory_order_relaxed));
  return Permit(this);
}

}  // namespace truc::gateway::limits
