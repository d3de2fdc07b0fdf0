#include "core/net/event_loop.h"

#include <algorithm>

#include <pthread.h>

#include "core/net/event_loop_internal.h"

namespace truc::net {

EventLoop::EventLoop(int threads, const std::string& name)
    : impl_(std::make_unique<Impl>(std::max(1, threads))) {
  for (const auto& context : impl_->contexts) {
    impl_->threads.emplace_back([io = context.get()] {
      Impl::current = io;
      io->run();
    });
    pthread_setname_np(impl_->threads.back().native_handle(), name.substr(0, 15).c_str());
  }
}

EventLoop::~EventLoop() { Stop(); }

void EventLoop::Stop() {
  if (impl_->work.empty()) return;
  impl_->work.clear();
  // What is still queued belongs to connections that were closed: it ends quickly. Connections
  // abandoned by a server's Stop (a handler that never answered) must not hold the threads.
  for (const auto& context : impl_->contexts) context->stop();
  for (std::thread& thread : impl_->threads) thread.join();
}

}  // namespace truc::net
