// The native gRPC service API through which the agency's information systems call services
// (truc.v1.ServiceGateway, proto/truc/v1/service_api.proto).
#pragma once

#include <functional>
#include <memory>

#include "core/rpc/completion_queue.h"
#include "gateway/exchange/consumer_proxy.h"
#include "gateway/limits/concurrency_limit.h"
#include "gateway/local_clients.h"
#include "truc/v1/service_api.grpc.pb.h"

namespace truc::gateway {

// Thread-safe. Call is served asynchronously, on the server's completion queue (Serve), with no
// thread waiting on a call in progress; CallStream runs on gRPC's synchronous server threads.
// Both count against `concurrency` (the consumer's limit, shared with the REST interface):
// beyond it a caller gets TooManyRequests at once. References must outlive it.
class GrpcInterface final
    : public v1::ServiceGateway::WithAsyncMethod_Call<v1::ServiceGateway::Service> {
 public:
  // `max_body_bytes` bounds the body a CallStream may assemble.
  GrpcInterface(ConsumerProxy& consumer, const LocalClients& clients,
                limits::ConcurrencyLimit& concurrency, size_t max_body_bytes);
  // Stop() must have returned.
  ~GrpcInterface() override;

  // Starts serving Call from `queue`, the server's, with `threads` threads of its own.
  void Serve(std::unique_ptr<grpc::ServerCompletionQueue> queue, int threads);
  // After the server's Shutdown: waits for the calls in progress, then stops the threads.
  void Stop();

  grpc::Status CallStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::CallStreamResponse, v1::CallStreamRequest>* stream) override;

  // The call as a ServiceRequest: identifiers parsed (Client.InvalidClientIdentifier,
  // InvalidServiceIdentifier, BadRequest), defaults filled in (GET, "/"), header fields passed
  // through as the REST interface passes them (rest::PassThroughRequestHeaders). Its fields are
  // checked later, by ConsumerProxy::Call.
  static StatusOr<ServiceRequest> ToServiceRequest(const v1::CallRequest& call);

 private:
  // Checks the call and authenticates the caller as its client: the request to make.
  StatusOr<ServiceRequest> Admit(const grpc::ServerContext& context,
                                 const v1::CallRequest& request);
  void Receive(grpc::ServerContext& context, const v1::CallRequest& request,
               std::function<void(grpc::Status, v1::CallResponse*)> reply);
  Status TooMany() const;

  ConsumerProxy& consumer_;
  const LocalClients& clients_;
  limits::ConcurrencyLimit& concurrency_;
  const size_t max_body_bytes_;
  std::unique_ptr<rpc::ServerQueue> queue_;
};

}  // namespace truc::gateway
