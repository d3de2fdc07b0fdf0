// Driving gRPC's asynchronous API with threads of our own.
//
// gRPC's callback API (1.51, as Debian ships it) hands completions to two "nexting" threads that
// sleep 100 ms whenever the queue was idle for a second, so that a call arriving then waits that
// long; and its synchronous server makes a thread per call in flight. Our servers and clients use
// the completion-queue API instead: each operation is started with a CompletionTag, and a few
// threads of ours (CompletionQueueThreads) take completed operations off the queue and run them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

namespace truc::rpc {

// What is given to gRPC as the tag of an operation; Completed runs once, on a queue thread, when
// the operation finishes (`ok` false when it failed or the call or queue is going away).
class CompletionTag {
 public:
  virtual ~CompletionTag() = default;
  virtual void Completed(bool ok) = 0;
};

// A tag that runs a function once, then deletes itself.
class OnceTag final : public CompletionTag {
 public:
  explicit OnceTag(std::function<void(bool)> run) : run_(std::move(run)) {}
  void Completed(bool ok) override {
    run_(ok);
    delete this;
  }

 private:
  std::function<void(bool)> run_;
};

// Threads that run the tags of `queue` as their operations complete. Thread-safe.
class CompletionQueueThreads {
 public:
  // `queue` must outlive this. `name` names the threads (up to 15 characters show).
  CompletionQueueThreads(grpc::CompletionQueue& queue, int threads, const std::string& name);
  CompletionQueueThreads(const CompletionQueueThreads&) = delete;
  CompletionQueueThreads& operator=(const CompletionQueueThreads&) = delete;
  // Shutdown().
  ~CompletionQueueThreads();

  // Shuts the queue down and joins the threads once every tag has run. Operations still pending
  // must complete first (a server must be shut down and its calls finished, a client's calls
  // finished or cancelled). Idempotent.
  void Shutdown();

 private:
  grpc::CompletionQueue& queue_;
  std::mutex mu_;
  bool shut_down_ = false;  // Guarded by mu_.
  std::vector<std::thread> threads_;
};

// Counts operations in flight so that their owner can wait for all of them to end before it
// shuts a queue down. Thread-safe.
class InFlight {
 public:
  void Begin();
  void End();
  // Returns once nothing is in flight.
  void WaitIdle();

 private:
  std::mutex mu_;
  std::condition_variable idle_;
  int64_t count_ = 0;  // Guarded by mu_.
};

}  // namespace truc::rpc
