#include "core/net/http_client.h"

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>
#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>

#include "core/net/event_loop_internal.h"
#include "core/net/http2_session.h"
#include "core/net/http_syntax.h"
#include "core/net/tls_context.h"

namespace truc::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// The read buffer of a response starts this large.
constexpr size_t kFirstReadBytes = 16 << 10;

Status NetworkError(const std::string& url, std::string_view step, const beast::error_code& error) {
  const std::string message = fmt::format("{} {}: {}", step, url, error.message());
  if (error == beast::error::timeout)
    return Status(StatusCode::kDeadlineExceeded, message, "net.timeout");
  if (error == http::error::body_limit) {
    return Status(StatusCode::kResourceExhausted, message, "net.response_too_large");
  }
  return UnavailableError(message, "net.unreachable");
}

uint16_t DefaultPort(bool tls) { return tls ? 443 : 80; }

// The Host header for `url`.
std::string HostHeader(const HttpUrl& url) {
  const std::string host =
      url.host.find(':') == std::string::npos ? url.host : fmt::format("[{}]", url.host);
  return url.port == DefaultPort(url.tls) ? host : fmt::format("{}:{}", host, url.port);
}

// Names `host` to the server (SNI, which carries DNS names only) and, when `verify`, makes the
// handshake fail unless the server's certificate names `host` (a DNS name or an IP address).
Status PrepareTlsHandshake(SSL* ssl, const std::string& url, const std::string& host, bool verify) {
  beast::error_code not_an_address;
  asio::ip::make_address(host, not_an_address);
  if ((not_an_address && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) ||
      (verify && SSL_set1_host(ssl, host.c_str()) != 1)) {
    return InvalidArgumentError(fmt::format("cannot ask for TLS host '{}' in {}", host, url),
                                "net.bad_url");
  }
  return OkStatus();
}

Status HandshakeError(const std::string& url, const beast::error_code& error, const SSL* ssl) {
  // A pinned check's refusal says why, in its own words.
  if (const internal::PeerVerification* pinned = internal::PeerVerificationOf(ssl);
      pinned != nullptr && !pinned->verdict.ok()) {
    return pinned->verdict;
  }
  if (const long verdict = SSL_get_verify_result(ssl); verdict != X509_V_OK) {
    return UnavailableError(fmt::format("cannot verify the TLS certificate of {}: {}", url,
                                        X509_verify_cert_error_string(verdict)),
                            "net.tls_untrusted_server");
  }
  if (error == beast::error::timeout) return NetworkError(url, "TLS handshake with", error);
  return UnavailableError(fmt::format("TLS handshake with {} failed: {}", url, error.message()),
                          "net.tls_handshake_failed");
}

// Connects `stream` (a beast::tcp_stream or a TlsStream) to the server of `url` and, for TLS,
// makes the handshake. The stream's expiry must be set.
template <typename Stream>
asio::awaitable<Status> Connect(Stream& stream, const std::string& url, const HttpUrl& parts,
                                const HttpClientOptions& options) {
  beast::tcp_stream& transport = beast::get_lowest_layer(stream);
  // An address is used as it is. A name is resolved on this (the caller's) thread: Asio's
  // asynchronous resolver would start a thread of its own for each io_context, that is for
  // each call.
  std::vector<tcp::endpoint> endpoints;
  boost::system::error_code resolve_error;
  const asio::ip::address literal = asio::ip::make_address(parts.host, resolve_error);
  if (!resolve_error) {
    endpoints.emplace_back(literal, parts.port);
  } else {
    tcp::resolver resolver(co_await asio::this_coro::executor);
    resolve_error.clear();
    for (const auto& entry :
         resolver.resolve(parts.host, std::to_string(parts.port), resolve_error)) {
      endpoints.push_back(entry.endpoint());
    }
  }
  if (resolve_error || endpoints.empty()) {
    co_return NetworkError(url, "cannot resolve", resolve_error);
  }
  auto [connect_error, endpoint] = co_await transport.async_connect(endpoints, kNoThrow);
  if (connect_error) co_return NetworkError(url, "cannot connect to", connect_error);
  // Each message goes out whole, as one write: waiting to coalesce it with more only delays it.
  beast::error_code ignored;
  transport.socket().set_option(tcp::no_delay(true), ignored);
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    Status prepared =
        PrepareTlsHandshake(stream.native_handle(), url, parts.host,
                            options.tls.verify_hostname && options.tls.pinned == nullptr);
    if (!prepared.ok()) co_return prepared;
    auto [handshake_error] =
        co_await stream.async_handshake(asio::ssl::stream_base::client, kNoThrow);
    if (handshake_error) co_return HandshakeError(url, handshake_error, stream.native_handle());
  }
  co_return OkStatus();
}

