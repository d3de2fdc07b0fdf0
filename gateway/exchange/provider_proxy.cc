#include "gateway/exchange/provider_proxy.h"

#include <fmt/format.h>

#include "core/ids/id_proto.h"
#include "core/rpc/grpc_util.h"
#include "gateway/errors.h"
#include "gateway/exchange/consumer_proxy.h"
#include "gateway/exchange/message_evidence.h"
#include "gateway/rest/metaservices.h"
#include "gateway/rest/rest_request.h"

namespace truc::gateway {
namespace {

// The X-Road header fields the backend receives besides the caller's own.
HeaderFields XRoadHeaders(const ServiceRequest& call, const std::string& request_id) {
  HeaderFields fields = {{"X-Road-Client", call.client.ToString()},
                         {"X-Road-Service", call.service.ToString()},
                         {"X-Road-Id", call.message_id},
                         {"X-Road-Request-Id", request_id}};
  if (!call.user_id.empty()) fields.emplace_back("X-Road-UserId", call.user_id);
  if (!call.purpose.empty()) fields.emplace_back("X-Road-Issue", call.purpose);
  if (!call.represented_party.empty()) {
    fields.emplace_back("X-Road-Represented-Party", call.represented_party);
  }
  return fields;
}

// "/a/b?x=1" -> {"/a/b", "?x=1"}.
std::pair<std::string_view, std::string_view> SplitQuery(std::string_view path) {
  const size_t question = path.find('?');
  if (question == std::string_view::npos) return {path, {}};
  return {path.substr(0, question), path.substr(question)};
}

}  // namespace

rpc::PeerCheck PeerCheckForGateways(ViewSource views, const Clock& clock) {
  return [views = std::move(views), &clock](const crypto::Certificate& leaf,
                                            std::span<const crypto::Certificate>) -> Status {
    const std::shared_ptr<const globalconf::ConfigurationView> view = views();
    if (view == nullptr) {
      return ServerProxyError(error_code::kOutdatedGlobalConf, "no global configuration");
    }
    return AuthenticateGateway(*view, leaf, clock.Now(), kServerProxyPrefix).status();
  };
}

ProviderProxy::ProviderProxy(ProviderOptions options, ProviderDependencies dependencies)
    : options_(std::move(options)), deps_(dependencies) {}

ProviderProxy::~ProviderProxy() { Stop(); }

void ProviderProxy::Serve(std::unique_ptr<grpc::ServerCompletionQueue> server_queue, int threads) {
  queue_ = std::make_unique<rpc::ServerQueue>(std::move(server_queue), threads, "exchange-rpc");
  using Method = rpc::UnaryMethod<v1::ExchangeMessage, v1::ExchangeMessage>;
  Method method{
      .ask =
          [this](grpc::ServerContext* context, v1::ExchangeMessage* request,
                 Method::Responder* responder, grpc::ServerCompletionQueue* queue, void* tag) {
            service_.RequestExchange(context, request, responder, queue, queue, tag);
          },
      .handle = [this](grpc::ServerContext& context, const v1::ExchangeMessage& request,
                       Method::Reply reply) { Receive(context, request, std::move(reply)); },
  };
  rpc::ServeUnary(*queue_, std::move(method), 2 * threads);
}

void ProviderProxy::Receive(grpc::ServerContext& context, const v1::ExchangeMessage& request,
                            std::function<void(grpc::Status, v1::ExchangeMessage*)> reply) {
  const std::optional<crypto::Certificate> peer = peer_certificates_.Get(context);
  Accept(peer.has_value() ? &*peer : nullptr, request,
         [reply = std::move(reply)](StatusOr<v1::ExchangeMessage> answer) {
           if (!answer.ok()) return reply(rpc::ToGrpcStatus(answer.status()), nullptr);
           reply(grpc::Status::OK, &*answer);
         });
}

void ProviderProxy::Accept(const crypto::Certificate* peer, const v1::ExchangeMessage& request,
                           Done done) {
  std::optional<limits::ConcurrencyLimit::Permit> permit = deps_.concurrency.TryAcquire();
  if (!permit.has_value()) {
    return done(
        ServerProxyError(error_code::kTooManyRequests,
                         fmt::format("the provider's gateway serves at most {} requests at once",
                                     deps_.concurrency.max_in_flight())));
  }
  if (peer == nullptr) {
    return done(ServerProxyError(error_code::kSslAuthenticationFailed,
                                 "the peer presented no TLS certificate"));
  }
  auto held = std::make_shared<limits::ConcurrencyLimit::Permit>(*std::move(permit));
  HandleAsync(*peer, request,
              [done = std::move(done), held](StatusOr<v1::ExchangeMessage> answer) mutable {
                held.reset();  // Free before the answer goes, as the REST interface does.
                done(std::move(answer));
              });
}

void ProviderProxy::Stop() {
  in_flight_.WaitIdle();
  if (queue_ != nullptr) queue_->Stop();
}

const ProvidedService* ProviderProxy::FindService(const ids::ServiceId& id) const {
  for (const ProvidedService& service : options_.services) {
    if (service.id == id) return &service;
  }
  return nullptr;
}

// One request being handled: what its steps share.
struct ProviderProxy::Exchange {
  ExchangeRecord record;
  std::optional<ServiceRequest> call;
  Done done;
  rpc::InFlight* in_flight = nullptr;

