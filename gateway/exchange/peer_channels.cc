#include "gateway/exchange/peer_channels.h"

#include <algorithm>
#include <future>

#include <fmt/format.h>

#include "core/pki/certificate_profiles.h"
#include "core/rpc/grpc_util.h"
#include "gateway/errors.h"

namespace truc::gateway {
namespace {

Status AuthenticationError(std::string_view prefix, std::string message) {
  return ProxyError(prefix, error_code::kSslAuthenticationFailed, std::move(message));
}

}  // namespace

Status CheckPeerIsGateway(const globalconf::ConfigurationView* view, const ids::ServerId& server,
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

StatusOr<std::vector<const globalconf::GatewayInfo*>> GatewaysOf(
    const globalconf::ConfigurationView* view, const ids::MemberId& provider,
    const std::optional<ids::ServerId>& target) {
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
  return candidates;
}

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
    : identity_(std::move(identity)),
      views_(std::move(views)),
      clock_(clock),
      options_(options),
      queue_threads_(queue_, 1, "peer-calls") {}

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
    const Status verdict = CheckPeerIsGateway(view.get(), server, leaf, clock.Now());
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

// One call of Exchange: tries the peers in turn, one gRPC call at a time, until one answers or
// none is left. Owned by the queue while a gRPC call is pending; deletes itself when done.
class PeerChannels::Attempt final : public rpc::CompletionTag {
 public:
  Attempt(PeerChannels& owner, std::vector<std::shared_ptr<Peer>> peers,
          const v1::ExchangeMessage& request, std::chrono::system_clock::time_point deadline,
          Done done)
      : owner_(owner),
        peers_(std::move(peers)),
        request_(request),
        deadline_(deadline),
        done_(std::move(done)) {}

  // Starts the call to the next peer. Must not hold owner_.mu_.
  void Start() {
    const std::shared_ptr<Peer>& peer = peers_[next_];
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(deadline_);
    response_.Clear();
    {
      std::lock_guard lock(owner_.mu_);
      context_ = std::move(context);
      if (cancelled_) context_->TryCancel();
    }
    call_ = peer->stub->PrepareAsyncExchange(context_.get(), request_, &owner_.queue_);
    call_->StartCall();
    call_->Finish(&response_, &status_, this);
  }

  // Called with owner_.mu_ held.
  void Cancel() {
    cancelled_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }

  void Completed(bool) override {
    const std::shared_ptr<Peer>& peer = peers_[next_];
    if (status_.ok()) return Finish(std::move(response_));
    Status error = rpc::FromGrpcStatus(status_);
    // An error the provider's gateway raised is its answer; only an unreachable gateway is
    // worth trying the next one.
    if (IsErrorType(error.reason())) return Finish(std::move(error));
    if (status_.error_code() == grpc::StatusCode::UNAVAILABLE) {
      std::lock_guard peer_lock(peer->mu);
      if (!peer->last_refusal.ok()) error = peer->last_refusal;
    }
    last_error_ = AsExchangeError(error.Annotate(fmt::format("gateway at {}", peer->address)),
                                  kClientProxyPrefix);
    // A gateway refused for its certificate says more (a security event) than another that is
    // down: that is the answer when none could be used.
    if (last_error_.reason().ends_with(error_code::kSslAuthenticationFailed)) {
      refused_ = last_error_;
    }
    bool cancelled = false;
    {
      std::lock_guard lock(owner_.mu_);
      cancelled = cancelled_;
    }
    if (status_.error_code() == grpc::StatusCode::UNAVAILABLE && !cancelled &&
        ++next_ < peers_.size()) {
      call_.reset();
      return Start();
    }
    Finish(refused_.ok() ? last_error_ : refused_);
  }

 private:
  void Finish(StatusOr<v1::ExchangeMessage> answer) {
    Done done = std::move(done_);
    PeerChannels& owner = owner_;
    {
      std::lock_guard lock(owner.mu_);
      owner.in_flight_.erase(this);
    }
    delete this;
    done(std::move(answer));
    std::lock_guard lock(owner.mu_);
    if (owner.in_flight_.empty()) owner.idle_.notify_all();
  }

  PeerChannels& owner_;
  const std::vector<std::shared_ptr<Peer>> peers_;
  const v1::ExchangeMessage& request_;
  const std::chrono::system_clock::time_point deadline_;
  Done done_;
  size_t next_ = 0;
  bool cancelled_ = false;  // Guarded by owner_.mu_.
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ExchangeMessage>> call_;
  v1::ExchangeMessage response_;
  grpc::Status status_;
  Status last_error_;
  Status refused_;
};

PeerChannels::~PeerChannels() { Shutdown(); }

void PeerChannels::Shutdown() {
  {
    std::unique_lock lock(mu_);
    shutting_down_ = true;
    for (Attempt* attempt : in_flight_) attempt->Cancel();
    idle_.wait(lock, [this] { return in_flight_.empty(); });
  }
  queue_threads_.Shutdown();
}

void PeerChannels::Exchange(const ids::MemberId& provider,
                            const std::optional<ids::ServerId>& target,
                            const v1::ExchangeMessage& request,
                            std::chrono::system_clock::time_point deadline, Done done) {
  const std::shared_ptr<const globalconf::ConfigurationView> view = views_();
  StatusOr<std::vector<const globalconf::GatewayInfo*>> candidates =
      GatewaysOf(view.get(), provider, target);
  if (!candidates.ok()) return done(candidates.status());
  std::vector<std::shared_ptr<Peer>> peers;
  for (const globalconf::GatewayInfo* gateway : *candidates) {
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
  Attempt* attempt = nullptr;
  {
    std::lock_guard lock(mu_);
    if (!shutting_down_) {
      attempt = new Attempt(*this, std::move(peers), request, deadline, std::move(done));
      in_flight_.insert(attempt);
    }
  }
  if (attempt == nullptr) {
    return done(ClientProxyError(error_code::kNetworkError, "this gateway is stopping"));
  }
  attempt->Start();  // Outside the lock: the call may complete, and take it, at once.
}

StatusOr<v1::ExchangeMessage> PeerChannels::ExchangeAndWait(
    const ids::MemberId& provider, const std::optional<ids::ServerId>& target,
    const v1::ExchangeMessage& request, std::chrono::system_clock::time_point deadline) {
  std::promise<StatusOr<v1::ExchangeMessage>> answered;
  std::future<StatusOr<v1::ExchangeMessage>> answer = answered.get_future();
  Exchange(provider, target, request, deadline, [&answered](StatusOr<v1::ExchangeMessage> result) {
    answered.set_value(std::move(result));
  });
  return answer.get();
}

}  // namespace truc::gateway