// Runs one exchange on `stream` (a beast::tcp_stream or a TlsStream, not yet connected) and
// stores its outcome in `result`.
// With `connected`, the stream is an open connection kept alive from an earlier exchange: no
// connect, and `reusable` says whether it may serve another (the server kept it open).
template <typename Stream>
asio::awaitable<void> Exchange(Stream& stream, const std::string& url, const HttpUrl& parts,
                               http::request<http::string_body> request,
                               const HttpClientOptions& options,
                               std::chrono::steady_clock::time_point deadline,
                               StatusOr<HttpResponse>& result, bool connected = false,
                               bool* reusable = nullptr) {
  beast::tcp_stream& transport = beast::get_lowest_layer(stream);
  transport.expires_at(deadline);
  if (!connected) {
    Status connection = co_await Connect(stream, url, parts, options);
    if (!connection.ok()) {
      result = std::move(connection);
      co_return;
    }
  }
  auto [write_error, written] = co_await http::async_write(stream, request, kNoThrow);
  if (write_error) {
    result = NetworkError(url, "cannot send to", write_error);
    co_return;
  }

  beast::flat_buffer buffer;
  // Beast reads into what the buffer has room for, at least 512 bytes: a small response would
  // take three reads (system calls) instead of one.
  buffer.reserve(kFirstReadBytes);
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kNoThrow);
  if (read_error) {
    result = NetworkError(url, "no valid response from", read_error);
    co_return;
  }

  http::response<http::string_body> message = parser.release();
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.Add(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  if (reusable != nullptr && message.keep_alive() && buffer.size() == 0) {
    *reusable = true;
  } else {
    // The response is complete: no need to wait for a TLS close_notify.
    beast::error_code ignored;
    transport.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }
  result = std::move(response);
}

}  // namespace

StatusOr<HttpUrl> ParseHttpUrl(const std::string& url) {
  constexpr std::string_view kHttp = "http://";
  constexpr std::string_view kHttps = "https://";
  const auto invalid = [&](std::string_view why) {
    return InvalidArgumentError(fmt::format("invalid URL '{}': {}", url, why), "net.bad_url");
  };
  HttpUrl parts;
  std::string_view rest = url;
  if (rest.starts_with(kHttps)) {
    parts.tls = true;
    rest.remove_prefix(kHttps.size());
  } else if (rest.starts_with(kHttp)) {
    rest.remove_prefix(kHttp.size());
  } else {
    return invalid("only http:// and https:// URLs are supported");
  }
  parts.port = DefaultPort(parts.tls);
  const size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    parts.target = std::string(rest.substr(slash));
    if (parts.target.front() == '?') parts.target.insert(0, "/");
  }
  if (authority.find('@') != std::string_view::npos) return invalid("user info is not allowed");
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid("unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return invalid("garbage after IPv6 address");
      port = authority.substr(close + 2);
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return invalid("no host");
  parts.host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return invalid(fmt::format("bad port '{}'", port));
    }
    parts.port = static_cast<uint16_t>(value);
  }
  return parts;
}

namespace {

// The request `method` `url` with `headers` and `body`, checked as HttpFetch says.
StatusOr<http::request<http::string_body>> BuildRequest(const std::string& method,
                                                        const std::string& url,
                                                        const HttpUrl& parts,
                                                        const HttpHeaders& headers,
                                                        std::string body) {
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    return InvalidArgumentError(fmt::format("unknown HTTP method '{}'", method), "net.bad_method");
  }
  // Beast writes what it is given: a CR or LF here would split the request in two.
  if (!IsOriginFormTarget(parts.target) || !IsHttpFieldValue(HostHeader(parts))) {
    return InvalidArgumentError(
        fmt::format("the host or request target of {} holds a space or control character", url),
        "net.bad_request");
  }
  for (const auto& [name, value] : headers.fields()) {
    // The message's framing and its Host are this client's to set, never a caller's.
    if (EqualsIgnoreCase(name, "Host") || EqualsIgnoreCase(name, "Content-Length") ||
        EqualsIgnoreCase(name, "Transfer-Encoding")) {
      return InvalidArgumentError(
          fmt::format("the header field '{}' of the request to {} is set by the client", name, url),
          "net.bad_request");
    }
    if (!IsHttpToken(name) || !IsHttpFieldValue(value)) {
      return InvalidArgumentError(
          fmt::format("the header field '{}' of the request to {} is not valid HTTP", name, url),
          "net.bad_request");
    }
  }
  http::request<http::string_body> request(verb, parts.target, 11);
  request.set(http::field::host, HostHeader(parts));
  for (const auto& [name, value] : headers.fields()) request.insert(name, value);
  request.body() = std::move(body);
  try {
    request.prepare_payload();
  } catch (const std::invalid_argument&) {  // Beast's verdict on a body this method may not have.
    return InvalidArgumentError(fmt::format("a {} request to {} may not carry a body", method, url),
                                "net.bad_request");
  }
  return request;
}

}  // namespace

