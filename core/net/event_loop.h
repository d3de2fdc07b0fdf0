// I/O threads that several HTTP servers and clients share (HttpServerOptions::loop,
// AsyncHttpClient's loop constructor), so that one step of an exchange handing work to the next
// on the same thread is a queue entry rather than a wake-up of another thread: a provider's
// gateway that reads a request from a peer calls the backend from the same thread, and reads its
// answer there too.
//
// Threading: one io_context per thread; a connection lives on one of them, the calling thread's
// when it is one of the loop's, else each in turn.
#pragma once

#include <memory>
#include <string>

namespace truc::net {

class EventLoop {
 public:
  // Starts `threads` threads (at least one), named `name` (at most 15 characters).
  EventLoop(int threads, const std::string& name);
  // Stop().
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Lets the threads finish what is queued and joins them. Call after every server and client
  // on the loop has stopped. Idempotent.
  void Stop();

  struct Impl;  // core/net's own (event_loop_internal.h).
  Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace truc::net
