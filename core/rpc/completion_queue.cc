#include "core/rpc/completion_queue.h"

#include <pthread.h>

namespace truc::rpc {

CompletionQueueThreads::CompletionQueueThreads(grpc::CompletionQueue& queue, int threads,
                                               const std::string& name)
    : queue_(queue) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      void* tag = nullptr;
      bool ok = false;
      while (queue_.Next(&tag, &ok)) static_cast<CompletionTag*>(tag)->Completed(ok);
    });
    pthread_setname_np(threads_.back().native_handle(), name.substr(0, 15).c_str());
  }
}

CompletionQueueThreads::~CompletionQueueThreads() { Shutdown(); }

void CompletionQueueThreads::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  queue_.Shutdown();
  for (std::thread& thread : threads_) thread.join();
}

void InFlight::Begin() {
  std::lock_guard lock(mu_);
  ++count_;
}

void InFlight::End() {
  std::lock_guard lock(mu_);
  if (--count_ == 0) idle_.notify_all();
}

void InFlight::WaitIdle() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return count_ == 0; });
}

}  // namespace truc::rpc

namespace truc::rpc {

ServerQueue::ServerQueue(std::unique_ptr<grpc::ServerCompletionQueue> queue, int threads,
                         const std::string& name)
    : queue_(std::move(queue)), threads_(*queue_, threads, name) {}

ServerQueue::~ServerQueue() { Stop(); }

void ServerQueue::Stop() {
  calls_.WaitIdle();
  threads_.Shutdown();
}

}  // namespace truc::rpc