StatusOr<HttpResponse> HttpFetch(const std::string& method, const std::string& url,
                                 const HttpHeaders& headers, const std::string& body,
                                 const HttpClientOptions& options) {
  TRUC_ASSIGN_OR_RETURN(const HttpUrl parts, ParseHttpUrl(url));
  TRUC_ASSIGN_OR_RETURN(http::request<http::string_body> request,
                        BuildRequest(method, url, parts, headers, body));
  request.keep_alive(false);

  asio::io_context io;
  StatusOr<HttpResponse> result = InternalError("HTTP exchange did not complete");
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  const auto run = [&](auto& stream) {
    asio::co_spawn(io, Exchange(stream, url, parts, std::move(request), options, deadline, result),
                   [&result](std::exception_ptr error) {
                     if (error) result = InternalError("HTTP exchange failed unexpectedly");
                   });
    io.run();
  };
  if (parts.tls) {
    TRUC_ASSIGN_OR_RETURN(asio::ssl::context context, internal::MakeClientTlsContext(options.tls));
    TlsStream stream(io, context);
    internal::PeerVerification verification;
    if (options.tls.pinned != nullptr) {
      verification.check = &options.tls.pinned->check;
      internal::AttachPeerVerification(stream.native_handle(), &verification);
    }
    run(stream);
  } else {
    beast::tcp_stream stream(io);
    run(stream);
  }
  return result;
}

namespace {

// One exchange on `call`'s connection, kept open from an earlier one when `call->reused`. A kept
// connection the server closed fails at once: the request then goes again on a new one.
template <typename Call>
asio::awaitable<void> PooledExchange(std::shared_ptr<Call> call, std::string url, HttpUrl parts,
                                     http::request<http::string_body> request,
                                     HttpClientOptions options,
                                     std::chrono::steady_clock::time_point deadline) {
  const auto exchange = [&](http::request<http::string_body> message) -> asio::awaitable<void> {
    auto& connection = *call->connection;
    if (connection.secure.has_value()) {
      co_await Exchange(*connection.secure, url, parts, std::move(message), options, deadline,
                        call->result, call->reused, &call->reusable);
    } else {
      co_await Exchange(*connection.plain, url, parts, std::move(message), options, deadline,
                        call->result, call->reused, &call->reusable);
    }
  };
  co_await exchange(request);
  if (call->reused && !call->result.ok() && !*call->cancelled &&
      call->result.status().code() == StatusCode::kUnavailable) {
    call->reused = false;
    call->reusable = false;
    call->connection->Renew();  // A new connection on the same strand, which this runs on.
    co_await exchange(std::move(request));
  }
}

}  // namespace

// What the asynchronous client shares with its calls in flight.
struct AsyncHttpClient::State {
  // A connection to one origin, plain or TLS, kept between calls.
  struct Connection {
    // Each stream on a strand of its own: the io_context has several threads, and a stream's
    // timer and socket must not complete concurrently (Beast's basic_stream requires it).
    Connection(asio::io_context& io, std::shared_ptr<asio::ssl::context> tls_context,
               std::shared_ptr<const PinnedTlsClient> pinning)
        : strand(asio::make_strand(io)),
          context(std::move(tls_context)),
          pinned(std::move(pinning)) {
      Renew();
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // A new, unconnected stream in place of the old.
    void Renew() {
      if (context == nullptr) {
        plain.emplace(strand);
        return;
      }
      secure.emplace(strand, *context);
      verification = internal::PeerVerification{};
      if (pinned != nullptr) {
        verification.check = &pinned->check;
        internal::AttachPeerVerification(secure->native_handle(), &verification);
      }
    }
    beast::tcp_stream& transport() {
      return secure.has_value() ? beast::get_lowest_layer(*secure) : *plain;
    }

    asio::strand<asio::io_context::executor_type> strand;
    std::shared_ptr<asio::ssl::context> context;  // Null for plain HTTP.
    std::shared_ptr<const PinnedTlsClient> pinned;
    internal::PeerVerification verification;  // Of the TLS stream's handshake.
    std::optional<beast::tcp_stream> plain;
    std::optional<TlsStream> secure;
    // When it went back to the pool.
    std::chrono::steady_clock::time_point kept;
  };
  // How long a connection may wait in the pool: servers close idle connections (ours after
  // 15 s), and one kept for a peer or configuration no longer called would never be used again.
  static constexpr std::chrono::seconds kMaxIdle{10};

