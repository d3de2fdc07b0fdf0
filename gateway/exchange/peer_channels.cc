#include "gateway/exchange/peer_channels.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/pki/certificate_profiles.h"
#include "core/rpc/grpc_util.h"
#include "gateway/errors.h"

namespace truc::gateway {
namespace {

Status AuthenticationError(std::string_view prefix, std::string message) {
  return ProxyError(prefix, error_code::kSslAuthenticationFailed, std::move(message));
}

// Whether `leaf` is a certificate gateway `server` may present now.
Status CheckPeer(const globalconf::ConfigurationView* view, const ids::ServerId& server,
                 const crypto::Certificate& leaf, TimePoint now) {
  if (view == nullptr) {
    return ClientProxyError(error_code::kOutdatedGlobalConf, "no global configuration");
  }
  TRUC_ASSIGN_OR_RETURN(const globalconf::GatewayInfo* gateway,
                        AuthenticateGateway(*view, leaf, now, kClientProxyPrefix));
  if (gateway->id != server) {
    return AuthenticationError(
        kClientProxyPrefix, fmt::format("the peer presented the TLS certificate of {}, not of {}",
                                        gateway->id.ToString(), server.ToString()));
  }
  return OkStatus();
}

}  // namespace

StatusOr<const globalconf::GatewayInfo*> AuthenticateGateway(
    const globalconf::ConfigurationView& view, const crypto::Certificate& certificate,
    TimePoint now, std::string_view prefix) {
  const std::string fingerprint = certificate.Fingerprint();
  const globalconf::GatewayInfo* registered = view.FindGatewayByTlsFingerprint(fingerprint);
  if (registered == nullptr) {
    return AuthenticationError(prefix,
                               fmt::format("the TLS certificate '{}' is not registered for any "
                                           "gateway",
                                           certificate.subject()));
  }
  if (now < certificate.not_before() || now > certificate.not_after()) {
    return AuthenticationError(prefix, fmt::format("the TLS certificate of gateway {} is not "
                                                   "valid now",
                                                   registered->id.ToString()));
  }
  if (view.revoked_fingerprints().contains(fingerprint)) {
    return AuthenticationError(prefix, fmt::format("the TLS certificate of gateway {} is revoked",
                                                   registered->id.ToString()));
  }
  return registered;
}

struct PeerChannels::Peer {
  std::string address;
  uint64_t version = 0;  // Of the configuration the channel was made under.
  std::unique_ptr<v1::GatewayExchange::Stub> stub;
  std::shared_ptr<grpc::Channel> channel;
  // Why the last handshake refused the peer, if it did; guarded by mu.
  std::mutex mu;
  Status last_refusal;
};

PeerChannels::PeerChannels(rpc::TlsIdentity identity, ViewSource views, const Clock& clock,
                           PeerChannelOptions options)
    : identity_(std::move(identity)), views_(std::move(views)), clock_(clock), options_(options) {}

std::shared_ptr<PeerChannels::Peer> PeerChannels::PeerFor(const globalconf::GatewayInfo& gateway,
                                                          uint64_t version) {
  std::lock_guard lock(mu_);
  std::shared_ptr<Peer>& peer = peers_[gateway.id];
  // A connection is authenticated once, at its handshake, under the configuration of then: a
  // new configuration (a revoked or replaced certificate) takes a new handshake.
  if (peer != nullptr && peer->address == gateway.address && peer->version == version) {
    return peer;
  }

  auto fresh = std::make_shared<Peer>();
  fresh->address = gateway.address;
  fresh->version = version;
  std::weak_ptr<Peer> weak = fresh;
  // gRPC may run the check on its own threads while a channel winds down, so it holds copies
  // (the clock outlives every gateway component) rather than `this`.
  rpc::PeerCheck check = [views = views_, &clock = clock_, server = gateway.id, weak](
                             const crypto::Certificate& leaf,
                             std::span<const crypto::Certificate>) {
    const std::shared_ptr<const globalconf::ConfigurationView> view = views();
    const Status verdict = CheckPeer(view.get(), server, leaf, clock.Now());
    if (const std::shared_ptr<Peer> owner = weak.lock()) {
      std::lock_guard peer_lock(owner->mu);
      owner->last_refusal = verdict;
    }
    return verdict;
  };
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(static_cast<int>(options_.max_message_bytes));
  args.SetMaxSendMessageSize(static_cast<int>(options_.max_message_bytes));
  args.SetInt(GRPC_ARG_CLIENT_IDLE_TIMEOUT_MS, static_cast<int>(options_.idle_timeout.count()));
  // Each peer gets its own connection rather than one shared through gRPC's global subchannel
  // pool, which would ignore that our credentials differ per peer.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  fresh->channel = grpc::CreateCustomChannel(
      gateway.address, rpc::PinnedTlsChannelCredentials(identity_, std::move(check)), args);
  fresh->stub = v1::GatewayExchange::NewStub(fresh->channel);
  peer = fresh;
  return peer;
}

StatusOr<v1::ExchangeMessage> PeerChannels::Exchange(
    const ids::MemberId& provider, const std::optional<ids::ServerId>& target,
    const v1::ExchangeMessage& request, std::chrono::system_clock::time_point deadline) {
  const std::shared_ptr<const globalconf::ConfigurationView> view = views_();
  if (view == nullptr) {
    return ClientProxyError(error_code::kOutdatedGlobalConf, "no global configuration");
  }
  std::vector<const globalconf::GatewayInfo*> candidates;
  for (const globalconf::GatewayInfo& gateway : view->GatewaysOf(provider)) {
    if (!target.has_value() || gateway.id == *target) candidates.push_back(&gateway);
  }
  if (candidates.empty()) {
    return ClientProxyError(
        error_code::kUnknownMember,
        target.has_value()
            ? fmt::format("{} is not a gateway of {}", target->ToString(), provider.ToString())
            : fmt::format("{} has no gateway registered", provider.ToString()));
  }
  std::vector<std::shared_ptr<Peer>> peers;
  for (const globalconf::GatewayInfo* gateway : candidates) {
    peers.push_back(PeerFor(*gateway, view->info().version));
  }
  size_t start = 0;
  {
    std::lock_guard lock(mu_);
    start = rotation_++ % peers.size();
  }
  std::rotate(peers.begin(), peers.begin() + static_cast<std::ptrdiff_t>(start), peers.end());
  std::stable_partition(peers.begin(), peers.end(), [](const std::shared_ptr<Peer>& peer) {
    return peer->channel->GetState(false) != GRPC_CHANNEL_TRANSIENT_FAILURE;
  });

  Status last_error;
  Status refused;
  for (const std::shared_ptr<Peer>& peer : peers) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    v1::ExchangeMessage response;
    const grpc::Status status = peer->stub->Exchange(&context, request, &response);
    if (status.ok()) return response;
    Status error = rpc::FromGrpcStatus(status);
    // An error the provider's gateway raised is its answer; only an unreachable gateway is
    // worth trying the next one.
    if (IsErrorType(error.reason())) return error;
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      std::lock_guard peer_lock(peer->mu);
      if (!peer->last_refusal.ok()) error = peer->last_refusal;
    }
    last_error = AsExchangeError(error.Annotate(fmt::format("gateway at {}", peer->address)),
                                 kClientProxyPrefix);
    // A gateway refused for its certificate says more (a security event) than another that is
    // down: that is the answer when none could be used.
    if (last_error.reason().ends_with(error_code::kSslAuthenticationFailed)) {
      refused = last_error;
    }
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE) break;
  }
  return refused.ok() ? last_error : refused;
}

}  // namespace truc::gateway
