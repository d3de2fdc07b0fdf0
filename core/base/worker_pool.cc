#include "core/base/worker_pool.h"

#include <pthread.h>

namespace truc {

WorkerPool::WorkerPool(int threads, size_t max_queue, std::string name)
    : max_threads_(static_cast<size_t>(std::max(1, threads))),
      max_queue_(max_queue),
      name_(std::move(name)) {}

WorkerPool::~WorkerPool() { Shutdown(); }

bool WorkerPool::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (shutting_down_ || (max_queue_ != 0 && queue_.size() >= max_queue_)) return false;
    queue_.push_back(std::move(task));
    // A thread more while tasks wait that no idle thread will take, up to the limit.
    if (queue_.size() > idle_ && threads_.size() < max_threads_) {
      threads_.emplace_back([this] {
        pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
        Run();
      });
    }
  }
  ready_.notify_one();
  return true;
}

void WorkerPool::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) return;
    shutting_down_ = true;
  }
  ready_.notify_all();
  // No thread is added once shutting down: threads_ is no longer written.
  for (std::thread& thread : threads_) thread.join();
}

void WorkerPool::Run() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      ++idle_;
      ready_.wait(lock, [this] { return shutting_down_ || !queue_.empty(); });
      --idle_;
      if (queue_.empty()) return;  // Shutting down with nothing left to run.
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace truc