  // The client's own io_context, unless it runs on a shared EventLoop.
  std::optional<asio::io_context> own_io;
  asio::io_context* io = nullptr;   // The client's own context, or
  EventLoop::Impl* loop = nullptr;  // the loop's.
  // The context for a new connection.
  asio::io_context& Pick() { return loop != nullptr ? loop->Pick() : *io; }
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  size_t max_idle_per_origin = 64;

  std::mutex mu;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle;  // Guarded by mu.
  struct TlsContextEntry {
    std::shared_ptr<asio::ssl::context> context;
    std::shared_ptr<const TlsIdentityPem> identity;  // A pinned context's.
  };
  // TLS contexts by the options they were built from (files, and whether hosts are checked; or
  // the pinned identity).
  std::map<std::string, TlsContextEntry> tls_contexts;  // Guarded by mu.
  std::chrono::steady_clock::time_point last_sweep;     // Guarded by mu.
  int64_t in_flight = 0;                                // Guarded by mu.
  // The connections of the calls in progress, for Cancel.
  std::set<Connection*> active;  // Guarded by mu.
  std::atomic<bool> cancelled{false};
  std::condition_variable idle_cv;
  bool stopped = false;  // Guarded by mu.
  // HTTP/2 connections by origin (TlsClientOptions::http2): one each, shared by its calls.
  std::map<std::string, std::shared_ptr<Http2Origin>> http2;  // Guarded by mu.
  // HTTP/2 connections whose coroutines have not ended, in the map or not.
  size_t http2_open = 0;  // Guarded by mu.

  std::unique_ptr<Connection> TakeIdle(const std::string& origin) {
    std::lock_guard lock(mu);
    std::vector<std::unique_ptr<Connection>>& kept = idle[origin];
    if (kept.empty()) return nullptr;
    // The last kept is the freshest: when it waited too long, so did the others.
    if (std::chrono::steady_clock::now() - kept.back()->kept >= kMaxIdle) {
      kept.clear();
      return nullptr;
    }
    std::unique_ptr<Connection> connection = std::move(kept.back());
    kept.pop_back();
    return connection;
  }
  void Keep(const std::string& origin, std::unique_ptr<Connection> connection) {
    const auto now = std::chrono::steady_clock::now();
    connection->kept = now;
    std::vector<std::unique_ptr<Connection>> expired;  // Closed outside the lock.
    std::lock_guard lock(mu);
    std::vector<std::unique_ptr<Connection>>& kept = idle[origin];
    if (kept.size() < max_idle_per_origin) kept.push_back(std::move(connection));
    if (now - last_sweep < std::chrono::seconds(1)) return;
    last_sweep = now;
    for (auto it = idle.begin(); it != idle.end();) {
      std::erase_if(it->second, [&](std::unique_ptr<Connection>& waiting) {
        if (now - waiting->kept < kMaxIdle) return false;
        expired.push_back(std::move(waiting));
        return true;
      });
      it = it->second.empty() ? idle.erase(it) : std::next(it);
    }
  }
  // The TLS context for `options`, built on first use.
  StatusOr<std::shared_ptr<asio::ssl::context>> TlsContext(const TlsClientOptions& options) {
    // A pinned identity by its address (the entry keeps it alive, so the address is not reused).
    const std::string key =
        options.pinned != nullptr
            ? fmt::format("pinned\n{}", static_cast<const void*>(options.pinned->identity.get()))
            : fmt::format("{}\n{}\n{}\n{}", options.ca_file, options.certificate_chain_file,
                          options.key_file, options.verify_hostname);
    const std::string keyed = fmt::format("{}\nh2={}", key, options.http2);
    std::lock_guard lock(mu);
    TlsContextEntry& entry = tls_contexts[keyed];
    if (entry.context == nullptr) {
      TRUC_ASSIGN_OR_RETURN(asio::ssl::context made, internal::MakeClientTlsContext(options));
      entry.context = std::make_shared<asio::ssl::context>(std::move(made));
      if (options.pinned != nullptr) entry.identity = options.pinned->identity;
    }
    return entry.context;
  }
  void Begin(Connection* connection) {
    std::lock_guard lock(mu);
    ++in_flight;
    active.insert(connection);
  }
  // Called on the connection's strand, before the connection is kept or dropped.
  void Finished(Connection* connection) {
    std::lock_guard lock(mu);
    active.erase(connection);
  }
  void End() {
    std::lock_guard lock(mu);
    if (--in_flight == 0) idle_cv.notify_all();
  }
};

// One HTTP/2 connection to an origin, shared by the calls to it: each call is a stream. Runs on
// a strand of its own; Submit and Abort may be called from any thread.
class AsyncHttpClient::Http2Origin final : public std::enable_shared_from_this<Http2Origin> {
 public:
  struct Call {
    std::string method;
    std::string url;
    HttpUrl parts;
    HttpHeaders headers;
    std::string body;
    size_t max_response_bytes = 0;
    std::chrono::steady_clock::time_point deadline;
    Done done;
    bool retried = false;  // Sent once already, on a connection that refused it unprocessed.
    std::shared_ptr<asio::steady_timer> timer;
  };

