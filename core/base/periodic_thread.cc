#include "core/base/periodic_thread.h"

namespace truc {

void PeriodicThread::Start(std::chrono::milliseconds interval, std::function<void()> task) {
  std::lock_guard lifecycle(lifecycle_mu_);
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this, interval, task = std::move(task)] {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
      lock.unlock();
      task();
      lock.lock();
    }
  });
}

void PeriodicThread::Stop() {
  std::lock_guard lifecycle(lifecycle_mu_);
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

}  // namespace truc
