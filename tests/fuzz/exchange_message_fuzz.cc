// A message from a peer gateway (v1::ExchangeMessage), as the provider's side reads it before any
// signature is checked: the wire header fields become a service call, which must then either be
// refused or reach the backend as exactly one request; the evidence digests are computed over
// whatever arrived; a response's status is read or refused.
#include "core/evidence/message_signing.h"
#include "gateway/exchange/service_call.h"
#include "tests/fuzz/backend_request_check.h"
#include "truc/v1/gateway_exchange.pb.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  truc::gateway::ServiceRequest request{
      .client = truc::ids::SubsystemId::Parse("VN/GOV/000900/portal").value(),
      .service = truc::ids::ServiceId::Parse("VN/GOV/000100/population/citizens").value()};
  request.message_id = "m-1";
  request.user_id = "VN079123456789";
  request.method = "POST";
  request.path = "/citizens/079123456789/notes";
  request.headers = {{"Content-Type", "application/json"}};
  truc::v1::ExchangeMessage message;
  truc::gateway::SetWireHeaders(truc::gateway::RequestWireHeaders(request), message);
  message.mutable_evidence()->set_message_id("m-1");
  message.set_body(R"({"note":"đã xác minh"})");
  truc::v1::ExchangeMessage response;
  truc::gateway::SetWireHeaders(truc::gateway::ResponseWireHeaders(200, request.headers), response);
  truc::fuzz::WriteFreshSeeds("exchange-message",
                              {message.SerializeAsString(), response.SerializeAsString()});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  truc::v1::ExchangeMessage message;
  if (!message.ParseFromArray(data, static_cast<int>(size))) return 0;
  (void)truc::evidence::DigestMessage(truc::evidence::HeaderFieldsOf(message.headers()),
                                      message.body());
  truc::gateway::ServiceResponse response;
  (void)truc::gateway::ReadResponseWireHeaders(message, response);
  truc::gateway::ServiceRequest request{
      .client = truc::ids::SubsystemId::Parse("VN/GOV/000900/portal").value(),
      .service = truc::ids::ServiceId::Parse("VN/GOV/000100/population/citizens").value()};
  request.message_id = message.evidence().message_id();
  if (!truc::gateway::ReadRequestWireHeaders(message, request).ok()) return 0;
  truc::fuzz::CheckBackendRequest(request);
  return 0;
}