  Http2Origin(std::shared_ptr<State> state, asio::io_context& io, std::string key,
              std::shared_ptr<asio::ssl::context> context,
              std::shared_ptr<const PinnedTlsClient> pinned, HttpClientOptions options)
      : state_(std::move(state)),
        key_(std::move(key)),
        io_(io),
        strand_(asio::make_strand(io)),
        context_(std::move(context)),
        pinned_(std::move(pinned)),
        options_(std::move(options)),
        stream_(strand_, *context_),
        idle_(strand_),
        wake_(strand_) {
    if (pinned_ != nullptr) {
      verification_.check = &pinned_->check;
      internal::AttachPeerVerification(stream_.native_handle(), &verification_);
    }
  }

  // Connects, then serves the calls until the connection ends.
  void Start(const std::string& url, const HttpUrl& parts) {
    asio::co_spawn(strand_, Run(url, parts),
                   [self = shared_from_this()](std::exception_ptr) { self->Finished(); });
  }

  // From any thread. Calls submitted together (a batch of signatures completes many) are
  // started by one task on the strand, and go out in one write.
  void Submit(Call call) {
    bool schedule = false;
    {
      std::lock_guard lock(inbox_mu_);
      inbox_.push_back(std::move(call));
      schedule = !start_scheduled_;
      start_scheduled_ = true;
    }
    if (!schedule) return;
    asio::post(strand_, [self = shared_from_this()] {
      std::vector<Call> calls;
      {
        std::lock_guard lock(self->inbox_mu_);
        calls.swap(self->inbox_);
        self->start_scheduled_ = false;
      }
      for (Call& next : calls) self->Begin(std::move(next));
      self->Flush();
    });
  }

  // Fails the calls in progress with `why` and closes the connection.
  void Abort(Status why) {
    asio::post(strand_, [self = shared_from_this(), why = std::move(why)] {
      self->failure_ = why;
      self->FailAll(why);
      self->CloseSocket();
    });
  }

 private:
  enum class Phase { kConnecting, kOpen, kClosed };

  asio::awaitable<void> Run(std::string url, HttpUrl parts) {
    beast::get_lowest_layer(stream_).expires_after(options_.timeout);
    Status connected = co_await Connect(stream_, url, parts, options_);
    if (connected.ok() && !internal::ChoseHttp2(stream_.native_handle())) {
      connected = UnavailableError(fmt::format("{} does not speak HTTP/2", url),
                                   "net.tls_handshake_failed");
    }
    if (!connected.ok()) {
      Closed(std::move(connected));
      co_return;
    }
    beast::get_lowest_layer(stream_).expires_never();  // Each call has its own deadline.
    session_ = internal::Http2Session::Client(
        {.max_header_bytes = 64 << 10,
         .max_body_bytes = options_.max_response_bytes,
         .max_concurrent_streams = 100},
        {.message = [this](int32_t id,
                           internal::Http2Message message) { Answered(id, std::move(message)); },
         .closed = [this](int32_t id, uint32_t code) { StreamClosed(id, code); }});
    phase_ = Phase::kOpen;
    std::vector<Call> waiting = std::move(waiting_);
    waiting_.clear();
    for (Call& call : waiting) Begin(std::move(call));
    Flush();  // Our SETTINGS, and the calls.
    std::vector<char> buffer(16 << 10);
    while (true) {
      auto [error, read] =
          co_await stream_.async_read_some(asio::buffer(buffer.data(), buffer.size()), kNoThrow);
      if (error) break;
      const Status received = session_->Receive(std::string_view(buffer.data(), read));
      Flush();
      if (!received.ok() || !session_->Alive()) break;
    }
    Closed(
        UnavailableError(fmt::format("the HTTP/2 connection to {} ended", url), "net.unreachable"));
    while (writing_) {
      wake_.expires_at(asio::steady_timer::time_point::max());
      co_await wake_.async_wait(kNoThrow);
    }
  }

