// This gateway's connections to the gateways of other members: one gRPC channel per peer gateway
// over mutual TLS 1.3, created on first use and reused by every call after (HTTP/2 multiplexes
// concurrent calls on it; gRPC reconnects it when it breaks).
//
// A peer is trusted only if the certificate it presents is one the current global configuration
// registers for that very gateway (pinned by fingerprint; the host name plays no part), is valid
// now and is not revoked. This is checked at every TLS handshake, so a registration withdrawn or a
// certificate revoked in a newer configuration takes effect at the next connection.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/globalconf/configuration_view.h"
#include "core/ids/identifiers.h"
#include "core/rpc/completion_queue.h"
#include "core/rpc/pinned_tls.h"
#include "truc/v1/gateway_exchange.grpc.pb.h"

namespace truc::gateway {

// The current global configuration (never null once the gateway routes).
using ViewSource = std::function<std::shared_ptr<const globalconf::ConfigurationView>()>;

// The gateway `certificate` is registered for in `view`, if it is within its validity and not
// revoked; SslAuthenticationFailed of `prefix`'s side otherwise.
StatusOr<const globalconf::GatewayInfo*> AuthenticateGateway(
    const globalconf::ConfigurationView& view, const crypto::Certificate& certificate,
    TimePoint now, std::string_view prefix);

// Whether `leaf` is a certificate gateway `server` may present now, as the consumer's side sees
// it (OutdatedGlobalConf without a configuration, SslAuthenticationFailed otherwise).
Status CheckPeerIsGateway(const globalconf::ConfigurationView* view, const ids::ServerId& server,
                          const crypto::Certificate& leaf, TimePoint now);

// The gateways of `provider` in `view` (only `target`, when given); ClientProxy
// OutdatedGlobalConf without a configuration, UnknownMember when there are none.
StatusOr<std::vector<const globalconf::GatewayInfo*>> GatewaysOf(
    const globalconf::ConfigurationView* view, const ids::MemberId& provider,
    const std::optional<ids::ServerId>& target);

struct PeerChannelOptions {
  size_t max_message_bytes = 64 << 20;
  // How long an idle connection is kept open.
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
  // Over HTTPS (one call per connection at a time): how many idle connections are kept per peer
  // gateway. Below the calls that may be in flight at once, a burst costs new TLS handshakes.
  size_t max_idle_connections = 256;
  // Over HTTPS: speak HTTP/2, every call to a peer gateway a stream of one shared connection,
  // instead of HTTP/1.1 with a connection per call in flight.
  bool http2 = false;
};

// How the consumer's side reaches providers' gateways (a seam: tests use a fake).
class PeerTransport {
 public:
  using Done = std::function<void(StatusOr<v1::ExchangeMessage>)>;
  virtual ~PeerTransport() = default;
  // Sends `request` (which must live until `done` runs) to a gateway of `provider` (to `target`
  // only, when given) and calls `done` with its answer or the error, on any thread; `done` must
  // not block. Errors as PeerChannels::Exchange's.
  virtual void Exchange(const ids::MemberId& provider, const std::optional<ids::ServerId>& target,
                        const v1::ExchangeMessage& request,
                        std::chrono::system_clock::time_point deadline, Done done) = 0;
};

// Thread-safe. Calls are asynchronous: gRPC's completion-queue API, driven by threads of its own.
class PeerChannels final : public PeerTransport {
 public:
  // `clock` must outlive this.
  PeerChannels(rpc::TlsIdentity identity, ViewSource views, const Clock& clock,
               PeerChannelOptions options);
  // Shutdown().
  ~PeerChannels() override;

  // Cancels the calls in flight (their callers get a NetworkError), waits for
  // them to end and stops the threads; later calls fail at once. Idempotent.
  void Shutdown();

  void Exchange(const ids::MemberId& provider, const std::optional<ids::ServerId>& target,
                const v1::ExchangeMessage& request, std::chrono::system_clock::time_point deadline,
                Done done) override;

  // Exchange, waiting for the answer. Sends `request` to a gateway of `provider` (to `target`
  // only, when given) and returns its answer. Gateways are tried in turn, those whose connection is
  // not failing first, starting from a rotating position so that load spreads; the next is tried
  // only when a gateway could not be reached at all (the request then never arrived). Errors:
  // ClientProxy UnknownMember when `provider` has no gateway (or not `target`),
  // SslAuthenticationFailed when a gateway presented a certificate not registered for it,
  // NetworkError or Timeout when none answered; errors raised by the provider's gateway as it sent
  // them.
  StatusOr<v1::ExchangeMessage> ExchangeAndWait(const ids::MemberId& provider,
                                                const std::optional<ids::ServerId>& target,
                                                const v1::ExchangeMessage& request,
                                                std::chrono::system_clock::time_point deadline);

 private:
  struct Peer;
  class Attempt;

  // The channel to `gateway`, created when missing, when its address changed or when it was made
  // under another configuration `version` (so that a revocation ends established connections).
  std::shared_ptr<Peer> PeerFor(const globalconf::GatewayInfo& gateway, uint64_t version);

  const rpc::TlsIdentity identity_;
  const ViewSource views_;
  const Clock& clock_;
  const PeerChannelOptions options_;

  std::mutex mu_;
  std::map<ids::ServerId, std::shared_ptr<Peer>> peers_;  // Guarded by mu_.
  uint64_t rotation_ = 0;                                 // Guarded by mu_.
  std::set<Attempt*> in_flight_;                          // Guarded by mu_.
  bool shutting_down_ = false;                            // Guarded by mu_.
  std::condition_variable idle_;

  grpc::CompletionQueue queue_;
  rpc::CompletionQueueThreads queue_threads_;  // Last: they run the calls' tags.
};

}  // namespace truc::gateway
