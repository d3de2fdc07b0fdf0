// The io_context behind an EventLoop, for core/net's servers and clients.
#pragma once

#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/net/event_loop.h"

namespace truc::net {

struct EventLoop::Impl {
  explicit Impl(int concurrency) : io(concurrency) {}

  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{
      io.get_executor()};
  std::vector<std::thread> threads;
};

}  // namespace truc::net