  // On the strand: starts `call`, or keeps it for when the connection is open.
  void Begin(Call call) {
    if (phase_ == Phase::kConnecting) {
      waiting_.push_back(std::move(call));
      return;
    }
    if (phase_ == Phase::kClosed) {
      // Taken from the pool just before the connection ended: on a new one, once.
      if (!call.retried && failure_.code() != StatusCode::kCancelled) {
        call.retried = true;
        return Redispatch(std::move(call));
      }
      return Complete(std::move(call), failure_);
    }
    if (std::chrono::steady_clock::now() >= call.deadline) {
      return Complete(std::move(call),
                      Status(StatusCode::kDeadlineExceeded,
                             fmt::format("no answer from {} in time", call.url), "net.timeout"));
    }
    const std::string authority = HostHeader(call.parts);
    StatusOr<int32_t> id = session_->Request(call.method, authority, call.parts.target,
                                             call.headers, std::move(call.body));
    if (!id.ok()) {  // No stream ids left, or the server said GOAWAY: another connection.
      Forget();
      return Redispatch(std::move(call));
    }
    idle_.cancel();
    call.timer = std::make_shared<asio::steady_timer>(strand_, call.deadline);
    call.timer->async_wait([self = shared_from_this(), id = *id](beast::error_code error) {
      if (error) return;  // Answered first.
      self->session_->Cancel(id);
      self->Fail(id, Status(StatusCode::kDeadlineExceeded, "no answer in time", "net.timeout"));
      self->Flush();
    });
    calls_.emplace(*id, std::move(call));
  }

  void Answered(int32_t id, internal::Http2Message message) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    if (message.too_large || message.body.size() > it->second.max_response_bytes) {
      return Fail(id, Status(StatusCode::kResourceExhausted,
                             fmt::format("the response from {} exceeds {} bytes", it->second.url,
                                         it->second.max_response_bytes),
                             "net.response_too_large"));
    }
    HttpResponse response;
    response.status = message.status;
    response.headers = std::move(message.headers);
    response.body = std::move(message.body);
    Call call = std::move(it->second);
    calls_.erase(it);
    Complete(std::move(call), std::move(response));
  }

