// How the provider's gateway reaches the agency's own systems behind its services: REST backends
// over HTTP(S) (net::HttpConnectionPool, Boost.Beast: plain-HTTP connections are kept open) and
// gRPC backends through a generic stub, so that any gRPC service can be published without
// recompiling the gateway.
//
// Blocking: call from worker threads. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/grpcpp.h>

#include "core/base/status.h"
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

class BackendClient {
 public:
  // Reads no response body larger than `max_response_bytes` (ServiceFailed): the provider's
  // body limit, so that an oversized answer costs no more memory than an allowed one.
  explicit BackendClient(size_t max_response_bytes = 64 << 20)
      : max_response_bytes_(max_response_bytes) {}

  // Calls `backend` with `request`: its method, path (already normalised; appended to the base
  // URL) and query, its end-to-end headers plus `x_road_headers`, and its body. A gRPC backend is
  // called at method `request.path` ("/package.Service/Method") with the body as the serialized
  // request message; its answer has status 200 and carries the gRPC status in "grpc-status" and
  // "grpc-message" fields. Redirects are returned, never followed.
  // Errors: ServerProxy ServiceFailed when the backend cannot be reached or breaks the
  // connection, Timeout when it does not answer in time; messages name the backend.
  StatusOr<BackendAnswer> Call(const Backend& backend, const ServiceRequest& request,
                               const HeaderFields& x_road_headers);

 private:
  StatusOr<BackendAnswer> CallRest(const Backend& backend, const ServiceRequest& request,
                                   const HeaderFields& x_road_headers);
  StatusOr<BackendAnswer> CallGrpc(const Backend& backend, const ServiceRequest& request,
                                   const HeaderFields& x_road_headers);

  const size_t max_response_bytes_;
  // Connections to REST backends over plain HTTP, kept open between calls.
  net::HttpConnectionPool http_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> grpc_channels_;  // Guarded by mu_.
};

}  // namespace truc::gateway
