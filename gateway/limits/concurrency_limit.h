// Bounds how many requests a gateway works on at once.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <utility>

namespace truc::gateway::limits {

// At most `max_in_flight` permits exist at a time. Thread-safe and lock-free.
class ConcurrencyLimit {
 public:
  // The right to work on one request, given back when destroyed. Move-only; the limit that issued
  // it must outlive it.
  class Permit {
   public:
    Permit(Permit&& other) noexcept : limit_(std::exchange(other.limit_, nullptr)) {}
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { Release(); }

   private:
    friend class ConcurrencyLimit;
    explicit Permit(ConcurrencyLimit* limit) : limit_(limit) {}
    void Release();

    ConcurrencyLimit* limit_;  // Null once moved from.
  };

  explicit ConcurrencyLimit(size_t max_in_flight) : max_in_flight_(max_in_flight) {}

  // A permit, or nullopt when `max_in_flight` are held; the caller answers that with an error of
  // its own side (e.g. Server.ClientProxy.TooManyRequests).
  std::optional<Permit> TryAcquire();

  size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  size_t max_in_flight() const { return max_in_flight_; }

 private:
  const size_t max_in_flight_;
  std::atomic<size_t> in_flight_{0};
};

}  // namespace truc::gateway::limits
