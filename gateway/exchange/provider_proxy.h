// The provider side of an exchange: what this gateway does with a request another member's
// gateway sends it, as the GatewayExchange gRPC service.
//
//   the peer's TLS certificate belongs to a gateway of the client's member -> the global
//   configuration is usable -> the request's digests and signature hold -> its message id is new
//   -> the client is within its rate -> the service is ours and enabled, and the client may call
//   it at that endpoint (path normalised first) -> call the backend -> describe and sign the
//   response, bound to the request -> hand both to the audit log -> answer.
//
// Metaservices (listMethods, allowedMethods, getOpenAPI) are answered by the gateway itself.
// Failures are answered as gRPC statuses whose reason is the X-Road type (Server.ServerProxy.*).
#pragma once

#include <optional>
#include <vector>

#include "core/base/clock.h"
#include "core/base/worker_pool.h"
#include "core/evidence/message_signing.h"
#include "core/evidence/verification_cache.h"
#include "core/globalconf/configuration_client.h"
#include "gateway/access/access_rights.h"
#include "gateway/exchange/backend_client.h"
#include "gateway/exchange/exchange_log.h"
#include "gateway/exchange/peer_channels.h"
#include "gateway/exchange/service_call.h"
#include "gateway/limits/concurrency_limit.h"
#include "gateway/limits/rate_limiter.h"
#include "gateway/limits/replay_guard.h"
#include "truc/v1/gateway_exchange.grpc.pb.h"

namespace truc::gateway {

// A service this gateway provides: where its backend is, and the REST endpoints it declares.
struct ProvidedService {
  ids::ServiceId id;
  Backend backend;
  std::vector<access::EndpointPattern> endpoints;
};

struct ProviderOptions {
  ids::MemberId member;  // The member this gateway belongs to.
  std::vector<ProvidedService> services;
  // The largest request or response body: a larger request is refused (RequestTooLarge), a
  // backend's larger response is refused (ServiceFailed) before anything is signed, so that both
  // gateways log the same failure.
  size_t max_body_bytes = 10 << 20;
};

// What the provider side works with; every reference must outlive the proxy.
struct ProviderDependencies {
  globalconf::ConfigurationClient& configuration;
  evidence::BatchSigner& signer;
  // What was verified of peers' signatures under the current configuration.
  evidence::VerificationCache& verified;
  access::AccessRights& access;
  BackendClient& backends;
  limits::ReplayGuard& replay;
  limits::RateLimiter& rates;
  ExchangeLog& log;
  const Clock& clock;
  // Where requests are served (they block on the backend, the signer and the log), and how many
  // may be in progress at once: beyond, a peer is answered TooManyRequests at once.
  WorkerPool& workers;
  limits::ConcurrencyLimit& concurrency;
};

// Thread-safe. The gRPC server that hosts it must authenticate peers with pinned TLS (see
// PeerCheckForGateways), so that every caller presents a registered gateway certificate.
// gRPC's callback API: no gRPC thread waits on a request; each is served on `workers`.
class ProviderProxy final : public v1::GatewayExchange::CallbackService {
 public:
  ProviderProxy(ProviderOptions options, ProviderDependencies dependencies);

  grpc::ServerUnaryReactor* Exchange(grpc::CallbackServerContext* context,
                                     const v1::ExchangeMessage* request,
                                     v1::ExchangeMessage* response) override;

  // The handling of one request from the gateway that presented the TLS certificate `peer`.
  StatusOr<v1::ExchangeMessage> Handle(const crypto::Certificate& peer,
                                       const v1::ExchangeMessage& request);

 private:
  // Checks the request and produces the answer to sign: the backend's or a metaservice's.
  StatusOr<BackendAnswer> Serve(const crypto::Certificate& peer, const v1::ExchangeMessage& request,
                                const globalconf::ConfigurationView& view,
                                std::optional<ServiceRequest>& call);
  // `answer` unless its body is over the limit or a header field is not valid (ServiceFailed).
  StatusOr<BackendAnswer> CheckAnswer(BackendAnswer answer) const;
  StatusOr<BackendAnswer> ServeMetaservice(const ServiceRequest& call,
                                           const globalconf::ConfigurationView& view);
  const ProvidedService* FindService(const ids::ServiceId& id) const;

  const ProviderOptions options_;
  ProviderDependencies deps_;
};

// The check a gateway's exchange server applies to peers at the TLS handshake: the certificate is
// registered for some gateway in the current configuration, valid now and not revoked.
rpc::PeerCheck PeerCheckForGateways(ViewSource views, const Clock& clock);

}  // namespace truc::gateway
