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

#include <functional>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "core/base/clock.h"
#include "core/base/worker_pool.h"
#include "core/evidence/message_signing.h"
#include "core/evidence/verification_cache.h"
#include "core/globalconf/configuration_client.h"
#include "core/rpc/completion_queue.h"
#include "core/rpc/grpc_util.h"
#include "gateway/access/access_rights.h"
#include "gateway/exchange/backend_client.h"
#include "gateway/exchange/exchange_log.h"
#include "gateway/exchange/message_evidence.h"
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
  globalconf::ConfigurationSource& configuration;
  MessageSealer& sealer;
  // What was verified of peers' signatures under the current configuration.
  evidence::VerificationCache& verified;
  access::AccessRights& access;
  BackendCaller& backends;
  limits::ReplayGuard& replay;
  limits::RateLimiter& rates;
  ExchangeLog& log;
  const Clock& clock;
  // How many requests may be in progress at once: beyond, a peer is answered TooManyRequests
  // at once.
  limits::ConcurrencyLimit& concurrency;
};

// Thread-safe. The gRPC server that hosts it must authenticate peers with pinned TLS (see
// PeerCheckForGateways), so that every caller presents a registered gateway certificate.
// gRPC's completion-queue API: requests arrive on the server's queue, driven by threads of ours
// (Serve); no thread waits on a request while the backend answers or its message is signed or
// logged.
class ProviderProxy {
 public:
  ProviderProxy(ProviderOptions options, ProviderDependencies dependencies);
  // Stop() must have returned.
  ~ProviderProxy();

  // The service to register with the exchange server (before it starts).
  grpc::Service* service() { return &service_; }

  // Starts taking requests from `queue`, the server's, with `threads` threads of its own.
  void Serve(std::unique_ptr<grpc::ServerCompletionQueue> queue, int threads);
  // Waits for the requests in progress to be answered, then stops the queue's threads. Call after
  // the server's Shutdown (which stops new requests). Idempotent.
  void Stop();

  using Done = std::function<void(StatusOr<v1::ExchangeMessage>)>;
  // A request as a transport hands it over, from the gateway that presented the TLS certificate
  // `peer` (null when none): the concurrency limit (TooManyRequests beyond it, at once), then
  // HandleAsync. The permit is given back before `done` runs.
  void Accept(const crypto::Certificate* peer, const v1::ExchangeMessage& request, Done done);
  // The handling of one request from the gateway that presented the TLS certificate `peer`:
  // `done` gets the signed response or the error, on any thread; `request` must live until then.
  void HandleAsync(const crypto::Certificate& peer, const v1::ExchangeMessage& request, Done done);

 private:
  struct Exchange;
  // What Check decided: an answer at hand (a metaservice's), or the backend to call.
  struct BackendCall {
    const Backend* backend = nullptr;
    ServiceRequest request;
    HeaderFields x_road_headers;
  };
  using Checked = std::variant<BackendAnswer, BackendCall>;

  // One request as the queue hands it over: limits, the peer's certificate, then HandleAsync.
  void Receive(grpc::ServerContext& context, const v1::ExchangeMessage& request,
               std::function<void(grpc::Status, v1::ExchangeMessage*)> reply);
  // Checks the request and decides how to answer it.
  StatusOr<Checked> Check(const crypto::Certificate& peer, const v1::ExchangeMessage& request,
                          const globalconf::ConfigurationView& view,
                          std::optional<ServiceRequest>& call);
  void Answered(std::shared_ptr<Exchange> exchange, StatusOr<BackendAnswer> answer);
  void Log(std::shared_ptr<Exchange> exchange);
  // `answer` unless its body is over the limit or a header field is not valid (ServiceFailed).
  StatusOr<BackendAnswer> CheckAnswer(BackendAnswer answer) const;
  StatusOr<BackendAnswer> ServeMetaservice(const ServiceRequest& call,
                                           const globalconf::ConfigurationView& view);
  const ProvidedService* FindService(const ids::ServiceId& id) const;

  const ProviderOptions options_;
  ProviderDependencies deps_;
  v1::GatewayExchange::AsyncService service_;
  rpc::InFlight in_flight_;  // Exchanges being handled (HandleAsync).
  rpc::PeerCertificateCache peer_certificates_;
  std::unique_ptr<rpc::ServerQueue> queue_;
};

// The check a gateway's exchange server applies to peers at the TLS handshake: the certificate is
// registered for some gateway in the current configuration, valid now and not revoked.
rpc::PeerCheck PeerCheckForGateways(ViewSource views, const Clock& clock);

}  // namespace truc::gateway