  void StreamClosed(int32_t id, uint32_t code) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;  // Answered.
    if (code == NGHTTP2_REFUSED_STREAM && !it->second.retried) {
      // Not processed (RFC 9113, 8.7): safe to send again.
      Call call = std::move(it->second);
      calls_.erase(it);
      call.retried = true;
      call.timer->cancel();
      return Redispatch(std::move(call));
    }
    Fail(id, UnavailableError(fmt::format("{} reset the call (HTTP/2 error {})", it->second.url,
                                          nghttp2_http2_strerror(code)),
                              "net.unreachable"));
  }

  void Fail(int32_t id, Status why) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    Call call = std::move(it->second);
    calls_.erase(it);
    Complete(std::move(call), std::move(why));
  }

  void FailAll(const Status& why) {
    std::map<int32_t, Call> calls = std::move(calls_);
    calls_.clear();
    for (auto& [id, call] : calls) Complete(std::move(call), why);
    std::vector<Call> waiting = std::move(waiting_);
    waiting_.clear();
    for (Call& call : waiting) Complete(std::move(call), why);
  }

  void Complete(Call call, StatusOr<HttpResponse> result) {
    if (call.timer != nullptr) call.timer->cancel();
    if (!result.ok() && state_->cancelled) {
      result = Status(StatusCode::kCancelled, "the call was cancelled: the client is stopping",
                      "net.cancelled");
    }
    call.done(std::move(result));
    state_->End();
    if (calls_.empty() && waiting_.empty() && phase_ == Phase::kOpen) ArmIdleTimer();
  }

  // The call again, on whatever connection the client now has for the origin.
  void Redispatch(Call call) {
    std::shared_ptr<State> state = state_;
    const std::string key = key_;
    std::shared_ptr<asio::ssl::context> context = context_;
    Dispatch(state, io_, key, std::move(context), pinned_, options_, std::move(call));
    state->End();  // Begun again by Dispatch.
  }

 public:
  // Starts `call` on the origin's connection, opening one when there is none.
  static void Dispatch(std::shared_ptr<State> state, asio::io_context& io, const std::string& key,
                       std::shared_ptr<asio::ssl::context> context,
                       std::shared_ptr<const PinnedTlsClient> pinned,
                       const HttpClientOptions& options, Call call) {
    if (state->cancelled) {
      return call.done(Status(StatusCode::kCancelled,
                              fmt::format("{}: the client is stopping", call.url),
                              "net.cancelled"));
    }
    std::shared_ptr<Http2Origin> origin;
    bool fresh = false;
    {
      std::lock_guard lock(state->mu);
      ++state->in_flight;
      std::shared_ptr<Http2Origin>& entry = state->http2[key];
      if (entry == nullptr) {
        entry = std::make_shared<Http2Origin>(state, io, key, std::move(context), std::move(pinned),
                                              options);
        ++state->http2_open;
        fresh = true;
      }
      origin = entry;
    }
    if (fresh) origin->Start(call.url, call.parts);
    origin->Submit(std::move(call));
  }

 private:
  void Flush() {
    if (writing_ || session_ == nullptr) return;
    pending_.clear();
    session_->Output(pending_);
    if (pending_.empty()) return;
    writing_ = true;
    asio::async_write(
        stream_, asio::buffer(pending_),
        asio::bind_executor(strand_, [self = shared_from_this()](beast::error_code error, size_t) {
          self->writing_ = false;
          self->wake_.cancel();
          if (error) return self->CloseSocket();
          self->Flush();
        }));
  }

  void ArmIdleTimer() {
    idle_.expires_after(State::kMaxIdle);
    idle_.async_wait([self = shared_from_this()](beast::error_code error) {
      if (error || !self->calls_.empty() || !self->waiting_.empty()) return;
      self->Forget();
      self->CloseSocket();
    });
  }

  // No new call comes here.
  void Forget() {
    std::lock_guard lock(state_->mu);
    auto it = state_->http2.find(key_);
    if (it != state_->http2.end() && it->second.get() == this) state_->http2.erase(it);
  }

  // The connection cannot serve calls any more.
  void Closed(Status why) {
    phase_ = Phase::kClosed;
    failure_ = std::move(why);
    Forget();
    idle_.cancel();
    FailAll(failure_);
  }

  void CloseSocket() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  // The connection's coroutine has ended.
  void Finished() {
    if (phase_ != Phase::kClosed) {
      Closed(InternalError("the HTTP/2 connection failed unexpectedly"));
    }
    std::lock_guard lock(state_->mu);
    --state_->http2_open;
    state_->idle_cv.notify_all();
  }

  const std::shared_ptr<State> state_;
  const std::string key_;
  asio::io_context& io_;
  asio::strand<asio::io_context::executor_type> strand_;
  const std::shared_ptr<asio::ssl::context> context_;
  const std::shared_ptr<const PinnedTlsClient> pinned_;
  const HttpClientOptions options_;
  internal::PeerVerification verification_;  // Of the stream's handshake.
  TlsStream stream_;
  std::unique_ptr<internal::Http2Session> session_;
  Phase phase_ = Phase::kConnecting;
  Status failure_;
  std::vector<Call> waiting_;      // Until the connection is open.
  std::map<int32_t, Call> calls_;  // By stream.
  std::string pending_;            // Being written.
  bool writing_ = false;
  asio::steady_timer idle_;
  asio::steady_timer wake_;  // Cancelled when a write ends.
  std::mutex inbox_mu_;
  std::vector<Call> inbox_;       // Submitted, not yet begun. Guarded by inbox_mu_.
  bool start_scheduled_ = false;  // Guarded by inbox_mu_.
};

AsyncHttpClient::AsyncHttpClient(int threads, size_t max_idle_per_origin)
    : state_(std::make_shared<State>()) {
  state_->max_idle_per_origin = max_idle_per_origin;
  state_->io = &state_->own_io.emplace(threads);
  state_->work.emplace(state_->io->get_executor());
  for (int i = 0; i < threads; ++i) {
    state_->threads.emplace_back([state = state_.get()] { state->io->run(); });
    pthread_setname_np(state_->threads.back().native_handle(), "http-client");
  }
}

AsyncHttpClient::AsyncHttpClient(EventLoop& loop, size_t max_idle_per_origin)
    : state_(std::make_shared<State>()) {
  state_->max_idle_per_origin = max_idle_per_origin;
  state_->loop = &loop.impl();
}

AsyncHttpClient::~AsyncHttpClient() { Shutdown(); }

void AsyncHttpClient::Cancel() {
  std::lock_guard lock(state_->mu);
  state_->cancelled = true;
  for (auto& [key, origin] : state_->http2) {
    origin->Abort(Status(StatusCode::kCancelled, "the call was cancelled: the client is stopping",
                         "net.cancelled"));
  }
  for (State::Connection* connection : state_->active) {
    // On the connection's strand, where its call ends too: still active there means still alive.
    asio::post(connection->strand, [state = state_, connection] {
      {
        std::lock_guard still(state->mu);
        if (!state->active.contains(connection)) return;
      }
      beast::error_code ignored;
      connection->transport().socket().shutdown(tcp::socket::shutdown_both, ignored);
      connection->transport().socket().close(ignored);
    });
  }
}

