// A thread that runs a task at a fixed interval until it is stopped: the shape of every
// background duty of the daemons (sealing tree heads, archiving the audit log).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace truc {

// Thread-safe. Destroying it stops the thread.
class PeriodicThread {
 public:
  PeriodicThread() = default;
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;
  ~PeriodicThread() { Stop(); }

  // Starts a thread that calls `task` every `interval` (real time), the first call one interval
  // from now. Does nothing if the thread runs.
  void Start(std::chrono::milliseconds interval, std::function<void()> task);
  // Stops the thread, waiting for a call of the task in progress. Does nothing if none runs; it
  // may be started again.
  void Stop();

 private:
  std::mutex lifecycle_mu_;  // Serializes Start and Stop.
  std::thread thread_;       // Guarded by lifecycle_mu_.
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // Guarded by mu_.
};

}  // namespace truc
