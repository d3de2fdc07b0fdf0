#include "tests/gateway/audit/test_exchanges.h"

#include <stdexcept>

#include <fmt/format.h>

#include "gateway/errors.h"
#include "gateway/exchange/message_evidence.h"
#include "gateway/exchange/service_call.h"

namespace truc::gateway::audit::testing {
namespace {

// Throws (Catch reports it; a fuzz target's start-up stops) unless sealing succeeded.
void Sealed(const Status& sealed) {
  if (!sealed.ok()) throw std::runtime_error("sealing a test message: " + sealed.ToString());
}

constexpr merkle::BatcherOptions kUnbatched{.max_batch = 1,
                                            .max_delay = std::chrono::milliseconds(0)};

}  // namespace

TestExchanges::TestExchanges()
    : portal_signing_(federation_.Issue(pki::Profile::kMemberSigning, kPortal.member().ToString())),
      population_signing_(federation_.Issue(pki::Profile::kMemberSigning,
                                            kCitizens.provider().member().ToString())),
      trust_(crypto::TrustStore::Create({federation_.root().certificate}).value()),
      portal_signer_(portal_signing_.key, {portal_signing_.certificate}, clock_, kUnbatched),
      population_signer_(population_signing_.key, {population_signing_.certificate}, clock_,
                         kUnbatched) {}

ExchangeRecord TestExchanges::Failed(ExchangeRecord::Side side, const std::string& message_id) {
  ServiceRequest call{.client = client_,
                      .service = service_,
                      .message_id = message_id,
                      .user_id = std::string(kUserId),
                      .purpose = std::string(kPurpose),
                      .method = "POST",
                      .path = "/citizens/search?fields=name",
                      .headers = {{"content-type", "application/json"}},
                      .body = fmt::format(R"({{"citizen":"{}"}})", kUserId)};
  ExchangeRecord exchange{.side = side, .started = clock_.Now()};
  SetWireHeaders(RequestWireHeaders(call), exchange.request);
  exchange.request.set_body(call.body);
  const MessageIdentity identity{.kind = v1::MessageEvidence::KIND_REQUEST,
                                 .message_id = message_id,
                                 .request_id = "request-" + message_id,
                                 .client = client_,
                                 .service = service_};
  Sealed(SealMessage(identity, portal_signer_, kClientProxyPrefix, exchange.request));
  exchange.finished = exchange.started + std::chrono::milliseconds(250);
  exchange.outcome = ServerProxyError(error_code::kServiceFailed, "the backend is down");
  return exchange;
}

ExchangeRecord TestExchanges::Answered(ExchangeRecord::Side side, const std::string& message_id) {
  ExchangeRecord exchange = Failed(side, message_id);
  exchange.outcome = OkStatus();
  v1::ExchangeMessage& response = exchange.response.emplace();
  SetWireHeaders(ResponseWireHeaders(200, {{"content-type", "application/json"}}), response);
  response.set_body(fmt::format(R"({{"citizen":"{}","name":"Nguyễn Văn An"}})", kUserId));
  const MessageIdentity identity{
      .kind = v1::MessageEvidence::KIND_RESPONSE,
      .message_id = message_id,
      .request_id = "request-" + message_id,
      .client = client_,
      .service = service_,
      .request_hash = evidence::RequestHash(exchange.request.evidence())};
  Sealed(SealMessage(identity, population_signer_, kServerProxyPrefix, response));
  return exchange;
}

}  // namespace truc::gateway::audit::testing
