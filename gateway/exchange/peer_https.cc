#include "gateway/exchange/peer_https.h"

#include <algorithm>

#include <fmt/format.h>

#include "gateway/errors.h"

namespace truc::gateway {
namespace {

constexpr char kProtobuf[] = "application/x-protobuf";
// After a gateway could not be reached, how long others are tried before it.
constexpr std::chrono::seconds kFailingFor{5};

// The HTTP status that carries a failure of `code` (the ExchangeFailure in the body is what
// counts; the status is for people and proxies reading the traffic).
int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 412;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnimplemented:
      return 501;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

net::HttpResponse Protobuf(int status, const google::protobuf::MessageLite& message) {
  return net::MakeResponse(status, kProtobuf, message.SerializeAsString());
}

}  // namespace

StatusOr<v1::ExchangeMessage> ExchangeAnswerOf(const net::HttpResponse& response,
                                               const std::string& address) {
  const std::string where = fmt::format("gateway at {}", address);
  const std::optional<std::string> type = response.headers.Get("Content-Type");
  const bool protobuf = type.has_value() && *type == kProtobuf;
  if (response.status == 200 && protobuf) {
    v1::ExchangeMessage message;
    if (message.ParseFromString(response.body)) return message;
    return ClientProxyError(error_code::kNetworkError,
                            where + " answered with a message that does not parse");
  }
  v1::ExchangeFailure failure;
  if (response.status != 200 && protobuf && failure.ParseFromString(response.body) &&
      failure.code() > 0 && failure.code() <= static_cast<int>(StatusCode::kUnauthenticated)) {
    return Status(static_cast<StatusCode>(failure.code()), failure.message(), failure.reason());
  }
  return ClientProxyError(
      error_code::kNetworkError,
      fmt::format("{} answered HTTP {} without an exchange message", where, response.status));
}

net::HttpResponse ExchangeHttpResponse(const StatusOr<v1::ExchangeMessage>& answer) {
  if (answer.ok()) return Protobuf(200, *answer);
  const Status& error = answer.status();
  v1::ExchangeFailure failure;
  failure.set_code(static_cast<int>(error.code()));
  failure.set_message(error.message());
  failure.set_reason(error.reason());
  return Protobuf(HttpStatusOf(error.code()), failure);
}

StatusOr<std::unique_ptr<net::HttpServer>> StartHttpsExchangeServer(
    const ExchangeServerOptions& options, const rpc::TlsIdentity& identity, ViewSource views,
    const Clock& clock, ProviderProxy& provider) {
  net::HttpServerOptions server;
  server.address = options.address;
  server.port = options.port;
  server.loop = options.loop;
  server.max_body_bytes = options.max_message_bytes;
  server.tls = net::TlsServerOptions{
      .pinned = net::PinnedTlsServer{.identity = {identity.certificate_chain_pem,
                                                  identity.private_key_pem},
                                     .check = PeerCheckForGateways(std::move(views), clock)},
      .http2 = true};  // For peers that ask for it; HTTP/1.1 for the others.
  // A request that is not an exchange: answered with its own status.
  const auto refuse = [](int status, std::string message) {
    net::HttpResponse response =
        ExchangeHttpResponse(ServerProxyError(error_code::kInvalidRequest, std::move(message)));
    response.status = status;
    return response;
  };
  net::HttpHandler handler = [&provider, refuse](net::HttpRequest request,
                                                 net::HttpResponder respond) {
    if (request.target != kExchangeTarget) {
      return respond(refuse(404, "no such exchange endpoint"));
    }
    if (request.method != "POST") {
      net::HttpResponse response = refuse(405, "an exchange is a POST");
      response.headers.Set("Allow", "POST");
      return respond(std::move(response));
    }
    auto message = std::make_shared<v1::ExchangeMessage>();
    if (!message->ParseFromString(request.body)) {
      return respond(refuse(400, "the exchange message does not parse"));
    }
    provider.Accept(request.peer_certificate.get(), *message,
                    [message, respond = std::move(respond)](StatusOr<v1::ExchangeMessage> answer) {
                      respond(ExchangeHttpResponse(answer));
                    });
  };
  auto started = net::HttpServer::Start(std::move(server), std::move(handler));
  if (!started.ok() && started.status().reason() == "net.listen_failed") {
    // As the gRPC transport says it.
    return UnavailableError(fmt::format("cannot listen on {}:{} for other gateways: {}",
                                        options.address, options.port, started.status().message()),
                            "net.listen_failed");
  }
  if (!started.ok()) return started.status().Annotate("the exchange server for other gateways");
  return started;
}

// One call of Exchange: tries the peers in turn until one answers or none is left.
class HttpsPeers::Attempt final : public std::enable_shared_from_this<Attempt> {
 public:
  Attempt(HttpsPeers& owner, std::vector<std::shared_ptr<Peer>> peers, std::string body,
          std::chrono::system_clock::time_point deadline, Done done)
      : owner_(owner),
        peers_(std::move(peers)),
        body_(std::move(body)),
        deadline_(deadline),
        done_(std::move(done)) {}

