#include "gateway/grpc_interface.h"

#include <fmt/format.h>

#include "core/ids/id_proto.h"
#include "core/rpc/grpc_util.h"
#include "gateway/errors.h"
#include "gateway/rest/rest_headers.h"

namespace truc::gateway {
namespace {

constexpr size_t kResponseChunkBytes = 1 << 20;

void FillResponse(ServiceResponse answer, v1::CallResponse& response) {
  response.set_message_id(std::move(answer.message_id));
  response.set_request_id(std::move(answer.request_id));
  response.set_status(answer.status);
  for (auto& [name, value] : answer.headers) {
    v1::Header* header = response.add_headers();
    header->set_name(std::move(name));
    header->set_value(std::move(value));
  }
  response.set_body(std::move(answer.body));
  response.set_request_hash(std::move(answer.request_hash));
}

}  // namespace

StatusOr<ServiceRequest> GrpcInterface::ToServiceRequest(const v1::CallRequest& call) {
  StatusOr<ids::SubsystemId> client = ids::FromProto(call.client());
  if (!client.ok()) {
    return ClientError(error_code::kInvalidClientIdentifier,
                       "client: " + client.status().message());
  }
  StatusOr<ids::ServiceId> service = ids::FromProto(call.service());
  if (!service.ok()) {
    return ClientError(error_code::kInvalidServiceIdentifier,
                       "service: " + service.status().message());
  }
  ServiceRequest request{.client = std::move(*client), .service = std::move(*service)};
  if (call.has_target_server()) {
    StatusOr<ids::ServerId> server = ids::FromProto(call.target_server());
    if (!server.ok()) {
      return ClientError(error_code::kBadRequest, "target_server: " + server.status().message());
    }
    request.target_server = std::move(*server);
  }
  request.message_id = call.message_id();
  request.user_id = call.user_id();
  request.purpose = call.purpose();
  request.represented_party = call.represented_party();
  request.method = call.method().empty() ? "GET" : call.method();
  request.path = call.path().empty() ? "/" : call.path();
  // A query alone is the query of "/"; ConsumerProxy::Call checks every field.
  if (request.path.front() == '?') request.path = "/" + request.path;
  // As the REST interface does: hop-by-hop fields dropped, X-Road fields only as typed fields.
  net::HttpHeaders headers;
  for (const v1::Header& header : call.headers()) headers.Add(header.name(), header.value());
  request.headers = rest::PassThroughRequestHeaders(headers);
  request.body = call.body();
  return request;
}

GrpcInterface::GrpcInterface(ConsumerProxy& consumer, const LocalClients& clients,
                             limits::ConcurrencyLimit& concurrency, size_t max_body_bytes)
    : consumer_(consumer),
      clients_(clients),
      concurrency_(concurrency),
      max_body_bytes_(max_body_bytes) {}

GrpcInterface::~GrpcInterface() { Stop(); }

void GrpcInterface::Serve(std::unique_ptr<grpc::ServerCompletionQueue> server_queue, int threads) {
  queue_ = std::make_unique<rpc::ServerQueue>(std::move(server_queue), threads, "service-api");
  using Method = rpc::UnaryMethod<v1::CallRequest, v1::CallResponse>;
  Method method{
      .ask = [this](grpc::ServerContext* context, v1::CallRequest* request,
                    Method::Responder* responder, grpc::ServerCompletionQueue* queue,
                    void* tag) { RequestCall(context, request, responder, queue, queue, tag); },
      .handle = [this](grpc::ServerContext& context, const v1::CallRequest& request,
                       Method::Reply reply) { Receive(context, request, std::move(reply)); },
  };
  rpc::ServeUnary(*queue_, std::move(method), 2 * threads);
}

void GrpcInterface::Stop() {
  if (queue_ != nullptr) queue_->Stop();
}

Status GrpcInterface::TooMany() const {
  return ClientProxyError(
      error_code::kTooManyRequests,
      fmt::format("this gateway is already working on {} calls", concurrency_.max_in_flight()));
}

StatusOr<ServiceRequest> GrpcInterface::Admit(const grpc::ServerContext& context,
                                              const v1::CallRequest& call) {
  if (call.body().size() > max_body_bytes_) {
    return ClientProxyError(error_code::kRequestTooLarge,
                            fmt::format("the request body exceeds {} bytes", max_body_bytes_));
  }
  TRUC_ASSIGN_OR_RETURN(ServiceRequest request, ToServiceRequest(call));
  const std::string fingerprint = rpc::PeerCertificateFingerprint(context).value_or("");
  // The client's status first, then the caller's right to act as it, as X-Road answers.
  TRUC_RETURN_IF_ERROR(consumer_.CheckClient(request.client));
  TRUC_RETURN_IF_ERROR(clients_.Authorize(request.client, fingerprint));
  return request;
}

void GrpcInterface::Receive(grpc::ServerContext& context, const v1::CallRequest& call,
                            std::function<void(grpc::Status, v1::CallResponse*)> reply) {
  StatusOr<ServiceRequest> request = Admit(context, call);
  if (!request.ok()) return reply(rpc::ToGrpcStatus(request.status()), nullptr);
  std::optional<limits::ConcurrencyLimit::Permit> permit = concurrency_.TryAcquire();
  if (!permit.has_value()) return reply(rpc::ToGrpcStatus(TooMany()), nullptr);
  auto held = std::make_shared<limits::ConcurrencyLimit::Permit>(*std::move(permit));
  consumer_.CallAsync(*std::move(request), context.deadline(),
                      [reply = std::move(reply), held](StatusOr<ServiceResponse> answer) mutable {
                        held.reset();  // Free before the answer goes.
                        if (!answer.ok()) return reply(rpc::ToGrpcStatus(answer.status()), nullptr);
                        v1::CallResponse response;
                        FillResponse(*std::move(answer), response);
                        reply(grpc::Status::OK, &response);
                      });
}

grpc::Status GrpcInterface::CallStream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::CallStreamResponse, v1::CallStreamRequest>* stream) {
  v1::CallStreamRequest part;
  if (!stream->Read(&part) || !part.has_head()) {
    return rpc::ToGrpcStatus(
        ClientError(error_code::kBadRequest, "a CallStream starts with the request's head"));
  }
  v1::CallRequest request = std::move(*part.mutable_head());
  while (stream->Read(&part)) {
    if (!part.has_body_chunk()) {
      return rpc::ToGrpcStatus(
          ClientError(error_code::kBadRequest, "only body chunks may follow the head"));
    }
    if (request.body().size() + part.body_chunk().size() > max_body_bytes_) {
      return rpc::ToGrpcStatus(
          ClientProxyError(error_code::kRequestTooLarge,
                           fmt::format("the request body exceeds {} bytes", max_body_bytes_)));
    }
    request.mutable_body()->append(part.body_chunk());
  }
  StatusOr<ServiceRequest> admitted = Admit(*context, request);
  if (!admitted.ok()) return rpc::ToGrpcStatus(admitted.status());
  std::optional<limits::ConcurrencyLimit::Permit> permit = concurrency_.TryAcquire();
  if (!permit.has_value()) return rpc::ToGrpcStatus(TooMany());
  StatusOr<ServiceResponse> answer = consumer_.Call(*std::move(admitted), context->deadline());
  permit.reset();
  if (!answer.ok()) return rpc::ToGrpcStatus(answer.status());
  v1::CallResponse response;
  FillResponse(*std::move(answer), response);
  std::string body = std::move(*response.mutable_body());
  response.clear_body();
  v1::CallStreamResponse out;
  *out.mutable_head() = std::move(response);
  if (!stream->Write(out)) return grpc::Status::CANCELLED;
  for (size_t offset = 0; offset < body.size(); offset += kResponseChunkBytes) {
    out.set_body_chunk(body.substr(offset, kResponseChunkBytes));
    if (!stream->Write(out)) return grpc::Status::CANCELLED;
  }
  return grpc::Status::OK;
}

}  // namespace truc::gateway
