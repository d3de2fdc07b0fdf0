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

namespace truc::rpc {

// A server's completion queue and the threads that serve it, for its asynchronous methods.
class ServerQueue {
 public:
  // `threads` threads named `name` serve `queue` (a ListeningServer's).
  ServerQueue(std::unique_ptr<grpc::ServerCompletionQueue> queue, int threads,
              const std::string& name);
  // Stop().
  ~ServerQueue();
  ServerQueue(const ServerQueue&) = delete;
  ServerQueue& operator=(const ServerQueue&) = delete;

  grpc::ServerCompletionQueue* queue() { return queue_.get(); }
  InFlight& calls() { return calls_; }

  // Waits until every call has ended (the server's Shutdown must have been called: it completes
  // the calls asked for ahead), then stops the threads. Idempotent.
  void Stop();

 private:
  std::unique_ptr<grpc::ServerCompletionQueue> queue_;
  InFlight calls_;
  CompletionQueueThreads threads_;  // Last: they run the calls' tags.
};

// How an asynchronous unary method is served: `ask` asks the server for its next call (the
// generated AsyncService::RequestX, bound to the service), `handle` handles one, answering
// through `reply` exactly once, from any thread.
template <typename Request, typename Response>
struct UnaryMethod {
  using Responder = grpc::ServerAsyncResponseWriter<Response>;
  using Ask = std::function<void(grpc::ServerContext*, Request*, Responder*,
                                 grpc::ServerCompletionQueue*, void* tag)>;
  using Reply = std::function<void(grpc::Status, Response*)>;
  using Handle = std::function<void(grpc::ServerContext&, const Request&, Reply)>;
  Ask ask;
  Handle handle;
};

namespace internal {

// One call of a UnaryMethod, from the moment it is asked for to its answer's completion. Counts
// as one of the queue's calls all along, so that ServerQueue::Stop waits for it.
template <typename Request, typename Response>
class UnaryCall final : public CompletionTag {
 public:
  using Method = UnaryMethod<Request, Response>;

  UnaryCall(std::shared_ptr<const Method> method, ServerQueue& queue)
      : method_(std::move(method)), queue_(queue), responder_(&context_) {
    queue_.calls().Begin();
    method_->ask(&context_, &request_, &responder_, queue_.queue(), this);
  }
  ~UnaryCall() override { queue_.calls().End(); }

  void Completed(bool ok) override {
    if (answered_ || !ok) {  // The answer went out, or the server stopped before a call came.
      delete this;
      return;
    }
    new UnaryCall(method_, queue_);  // Ask for the next call.
    method_->handle(context_, request_, [this](grpc::Status status, Response* response) {
      answered_ = true;
      if (status.ok()) {
        responder_.Finish(*response, status, this);
      } else {
        responder_.FinishWithError(status, this);
      }
    });
  }

 private:
  const std::shared_ptr<const Method> method_;
  ServerQueue& queue_;
  grpc::ServerContext context_;
  Request request_;
  typename Method::Responder responder_;
  bool answered_ = false;
};

}  // namespace internal

// Starts serving `method` on `queue`, with `ahead` calls asked for in advance (so that calls
// arriving together need not wait for each other). Call before the first call can arrive
// completes nothing early: calls wait in the server until asked for.
template <typename Request, typename Response>
void ServeUnary(ServerQueue& queue, UnaryMethod<Request, Response> method, int ahead) {
  auto shared = std::make_shared<const UnaryMethod<Request, Response>>(std::move(method));
  for (int i = 0; i < ahead; ++i) new internal::UnaryCall<Request, Response>(shared, queue);
}

}  // namespace truc::rpc
