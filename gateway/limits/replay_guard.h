// Refuses a message id that a client has already used recently, so that a captured request
// cannot be replayed while it is fresh.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "core/base/clock.h"
#include "core/base/status.h"

namespace truc::gateway::limits {

// Remembers each (client, message id) pair it admits for `window`. Thread-safe; each Admit takes
// O(log n) time for n remembered pairs, plus the expiry of old pairs (amortised O(log n) each).
// Memory: at most `max_entries` pairs, each as large as its client key and message id (the HTTP
// layer bounds those).
class ReplayGuard {
 public:
  // InvalidArgument unless `window` is positive and `max_entries` at least 1. `clock` must outlive
  // the guard.
  static StatusOr<std::unique_ptr<ReplayGuard>> Create(std::chrono::system_clock::duration window,
                                                       const Clock& clock, size_t max_entries);

  // Admits `message_id` from `client` and remembers the pair until `window` has passed.
  // Server.ServerProxy.DuplicateMessageId when the pair was admitted less than `window` ago.
  // Server.ServerProxy.TooManyRequests when `max_entries` pairs inside the window are already
  // remembered: the guard refuses rather than forget an id it promised to watch.
  Status Admit(std::string_view client, std::string_view message_id);

  // How many pairs are remembered now (expired ones included until the next Admit).
  size_t size() const;

 private:
  using Key = std::pair<std::string, std::string>;  // Client, message id.

  ReplayGuard(std::chrono::system_clock::duration window, const Clock& clock, size_t max_entries)
      : window_(window), clock_(clock), max_entries_(max_entries) {}

  // Forgets the pairs admitted at or before `now - window_`.
  void ExpireLocked(TimePoint now);

  const std::chrono::system_clock::duration window_;
  const Clock& clock_;
  const size_t max_entries_;

  mutable std::mutex mu_;
  std::set<Key> admitted_;                                     // Guarded by mu_.
  std::multimap<TimePoint, std::set<Key>::iterator> by_time_;  // Guarded by mu_. One per pair.
};

}  // namespace truc::gateway::limits
