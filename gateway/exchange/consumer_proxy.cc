#include "gateway/exchange/consumer_proxy.h"

#include <fmt/format.h>

#include "core/ids/id_proto.h"
#include "gateway/errors.h"
#include "gateway/exchange/message_evidence.h"

namespace truc::gateway {

Status LogExchange(ExchangeLog& log, const ExchangeRecord& record, std::string_view prefix) {
  const Status logged = log.Append(record);
  if (logged.ok()) return logged;
  return ProxyError(prefix, error_code::kLoggingFailed,
                    "the exchange could not be logged: " + logged.ToString());
}

ConsumerProxy::ConsumerProxy(ConsumerOptions options,
                             globalconf::ConfigurationClient& configuration,
                             evidence::BatchSigner& signer, evidence::VerificationCache& verified,
                             PeerChannels& peers, ExchangeLog& log, const Clock& clock)
    : options_(std::move(options)),
      configuration_(configuration),
      signer_(signer),
      verified_(verified),
      peers_(peers),
      log_(log),
      clock_(clock) {}

StatusOr<ServiceResponse> ConsumerProxy::Call(ServiceRequest request,
                                              std::chrono::system_clock::time_point deadline) {
  ExchangeRecord record;
  record.side = ExchangeRecord::Side::kConsumer;
  record.started = clock_.Now();
  deadline = std::min(deadline, std::chrono::system_clock::now() + options_.timeout);

  if (const Status valid = ValidateServiceRequest(request); !valid.ok()) {
    return ClientError(error_code::kBadRequest, valid.message());
  }
  TRUC_RETURN_IF_ERROR(CheckClient(request.client));
  if (const Status ready = log_.Ready(); !ready.ok()) {
    return ClientProxyError(error_code::kLoggingFailed,
                            "this gateway cannot record evidence now: " + ready.message());
  }
  const std::shared_ptr<const globalconf::ConfigurationView> view = configuration_.Current();
  const ids::MemberId& provider = request.service.provider().member();
  if (view->FindMember(provider) == nullptr) {
    return ClientProxyError(
        error_code::kUnknownMember,
        fmt::format("{} is not a member of {}", provider.ToString(), view->instance()));
  }
  if (request.message_id.empty()) request.message_id = NewUuid();

  v1::ExchangeMessage& sent = record.request;
  SetWireHeaders(RequestWireHeaders(request), sent);
  sent.set_body(std::move(request.body));
  const MessageIdentity identity{.kind = v1::MessageEvidence::KIND_REQUEST,
                                 .message_id = request.message_id,
                                 .request_id = NewUuid(),
                                 .client = request.client,
                                 .service = request.service};
  TRUC_RETURN_IF_ERROR(SealMessage(identity, signer_, kClientProxyPrefix, sent));

  StatusOr<v1::ExchangeMessage> answer =
      peers_.Exchange(provider, request.target_server, sent, deadline);
  if (answer.ok()) {
    record.outcome = CheckResponse(sent, *answer, *view);
    record.response = std::move(*answer);
  } else {
    record.outcome = answer.status();
  }
  record.finished = clock_.Now();
  TRUC_RETURN_IF_ERROR(LogExchange(log_, record, kClientProxyPrefix));
  TRUC_RETURN_IF_ERROR(record.outcome);

  const v1::ExchangeMessage& received = *record.response;
  ServiceResponse response;
  TRUC_RETURN_IF_ERROR(ReadResponseWireHeaders(received, response));
  response.message_id = received.evidence().message_id();
  response.request_id = received.evidence().request_id();
  response.request_hash = received.evidence().request_hash();
  response.body = received.body();
  return response;
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
