// The consumer side of an exchange: what this gateway does with a call one of its own information
// systems makes (through the REST interface or the gRPC API, which authenticate the caller first).
//
//   check the global configuration is usable -> check the client subsystem is ours and registered
//   -> describe and sign the request -> send it to a gateway of the provider -> check the signed
//   response is bound to this request and signed by the provider -> hand both to the audit log ->
//   return the response.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "core/base/clock.h"
#include "core/evidence/message_signing.h"
#include "core/evidence/verification_cache.h"
#include "core/globalconf/configuration_client.h"
#include "core/rpc/completion_queue.h"
#include "gateway/exchange/exchange_log.h"
#include "gateway/exchange/message_evidence.h"
#include "gateway/exchange/peer_channels.h"
#include "gateway/exchange/service_call.h"

namespace truc::gateway {

struct ConsumerOptions {
  ids::MemberId member;  // The member this gateway belongs to.
  // How long a call may take end to end, unless the caller asks for less.
  std::chrono::milliseconds timeout{60'000};
};

// Thread-safe. Calls are asynchronous: no thread waits while the message is signed, the peer
// answers or the log makes the exchange durable. Every reference must outlive the proxy, and the
// calls in flight must end (WaitIdle) before what they use goes.
class ConsumerProxy {
 public:
  ConsumerProxy(ConsumerOptions options, globalconf::ConfigurationSource& configuration,
                MessageSealer& sealer, evidence::VerificationCache& verified, PeerTransport& peers,
                ExchangeLog& log, const Clock& clock);

  // Checks the client's status, as X-Road does before it authenticates the caller: ClientProxy
  // OutdatedGlobalConf, UnknownMember (a client subsystem not registered in the federation),
  // InvalidClientIdentifier (a client of another member than this gateway's).
  Status CheckClient(const ids::SubsystemId& client) const;

  // Makes the call. `deadline` bounds it further when earlier than options.timeout from now.
  // The response is the backend's answer whatever its status. Errors are typed (gateway/errors.h):
  // Client BadRequest (a field ValidateServiceRequest refuses: nothing is signed, sent or
  // logged), CheckClient's, UnknownMember (a provider not in the federation), NetworkError,
  // Timeout, SslAuthenticationFailed,
  // InvalidSignatureValue (a response not bound to the request or not signed by the provider),
  // LoggingFailed; and any error the provider's gateway raised, unchanged.
  using Done = std::function<void(StatusOr<ServiceResponse>)>;
  // Calls `done` with the outcome, on the caller's thread when the call fails before anything is
  // sent, else on a thread of the signer, the peer transport or the log: `done` must be quick
  // and must not block.
  void CallAsync(ServiceRequest request, std::chrono::system_clock::time_point deadline, Done done);

  // CallAsync, waiting for the outcome (for callers on threads that may block).
  StatusOr<ServiceResponse> Call(ServiceRequest request,
                                 std::chrono::system_clock::time_point deadline =
                                     std::chrono::system_clock::time_point::max());

  // Returns once no call is in flight.
  void WaitIdle() { in_flight_.WaitIdle(); }

 private:
  struct Exchange;
  // The steps of CallAsync after the request is sealed.
  void Send(std::shared_ptr<Exchange> exchange);
  void Received(std::shared_ptr<Exchange> exchange, StatusOr<v1::ExchangeMessage> answer);
  void Logged(std::shared_ptr<Exchange> exchange, const Status& logged);

  // Checks that `response` answers `request` and that the provider signed it.
  Status CheckResponse(const v1::ExchangeMessage& request, const v1::ExchangeMessage& response,
                       const globalconf::ConfigurationView& view) const;

  const ConsumerOptions options_;
  globalconf::ConfigurationSource& configuration_;
  MessageSealer& sealer_;
  evidence::VerificationCache& verified_;
  PeerTransport& peers_;
  ExchangeLog& log_;
  const Clock& clock_;
  rpc::InFlight in_flight_;
};

// `logged` (the log's answer) as the exchange's error: LoggingFailed of `prefix`'s side when the
// record could not be made durable, OK otherwise.
Status LoggingError(const Status& logged, std::string_view prefix);

}  // namespace truc::gateway