  ~Exchange() { in_flight->End(); }
};

void ProviderProxy::HandleAsync(const crypto::Certificate& peer, const v1::ExchangeMessage& request,
                                Done done) {
  if (const Status usable = deps_.configuration.CheckUsable(); !usable.ok()) {
    return done(ServerProxyError(error_code::kOutdatedGlobalConf,
                                 "the global configuration cannot be used: " + usable.message()));
  }
  if (const Status ready = deps_.log.Ready(); !ready.ok()) {
    return done(
        ServerProxyError(error_code::kLoggingFailed,
                         "the provider's gateway cannot record evidence now: " + ready.message()));
  }
  auto exchange = std::make_shared<Exchange>();
  in_flight_.Begin();
  exchange->in_flight = &in_flight_;
  exchange->done = std::move(done);
  ExchangeRecord& record = exchange->record;
  record.side = ExchangeRecord::Side::kProvider;
  record.started = deps_.clock.Now();
  record.request = request;

  const std::shared_ptr<const globalconf::ConfigurationView> view = deps_.configuration.Current();
  StatusOr<Checked> checked = Check(peer, request, *view, exchange->call);
  if (!checked.ok()) return Answered(std::move(exchange), checked.status());
  if (auto* answer = std::get_if<BackendAnswer>(&*checked)) {
    return Answered(std::move(exchange), std::move(*answer));
  }
  const BackendCall& backend_call = std::get<BackendCall>(*checked);
  deps_.backends.Call(*backend_call.backend, backend_call.request, backend_call.x_road_headers,
                      [this, exchange = std::move(exchange)](StatusOr<BackendAnswer> answer) {
                        Answered(exchange, std::move(answer));
                      });
}

void ProviderProxy::Answered(std::shared_ptr<Exchange> exchange, StatusOr<BackendAnswer> answer) {
  if (answer.ok()) answer = CheckAnswer(*std::move(answer));
  ExchangeRecord& record = exchange->record;
  if (!answer.ok()) {
    record.outcome = AsExchangeError(answer.status(), kServerProxyPrefix);
    return Log(std::move(exchange));
  }
  v1::ExchangeMessage& response = record.response.emplace();
  SetWireHeaders(ResponseWireHeaders(answer->status, answer->headers), response);
  response.set_body(std::move(answer->body));
  const ServiceRequest& call = *exchange->call;
  const MessageIdentity identity{.kind = v1::MessageEvidence::KIND_RESPONSE,
                                 .message_id = call.message_id,
                                 .request_id = record.request.evidence().request_id(),
                                 .client = call.client,
                                 .service = call.service,
                                 .request_hash = evidence::RequestHash(record.request.evidence())};
  deps_.sealer.Seal(identity, response, [this, exchange](Status sealed) mutable {
    if (!sealed.ok()) {
      exchange->record.outcome =
          ProxyError(kServerProxyPrefix, error_code::kInternalError, sealed.message());
      exchange->record.response.reset();
    }
    Log(std::move(exchange));
  });
}

void ProviderProxy::Log(std::shared_ptr<Exchange> exchange) {
  exchange->record.finished = deps_.clock.Now();
  Exchange& ex = *exchange;
  deps_.log.AppendLendingBodies(ex.record, [exchange = std::move(exchange)](Status logged) {
    ExchangeRecord& record = exchange->record;
    if (Status error = LoggingError(logged, kServerProxyPrefix); !error.ok()) {
      return exchange->done(std::move(error));
    }
    if (!record.outcome.ok()) return exchange->done(record.outcome);
    exchange->done(*std::move(record.response));
  });
}

StatusOr<BackendAnswer> ProviderProxy::CheckAnswer(BackendAnswer answer) const {
  if (answer.status < 200 || answer.status > 599) {
    return ServerProxyError(
        error_code::kServiceFailed,
        fmt::format("the backend answered with status {}, not a final one", answer.status));
  }
  if (answer.body.size() > options_.max_body_bytes) {
    return ServerProxyError(error_code::kServiceFailed,
                            fmt::format("the backend's response body of {} bytes exceeds the "
                                        "limit of {} bytes",
                                        answer.body.size(), options_.max_body_bytes));
  }
  if (const Status valid = ValidateHeaderFields(answer.headers, "the backend's response");
      !valid.ok()) {
    return ServerProxyError(error_code::kServiceFailed, valid.message());
  }
  return answer;
}

StatusOr<ProviderProxy::Checked> ProviderProxy::Check(const crypto::Certificate& peer_certificate,
                                                      const v1::ExchangeMessage& request,
                                                      const globalconf::ConfigurationView& view,
                                                      std::optional<ServiceRequest>& parsed) {
  const v1::MessageEvidence& evidence = request.evidence();
  if (evidence.kind() != v1::MessageEvidence::KIND_REQUEST) {
    return ServerProxyError(error_code::kInvalidRequest, "the message is not a request");
  }
  StatusOr<ids::SubsystemId> client = ids::FromProto(evidence.client());
  if (!client.ok()) {
    return ClientError(error_code::kInvalidClientIdentifier, client.status().message());
  }
  StatusOr<ids::ServiceId> service = ids::FromProto(evidence.service());
  if (!service.ok()) {
    return ClientError(error_code::kInvalidServiceIdentifier, service.status().message());
  }
  ServiceRequest& call =
      parsed.emplace(ServiceRequest{.client = std::move(*client), .service = std::move(*service)});
  call.message_id = evidence.message_id();
  TRUC_RETURN_IF_ERROR(ReadRequestWireHeaders(request, call));
  // The consumer's gateway checks these too; a peer that does not is refused all the same.
  if (const Status valid = ValidateServiceRequest(call); !valid.ok()) {
    return ServerProxyError(error_code::kInvalidRequest, valid.message());
  }
  if (request.body().size() > options_.max_body_bytes) {
    return ServerProxyError(error_code::kRequestTooLarge,
                            fmt::format("the request body of {} bytes exceeds this gateway's "
                                        "limit of {} bytes",
                                        request.body().size(), options_.max_body_bytes));
  }

  // The sending gateway must be one of the client's member.
  // Checked on every request, not only at the connection's handshake: a certificate revoked or
  // expired since then is refused from the next request on.
  TRUC_ASSIGN_OR_RETURN(
      const globalconf::GatewayInfo* peer,
      AuthenticateGateway(view, peer_certificate, deps_.clock.Now(), kServerProxyPrefix));
  if (peer->id.owner() != call.client.member()) {
    return ServerProxyError(
        error_code::kSslAuthenticationFailed,
        fmt::format("the request for {} came from {}, not from a gateway of its member",
                    call.client.ToString(), peer->id.ToString()));
  }
  TRUC_RETURN_IF_ERROR(
      VerifySeal(request, call.client.member(), view, deps_.verified, kServerProxyPrefix));
  if (call.service.provider().member() != options_.member) {
    return ServerProxyError(
        error_code::kUnknownService,
        fmt::format("this gateway does not serve {}", call.service.provider().member().ToString()));
  }
  const std::string client_key = call.client.ToString();
  TRUC_RETURN_IF_ERROR(deps_.replay.Admit(client_key, call.message_id));
  TRUC_RETURN_IF_ERROR(deps_.rates.Admit(client_key));

  if (rest::IsMetaserviceCode(call.service.service_code()) && call.service.version().empty()) {
    TRUC_ASSIGN_OR_RETURN(BackendAnswer answer, ServeMetaservice(call, view));
    return answer;
  }
  const ProvidedService* provided = FindService(call.service);
  if (provided == nullptr) {
    return ServerProxyError(
        error_code::kUnknownService,
        fmt::format("{} is not a service of this gateway", call.service.ToString()));
  }
  const auto [raw_path, query] = SplitQuery(call.path);
  TRUC_ASSIGN_OR_RETURN(const access::NormalizedPath path, access::NormalizeRestPath(raw_path));
  TRUC_RETURN_IF_ERROR(deps_.access.Check(
      call.client, [&](std::string_view group) { return view.IsInGroup(group, call.client); },
      call.service, call.method, path));
  BackendCall backend_call{.backend = &provided->backend,
                           .request = call,
                           .x_road_headers = XRoadHeaders(call, evidence.request_id())};
  backend_call.request.path = fmt::format("{}{}", path.forward, query);
  backend_call.request.body = request.body();
  return backend_call;
}

StatusOr<BackendAnswer> ProviderProxy::ServeMetaservice(const ServiceRequest& call,
                                                        const globalconf::ConfigurationView& view) {
  const ids::SubsystemId& provider = call.service.provider();
  const std::string_view code = call.service.service_code();
  net::HttpResponse answer;
  if (code == rest::kGetOpenApi) {
    const auto [path, query] = SplitQuery(call.path);
    StatusOr<std::optional<std::string>> service_code =
        rest::IdentifierParameter(query.empty() ? query : query.substr(1), "serviceCode");
    if (!service_code.ok()) {
      return ServerProxyError(error_code::kInvalidRequest, service_code.status().message());
    }
    if (!service_code->has_value()) {
      return ServerProxyError(error_code::kInvalidRequest,
                              fmt::format("{} needs the query parameter serviceCode", code));
    }
    TRUC_ASSIGN_OR_RETURN(const ids::ServiceId described,
                          ids::ServiceId::Create(provider, **service_code));
    const globalconf::ServiceInfo* info = view.FindService(described);
    if (info == nullptr || FindService(described) == nullptr) {
      return ServerProxyError(
          error_code::kUnknownService,
          fmt::format("{} is not a service of this gateway", described.ToString()));
    }
    if (info->description.kind() != v1::SERVICE_KIND_OPENAPI) {
      return ServerProxyError(
          error_code::kServiceType,
          fmt::format("{} is not described by an OpenAPI document", described.ToString()));
    }
    const std::string& document = info->description.interface_document();
    const bool json = !document.empty() && document.front() == '{';
    answer = net::MakeResponse(200, json ? "application/json" : "application/yaml", document);
  } else {
    const bool only_allowed = code == rest::kAllowedMethods;
    const access::GroupMembership in_group = [&](std::string_view group) {
      return view.IsInGroup(group, call.client);
    };
    std::vector<rest::ServiceEntry> entries;
    for (const ProvidedService& service : options_.services) {
      const globalconf::ServiceInfo* info = view.FindService(service.id);
      if (service.id.provider() != provider || info == nullptr ||
          service.backend.kind != Backend::Kind::kRest) {
        continue;
      }
      std::vector<access::EndpointPattern> endpoints = service.endpoints;
      if (only_allowed) {
        access::AllowedCalls allowed =
            deps_.access.Allowed(call.client, in_group, service.id, service.endpoints);
        if (!allowed.may_call) continue;
        endpoints = std::move(allowed.endpoints);
      }
      rest::ServiceEntry& entry = entries.emplace_back(
          rest::ServiceEntry{.service = service.id,
                             .type = info->description.kind() == v1::SERVICE_KIND_OPENAPI
                                         ? rest::RestServiceType::kOpenApi
                                         : rest::RestServiceType::kRest});
      for (const access::EndpointPattern& endpoint : endpoints) {
        entry.endpoints.push_back({endpoint.method, endpoint.path});
      }
    }
    answer = rest::RenderServiceList(entries);
  }
  BackendAnswer result{answer.status, answer.headers.fields(), std::move(answer.body)};
  return result;
}

}  // namespace truc::gateway
