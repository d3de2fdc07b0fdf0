#include "gateway/exchange/consumer_proxy.h"

#include <future>

#include <fmt/format.h>

#include "core/ids/id_proto.h"
#include "gateway/errors.h"
#include "gateway/exchange/message_evidence.h"

namespace truc::gateway {

Status LoggingError(const Status& logged, std::string_view prefix) {
  if (logged.ok()) return logged;
  return ProxyError(prefix, error_code::kLoggingFailed,
                    "the exchange could not be logged: " + logged.ToString());
}

// One call in flight: what its steps share.
struct ConsumerProxy::Exchange {
  ExchangeRecord record;
  std::optional<ids::MemberId> provider;
  std::optional<ids::ServerId> target;
  std::shared_ptr<const globalconf::ConfigurationView> view;
  std::chrono::system_clock::time_point deadline;
  Done done;
  rpc::InFlight* in_flight = nullptr;

  ~Exchange() { in_flight->End(); }
};

ConsumerProxy::ConsumerProxy(ConsumerOptions options,
                             globalconf::ConfigurationSource& configuration, MessageSealer& sealer,
                             evidence::VerificationCache& verified, PeerTransport& peers,
                             ExchangeLog& log, const Clock& clock)
    : options_(std::move(options)),
      configuration_(configuration),
      sealer_(sealer),
      verified_(verified),
      peers_(peers),
      log_(log),
      clock_(clock) {}

StatusOr<ServiceResponse> ConsumerProxy::Call(ServiceRequest request,
                                              std::chrono::system_clock::time_point deadline) {
  std::promise<StatusOr<ServiceResponse>> answered;
  std::future<StatusOr<ServiceResponse>> answer = answered.get_future();
  CallAsync(std::move(request), deadline, [&answered](StatusOr<ServiceResponse> response) {
    answered.set_value(std::move(response));
  });
  return answer.get();
}

void ConsumerProxy::CallAsync(ServiceRequest request,
                              std::chrono::system_clock::time_point deadline, Done done) {
  auto exchange = std::make_shared<Exchange>();
  in_flight_.Begin();
  exchange->in_flight = &in_flight_;
  ExchangeRecord& record = exchange->record;
  record.side = ExchangeRecord::Side::kConsumer;
  record.started = clock_.Now();
  exchange->deadline = std::min(deadline, std::chrono::system_clock::now() + options_.timeout);

  if (const Status valid = ValidateServiceRequest(request); !valid.ok()) {
    return done(ClientError(error_code::kBadRequest, valid.message()));
  }
  if (Status client = CheckClient(request.client); !client.ok()) return done(std::move(client));
  if (const Status ready = log_.Ready(); !ready.ok()) {
    return done(ClientProxyError(error_code::kLoggingFailed,
                                 "this gateway cannot record evidence now: " + ready.message()));
  }
  exchange->view = configuration_.Current();
  exchange->provider = request.service.provider().member();
  if (exchange->view->FindMember(*exchange->provider) == nullptr) {
    return done(
        ClientProxyError(error_code::kUnknownMember,
                         fmt::format("{} is not a member of {}", exchange->provider->ToString(),
                                     exchange->view->instance())));
  }
  if (request.message_id.empty()) request.message_id = NewUuid();
  exchange->target = std::move(request.target_server);
  exchange->done = std::move(done);

  v1::ExchangeMessage& sent = record.request;
  SetWireHeaders(RequestWireHeaders(request), sent);
  sent.set_body(std::move(request.body));
  const MessageIdentity identity{.kind = v1::MessageEvidence::KIND_REQUEST,
                                 .message_id = std::move(request.message_id),
                                 .request_id = NewUuid(),
                                 .client = std::move(request.client),
                                 .service = std::move(request.service)};
  sealer_.Seal(identity, sent, [this, exchange](Status sealed) {
    if (!sealed.ok()) {
      return exchange->done(
          ProxyError(kClientProxyPrefix, error_code::kInternalError, sealed.message()));
    }
    Send(exchange);
  });
}

void ConsumerProxy::Send(std::shared_ptr<Exchange> exchange) {
  Exchange& ex = *exchange;
  peers_.Exchange(*ex.provider, ex.target, ex.record.request, ex.deadline,
                  [this, exchange = std::move(exchange)](StatusOr<v1::ExchangeMessage> answer) {
                    Received(exchange, std::move(answer));
                  });
}

void ConsumerProxy::Received(std::shared_ptr<Exchange> exchange,
                             StatusOr<v1::ExchangeMessage> answer) {
  ExchangeRecord& record = exchange->record;
  if (answer.ok()) {
    record.outcome = CheckResponse(record.request, *answer, *exchange->view);
    record.response = *std::move(answer);
  } else {
    record.outcome = answer.status();
  }
  record.finished = clock_.Now();
  // The exchange waits for `done` before it reads the response's body again.
  log_.AppendLendingBodies(
      record, [this, exchange = std::move(exchange)](Status logged) { Logged(exchange, logged); });
}

void ConsumerProxy::Logged(std::shared_ptr<Exchange> exchange, const Status& logged) {
  const ExchangeRecord& record = exchange->record;
  if (Status error = LoggingError(logged, kClientProxyPrefix); !error.ok()) {
    return exchange->done(std::move(error));
  }
  if (!record.outcome.ok()) return exchange->done(record.outcome);

  v1::ExchangeMessage& received = *exchange->record.response;
  ServiceResponse response;
  if (Status read = ReadResponseWireHeaders(received, response); !read.ok()) {
    return exchange->done(std::move(read));
  }
  response.message_id = received.evidence().message_id();
  response.request_id = received.evidence().request_id();
  response.request_hash = received.evidence().request_hash();
  response.body = std::move(*received.mutable_body());
  exchange->done(std::move(response));
}

Status ConsumerProxy::CheckClient(const ids::SubsystemId& client) const {
  if (const Status usable = configuration_.CheckUsable(); !usable.ok()) {
    return ClientProxyError(error_code::kOutdatedGlobalConf,
                            "the global configuration cannot be used: " + usable.message());
  }
  const std::shared_ptr<const globalconf::ConfigurationView> view = configuration_.Current();
  if (!view->HasSubsystem(client)) {
    return ClientProxyError(
        error_code::kUnknownMember,
        fmt::format("the client {} is not registered in {}", client.ToString(), view->instance()));
  }
  if (client.member() != options_.member) {
    return ClientProxyError(error_code::kInvalidClientIdentifier,
                            fmt::format("this gateway serves {}, not the client {}",
                                        options_.member.ToString(), client.ToString()));
  }
  return OkStatus();
}

Status ConsumerProxy::CheckResponse(const v1::ExchangeMessage& request,
                                    const v1::ExchangeMessage& response,
                                    const globalconf::ConfigurationView& view) const {
  const v1::MessageEvidence& asked = request.evidence();
  const v1::MessageEvidence& answered = response.evidence();
  if (answered.kind() != v1::MessageEvidence::KIND_RESPONSE ||
      answered.message_id() != asked.message_id() || answered.request_id() != asked.request_id() ||
      answered.client().SerializeAsString() != asked.client().SerializeAsString() ||
      answered.service().SerializeAsString() != asked.service().SerializeAsString() ||
      answered.request_hash() != evidence::RequestHash(asked)) {
    return ClientProxyError(error_code::kInvalidSignatureValue,
                            "the response is not bound to the request it answers");
  }
  TRUC_ASSIGN_OR_RETURN(const ids::ServiceId service, ids::FromProto(asked.service()));
  return VerifySeal(response, service.provider().member(), view, verified_, kClientProxyPrefix);
}

}  // namespace truc::gateway
