// How the provider's gateway reaches the agency's own systems behind its services: REST backends
// over HTTP(S) (net::AsyncHttpClient, Boost.Beast: plain-HTTP connections are kept open) and
// gRPC backends through a generic stub, so that any gRPC service can be published without
// recompiling the gateway.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/grpcpp.h>

#include "core/base/status.h"
#include "core/base/worker_pool.h"
#include "core/net/http_client.h"
#include "gateway/exchange/service_call.h"

namespace truc::gateway {

struct Backend {
  enum class Kind { kRest, kGrpc };
  Kind kind = Kind::kRest;
  // REST: the base URL the service's paths are appended to, "http(s)://host[:port][/base]".
  // gRPC: "host:port" (plain HTTP/2; the backend sits in the agency's own network).
  std::string url;
  // Deadline of each call, connecting included.
  std::chrono::milliseconds timeout{30'000};
  // REST over https: the CA to verify the backend with, and the client certificate, if any.
  net::HttpClientOptions http;
};

// A backend's answer, whatever its status: backend errors pass through unchanged.
struct BackendAnswer {
  int status = 200;
  HeaderFields headers;
  std::string body;
};

// How the provider's side calls backends (a seam: tests use a fake). Thread-safe
// implementations only.
class BackendCaller {
 public:
  using Done = std::function<void(StatusOr<BackendAnswer>)>;
  virtual ~BackendCaller() = default;
  // Calls `backend` and calls `done` with its answer or the error, on any thread (`done` must
  // not block). Takes what it needs of its arguments before it returns. See BackendClient::Call.
  virtual void Call(const Backend& backend, const ServiceRequest& request,
                    const HeaderFields& x_road_headers, Done done) = 0;
};

// REST backends are called asynchronously (net::AsyncHttpClient: no thread waits on a
// backend); gRPC backends on a pool of `grpc_threads` threads.
class BackendClient final : public BackendCaller {
 public:
  // Reads no response body larger than `max_response_bytes` (ServiceFailed): the provider's
  // body limit, so that an oversized answer costs no more memory than an allowed one.
  explicit BackendClient(size_t max_response_bytes = 64 << 20, int http_threads = 1,
                         int grpc_threads = 4)
      : max_response_bytes_(max_response_bytes),
        http_(http_threads),
        grpc_workers_(grpc_threads, 1024, "grpc-backends") {}
  // REST backends called on `loop`'s threads (which must outlive this), with up to
  // `max_idle_connections` kept open per backend (the calls that may be in flight at once).
  BackendClient(size_t max_response_bytes, net::EventLoop& loop, int grpc_threads,
                size_t max_idle_connections)
      : max_response_bytes_(max_response_bytes),
        http_(loop, max_idle_connections),
        grpc_workers_(grpc_threads, 1024, "grpc-backends") {}
  // Waits for the calls in progress.
  ~BackendClient() override;

  // Calls `backend` with `request`: its method, path (already normalised; appended to the base
  // URL) and query, its end-to-end headers plus `x_road_headers`, and its body. A gRPC backend is
  // called at method `request.path` ("/package.Service/Method") with the body as the serialized
  // request message; its answer has status 200 and carries the gRPC status in "grpc-status" and
  // "grpc-message" fields. Redirects are returned, never followed.
  // Errors: ServerProxy ServiceFailed when the backend cannot be reached or breaks the
  // connection, Timeout when it does not answer in time; messages name the backend.
  void Call(const Backend& backend, const ServiceRequest& request,
            const HeaderFields& x_road_headers, Done done) override;

 private:
  void CallRest(const Backend& backend, const ServiceRequest& request,
                const HeaderFields& x_road_headers, Done done);
  StatusOr<BackendAnswer> CallGrpc(const Backend& backend, const ServiceRequest& request,
                                   const HeaderFields& x_road_headers);

  const size_t max_response_bytes_;
  // REST backends; connections are kept open between calls.
  net::AsyncHttpClient http_;
  WorkerPool grpc_workers_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> grpc_channels_;  // Guarded by mu_.
};

}  // namespace truc::gateway
