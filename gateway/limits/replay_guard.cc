#include "gateway/limits/replay_guard.h"

#include <fmt/format.h>

#include "gateway/errors.h"

namespace truc::gateway::limits {

StatusOr<std::unique_ptr<ReplayGuard>> ReplayGuard::Create(
    std::chrono::system_clock::duration window, const Clock& clock, size_t max_entries) {
  if (window <= std::chrono::system_clock::duration::zero()) {
    return InvalidArgumentError("the replay window must be positive");
  }
  if (max_entries == 0) return InvalidArgumentError("the replay guard must hold at least one id");
  return std::unique_ptr<ReplayGuard>(new ReplayGuard(window, clock, max_entries));
}

Status ReplayGuard::Admit(std::string_view client, std::string_view message_id) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mu_);
  ExpireLocked(now);
  Key key(client, message_id);
  if (admitted_.contains(key)) {
    return ServerProxyError(
        error_code::kDuplicateMessageId,
        fmt::format("client {} already sent message id '{}' in the last {:g} s", client, message_id,
                    std::chrono::duration<double>(window_).count()));
  }
  if (admitted_.size() >= max_entries_) {
    return ServerProxyError(
        error_code::kTooManyRequests,
        fmt::format("{} message ids of the last {:g} s are remembered, the "
                    "most this gateway watches for replays",
                    max_entries_, std::chrono::duration<double>(window_).count()));
  }
  by_time_.emplace(now, admitted_.insert(std::move(key)).first);
  return OkStatus();
}

size_t ReplayGuard::size() const {
  std::lock_guard lock(mu_);
  return admitted_.size();
}

void ReplayGuard::ExpireLocked(TimePoint now) {
  while (!by_time_.empty() && by_time_.begin()->first <= now - window_) {
    admitted_.erase(by_time_.begin()->second);
    by_time_.erase(by_time_.begin());
  }
}

}  // namespace truc::gateway::limits