  void Start() {
    const std::shared_ptr<Peer>& peer = peers_[next_];
    net::HttpClientOptions options;
    options.timeout = std::max(std::chrono::milliseconds(1),
                               std::chrono::duration_cast<std::chrono::milliseconds>(
                                   deadline_ - std::chrono::system_clock::now()));
    options.max_response_bytes = owner_.options_.max_message_bytes;
    options.tls.pinned = peer->tls;
    options.tls.http2 = owner_.options_.http2;
    net::HttpHeaders headers;
    headers.Add("Content-Type", kProtobuf);
    // The last gateway to try gets the body itself; earlier ones a copy.
    std::string body = next_ + 1 < peers_.size() ? body_ : std::move(body_);
    owner_.client_.Fetch("POST", fmt::format("https://{}{}", peer->address, kExchangeTarget),
                         headers, std::move(body), options,
                         [self = shared_from_this()](StatusOr<net::HttpResponse> response) {
                           self->Answered(std::move(response));
                         });
  }

 private:
  void Answered(StatusOr<net::HttpResponse> response) {
    const std::shared_ptr<Peer>& peer = peers_[next_];
    if (response.ok()) return Finish(ExchangeAnswerOf(*response, peer->address));
    const Status& error = response.status();
    // Refused at the handshake by our check (its error is already typed), or not reached:
    // the request never arrived, and the next gateway may be tried.
    const bool refused = IsErrorType(error.reason());
    const bool unreachable = error.code() == StatusCode::kUnavailable;
    Status typed =
        refused ? error
                : AsExchangeError(error.Annotate(fmt::format("gateway at {}", peer->address)),
                                  kClientProxyPrefix);
    if (refused) refused_ = typed;
    if (unreachable) {
      std::lock_guard lock(owner_.mu_);
      peer->failed_at = std::chrono::steady_clock::now();
    }
    if (error.code() == StatusCode::kCancelled) {
      return Finish(ClientProxyError(error_code::kNetworkError, "this gateway is stopping"));
    }
    if ((refused || unreachable) && ++next_ < peers_.size()) return Start();
    // A gateway refused for its certificate says more (a security event) than another that is
    // down: that is the answer when none could be used.
    Finish(refused_.ok() ? std::move(typed) : refused_);
  }

  void Finish(StatusOr<v1::ExchangeMessage> answer) {
    Done done = std::move(done_);
    done(std::move(answer));
    owner_.Ended();
  }

  HttpsPeers& owner_;
  const std::vector<std::shared_ptr<Peer>> peers_;
  std::string body_;
  const std::chrono::system_clock::time_point deadline_;
  Done done_;
  size_t next_ = 0;
  Status refused_;
};

HttpsPeers::HttpsPeers(rpc::TlsIdentity identity, ViewSource views, const Clock& clock,
                       PeerChannelOptions options, net::EventLoop& loop)
    : identity_(std::make_shared<const net::TlsIdentityPem>(net::TlsIdentityPem{
          std::move(identity.certificate_chain_pem), std::move(identity.private_key_pem)})),
      views_(std::move(views)),
      clock_(clock),
      options_(options),
      client_(loop, options.max_idle_connections) {}

HttpsPeers::~HttpsPeers() { Shutdown(); }

void HttpsPeers::Shutdown() {
  {
    std::unique_lock lock(mu_);
    shutting_down_ = true;
  }
  // Calls still waiting for a peer end now, as over gRPC.
  client_.Cancel();
  {
    std::unique_lock lock(mu_);
    idle_.wait(lock, [this] { return in_flight_ == 0; });
  }
  client_.Shutdown();
}

void HttpsPeers::Ended() {
  std::lock_guard lock(mu_);
  if (--in_flight_ == 0) idle_.notify_all();
}

std::shared_ptr<HttpsPeers::Peer> HttpsPeers::PeerFor(const globalconf::GatewayInfo& gateway,
                                                      uint64_t version) {
  std::lock_guard lock(mu_);
  std::shared_ptr<Peer>& peer = peers_[gateway.id];
  if (peer != nullptr && peer->address == gateway.address && peer->version == version) {
    return peer;
  }
  auto fresh = std::make_shared<Peer>();
  fresh->address = gateway.address;
  fresh->version = version;
  if (peer != nullptr) fresh->failed_at = peer->failed_at;
  // The check holds copies (the clock outlives every gateway component): a kept connection may
  // outlive this Peer.
  fresh->tls = std::make_shared<const net::PinnedTlsClient>(net::PinnedTlsClient{
      .identity = identity_,
      .check =
          [views = views_, &clock = clock_, server = gateway.id](
              const crypto::Certificate& leaf, std::span<const crypto::Certificate>) {
            const std::shared_ptr<const globalconf::ConfigurationView> view = views();
            return CheckPeerIsGateway(view.get(), server, leaf, clock.Now());
          },
      // Connections made under this check serve only calls under it.
      .group = fmt::format("{}/{}", gateway.id.ToString(), ++groups_)});
  peer = fresh;
  return peer;
}

void HttpsPeers::Exchange(const ids::MemberId& provider, const std::optional<ids::ServerId>& target,
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
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) {
      return done(ClientProxyError(error_code::kNetworkError, "this gateway is stopping"));
    }
    const size_t start = rotation_++ % peers.size();
    std::rotate(peers.begin(), peers.begin() + static_cast<std::ptrdiff_t>(start), peers.end());
    const auto now = std::chrono::steady_clock::now();
    std::stable_partition(peers.begin(), peers.end(), [&](const std::shared_ptr<Peer>& peer) {
      return now - peer->failed_at >= kFailingFor;
    });
    ++in_flight_;
  }
  auto attempt = std::make_shared<Attempt>(*this, std::move(peers), request.SerializeAsString(),
                                           deadline, std::move(done));
  attempt->Start();
}

}  // namespace truc::gateway
