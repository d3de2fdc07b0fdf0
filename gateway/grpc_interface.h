// The native gRPC service API through which the agency's information systems call services
// (truc.v1.ServiceGateway, proto/truc/v1/service_api.proto).
#pragma once

#include "gateway/exchange/consumer_proxy.h"
#include "gateway/local_clients.h"
#include "truc/v1/service_api.grpc.pb.h"

namespace truc::gateway {

// Thread-safe; runs on gRPC's threads (the synchronous server's pool), where blocking is the
// model. References must outlive it.
class GrpcInterface final : public v1::ServiceGateway::Service {
 public:
  // `max_body_bytes` bounds the body a CallStream may assemble.
  GrpcInterface(ConsumerProxy& consumer, const LocalClients& clients, size_t max_body_bytes);

  grpc::Status Call(grpc::ServerContext* context, const v1::CallRequest* request,
                    v1::CallResponse* response) override;
  grpc::Status CallStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::CallStreamResponse, v1::CallStreamRequest>* stream) override;

  // The call as a ServiceRequest: identifiers parsed (Client.InvalidClientIdentifier,
  // InvalidServiceIdentifier, BadRequest), defaults filled in (GET, "/"), header fields passed
  // through as the REST interface passes them (rest::PassThroughRequestHeaders). Its fields are
  // checked later, by ConsumerProxy::Call.
  static StatusOr<ServiceRequest> ToServiceRequest(const v1::CallRequest& call);

 private:
  // Authenticates the caller as request.client, makes the call and fills `response`.
  Status Handle(const grpc::ServerContext& context, const v1::CallRequest& request,
                v1::CallResponse& response);

  ConsumerProxy& consumer_;
  const LocalClients& clients_;
  const size_t max_body_bytes_;
};

}  // namespace truc::gateway
