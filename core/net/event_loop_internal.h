// The io_contexts behind an EventLoop, for core/net's servers and clients.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/net/event_loop.h"

namespace truc::net {

// One io_context per thread: a connection lives on one thread, so that the steps of its work
// handed from one handler to the next never wake another thread, and the threads never contend
// for one scheduler's queue.
struct EventLoop::Impl {
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  explicit Impl(int count) {
    for (int i = 0; i < count; ++i) {
      contexts.push_back(std::make_unique<boost::asio::io_context>(1));
      work.emplace_back(contexts.back()->get_executor());
    }
  }

  // The context for a new connection: the calling thread's own when it is one of this loop's
  // (a backend called while a request is handled stays on the request's thread), else each in
  // turn.
  boost::asio::io_context& Pick() {
    if (current != nullptr) {
      for (const auto& context : contexts) {
        if (context.get() == current) return *current;
      }
    }
    return RoundRobin();
  }
  boost::asio::io_context& RoundRobin() {
    return *contexts[next.fetch_add(1, std::memory_order_relaxed) % contexts.size()];
  }
  // The context the calling thread runs, if it is a loop's thread.
  static inline thread_local boost::asio::io_context* current = nullptr;

  std::vector<std::unique_ptr<boost::asio::io_context>> contexts;
  std::vector<WorkGuard> work;
  std::vector<std::thread> threads;
  std::atomic<size_t> next{0};
};

}  // namespace truc::net