void AsyncHttpClient::Shutdown() {
  {
    std::unique_lock lock(state_->mu);
    if (state_->stopped) return;
    state_->idle_cv.wait(lock, [this] { return state_->in_flight == 0; });
    state_->stopped = true;
    state_->idle.clear();
    // HTTP/2 connections wait for their server: close them, and wait until they have ended.
    for (auto& [key, origin] : state_->http2) {
      origin->Abort(Status(StatusCode::kCancelled, "the client is stopping", "net.cancelled"));
    }
    state_->http2.clear();
    state_->idle_cv.wait(lock, [this] { return state_->http2_open == 0; });
  }
  state_->work.reset();
  for (std::thread& thread : state_->threads) thread.join();
}

void AsyncHttpClient::Fetch(const std::string& method, const std::string& url,
                            const HttpHeaders& headers, std::string body,
                            const HttpClientOptions& options, Done done) {
  StatusOr<HttpUrl> parsed = ParseHttpUrl(url);
  if (!parsed.ok()) return done(parsed.status());
  StatusOr<http::request<http::string_body>> built =
      BuildRequest(method, url, *parsed, headers, std::move(body));
  if (!built.ok()) return done(built.status());
  http::request<http::string_body> request = *std::move(built);
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  State& state = *state_;

  std::shared_ptr<asio::ssl::context> context;
  // Connections are kept per origin, and for TLS per way of trusting the server: a connection
  // is only reused by calls that would have accepted its server.
  std::string origin = fmt::format("{}:{}", parsed->host, parsed->port);
  if (parsed->tls) {
    StatusOr<std::shared_ptr<asio::ssl::context>> made = state.TlsContext(options.tls);
    if (!made.ok()) return done(made.status());
    context = *std::move(made);
    origin = options.tls.pinned != nullptr
                 ? fmt::format("{}\npinned\n{}", origin, options.tls.pinned->group)
                 : fmt::format("{}\n{}", origin, static_cast<const void*>(context.get()));
  }
  // On a shared loop, per thread too: a call made on a loop's thread stays on it.
  asio::io_context& io = state.Pick();
  if (state.loop != nullptr) origin += fmt::format("\n{}", static_cast<const void*>(&io));

  if (parsed->tls && options.tls.http2) {
    if (state.cancelled) {
      return done(Status(StatusCode::kCancelled, fmt::format("{}: the client is stopping", url),
                         "net.cancelled"));
    }
    Http2Origin::Call call{.method = method,
                           .url = url,
                           .parts = *parsed,
                           .headers = headers,
                           .body = std::move(request.body()),
                           .max_response_bytes = options.max_response_bytes,
                           .deadline = deadline,
                           .done = std::move(done)};
    return Http2Origin::Dispatch(state_, io, "h2\n" + origin, std::move(context),
                                 options.tls.pinned, options, std::move(call));
  }

  struct Call {
    std::string origin;
    std::unique_ptr<State::Connection> connection;
    bool reused = false;
    bool reusable = false;
    const std::atomic<bool>* cancelled = nullptr;
    StatusOr<HttpResponse> result = InternalError("HTTP exchange did not complete");
  };
  if (state.cancelled) {
    return done(Status(StatusCode::kCancelled, fmt::format("{}: the client is stopping", url),
                       "net.cancelled"));
  }
  auto call = std::make_shared<Call>();
  call->cancelled = &state.cancelled;
  call->origin = std::move(origin);
  call->connection = state.TakeIdle(call->origin);
  call->reused = call->connection != nullptr;
  if (!call->reused) {
    call->connection =
        std::make_unique<State::Connection>(io, std::move(context), options.tls.pinned);
  }
  state.Begin(call->connection.get());
  asio::co_spawn(call->connection->strand,
                 PooledExchange(call, url, *parsed, std::move(request), options, deadline),
                 [state = state_, call, done = std::move(done)](std::exception_ptr error) {
                   state->Finished(call->connection.get());
                   if (error) call->result = InternalError("HTTP exchange failed unexpectedly");
                   if (!call->result.ok() && state->cancelled) {
                     call->result =
                         Status(StatusCode::kCancelled,
                                "the call was cancelled: the client is stopping", "net.cancelled");
                   }
                   if (call->result.ok() && call->reusable) {
                     call->connection->transport().expires_never();
                     state->Keep(call->origin, std::move(call->connection));
                   }
                   done(std::move(call->result));
                   state->End();
                 });
}

}  // namespace truc::net
