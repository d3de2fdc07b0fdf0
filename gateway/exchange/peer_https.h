// The exchange between gateways over HTTP/1.1 or HTTP/2 and mutual TLS 1.3 (`[exchange]
// transport = "https"` or "http2"), in place of gRPC: the consumer's gateway POSTs the
// serialized ExchangeMessage to /truc.v1.GatewayExchange/Exchange; the provider's gateway
// answers 200 with the response's ExchangeMessage, or an error status with an ExchangeFailure
// (proto/truc/v1/gateway_exchange.proto). The server takes both versions (ALPN decides); over
// HTTP/2 the calls to a peer gateway are streams of one connection per I/O thread.
//
// Trust is the same as over gRPC: each side pins the other to the TLS certificates the current
// global configuration registers for gateways, at every handshake. Connections are kept open
// between calls, per peer gateway and configuration version (a new configuration takes new
// handshakes, so that a revocation ends the trust of established connections).
//
// Why a transport of our own: gRPC's poller hands every event of the process to whichever of its
// threads polls, and its queues add hand-offs per call; Beast on an io_context does the TLS and
// HTTP work on the thread that reads the bytes (bench/suite/analysis.md, steps 6 and 7).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/net/http_client.h"
#include "core/net/http_message.h"
#include "core/net/http_server.h"
#include "core/rpc/pinned_tls.h"
#include "gateway/exchange/peer_channels.h"
#include "gateway/exchange/provider_proxy.h"
#include "truc/v1/gateway_exchange.pb.h"

namespace truc::gateway {

// The request target of an exchange.
inline constexpr char kExchangeTarget[] = "/truc.v1.GatewayExchange/Exchange";

// The consumer's side: calls providers' gateways over HTTPS. Thread-safe.
class HttpsPeers final : public PeerTransport {
 public:
  // `clock` and `loop` must outlive this. The loop's threads run the connections (and the
  // callers' `done`).
  HttpsPeers(rpc::TlsIdentity identity, ViewSource views, const Clock& clock,
             PeerChannelOptions options, net::EventLoop& loop);
  // Shutdown().
  ~HttpsPeers() override;

  // Cancels the calls in flight (their callers get a NetworkError) and waits for them to end;
  // later calls fail at once. Idempotent.
  void Shutdown();

  // As PeerChannels::Exchange: gateways of `provider` are tried in turn (those that did not
  // fail to connect lately first, from a rotating start); the next only when one could not be
  // reached or refused at the handshake. Errors as PeerChannels::ExchangeAndWait's.
  void Exchange(const ids::MemberId& provider, const std::optional<ids::ServerId>& target,
                const v1::ExchangeMessage& request, std::chrono::system_clock::time_point deadline,
                Done done) override;

 private:
  class Attempt;
  struct Peer {
    std::string address;
    uint64_t version = 0;  // Of the configuration its check was made under.
    std::shared_ptr<const net::PinnedTlsClient> tls;
    // When a call last could not reach it (the epoch when never).
    std::chrono::steady_clock::time_point failed_at;
  };

  // The peer for `gateway` under configuration `version`.
  std::shared_ptr<Peer> PeerFor(const globalconf::GatewayInfo& gateway, uint64_t version);
  void Ended();

  const std::shared_ptr<const net::TlsIdentityPem> identity_;
  const ViewSource views_;
  const Clock& clock_;
  const PeerChannelOptions options_;
  net::AsyncHttpClient client_;

  std::mutex mu_;
  std::map<ids::ServerId, std::shared_ptr<Peer>> peers_;  // Guarded by mu_.
  uint64_t rotation_ = 0;                                 // Guarded by mu_.
  uint64_t groups_ = 0;                                   // Guarded by mu_.
  int64_t in_flight_ = 0;                                 // Guarded by mu_.
  bool shutting_down_ = false;                            // Guarded by mu_.
  std::condition_variable idle_;
};

// The provider's side: the HTTPS server other gateways call, handing each request to `provider`.
// Peers are authenticated at the handshake by PeerCheckForGateways.
struct ExchangeServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;
  net::EventLoop* loop = nullptr;  // Where the server runs (must outlive it).
  size_t max_message_bytes = 64 << 20;
};
StatusOr<std::unique_ptr<net::HttpServer>> StartHttpsExchangeServer(
    const ExchangeServerOptions& options, const rpc::TlsIdentity& identity, ViewSource views,
    const Clock& clock, ProviderProxy& provider);

// The answer the provider's side sends for `answer`.
net::HttpResponse ExchangeHttpResponse(const StatusOr<v1::ExchangeMessage>& answer);
// What the gateway at `address` answered with `response`: its message, its failure, or
// ClientProxy NetworkError for an answer that is neither.
StatusOr<v1::ExchangeMessage> ExchangeAnswerOf(const net::HttpResponse& response,
                                               const std::string& address);

}  // namespace truc::gateway
