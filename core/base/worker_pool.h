// A fixed set of threads running submitted tasks in FIFO order. This is where blocking work goes
// (fsync, signing, calls to remote services) so that I/O threads never block.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace truc {

// Thread-safe. Tasks must not throw.
class WorkerPool {
 public:
  // `max_queue` bounds the tasks waiting to run (0: unbounded), so that overload is refused
  // instead of queued without end.
  // The threads are named `name` (up to 15 characters show in ps, top and perf). They are
  // started as tasks need them, up to `threads` (at least one): a pool for rare work (gRPC
  // backends, where a gateway may have none) costs nothing until used.
  explicit WorkerPool(int threads, size_t max_queue = 0, std::string name = "worker");
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  // Runs what is queued, then joins the threads.
  ~WorkerPool();

  // Queues `task`. Returns false (and drops it) when the queue is full or the pool shut down.
  [[nodiscard]] bool Submit(std::function<void()> task);

  // Refuses new tasks, runs those already queued and joins the threads. Idempotent.
  void Shutdown();

 private:
  void Run();

  const size_t max_threads_;
  const size_t max_queue_;
  const std::string name_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;  // Guarded by mu_.
  bool shutting_down_ = false;               // Guarded by mu_.
  size_t idle_ = 0;                          // Threads waiting for a task; guarded by mu_.
  std::vector<std::thread> threads_;         // Guarded by mu_ until shutting down.
};

}  // namespace truc
