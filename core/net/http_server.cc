#include "core/net/http_server.h"

#include <atomic>
#include <future>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>

#include "core/base/strings.h"
#include "core/crypto/certificate.h"
#include "core/crypto/digest.h"
#include "core/net/event_loop_internal.h"
#include "core/net/http2_session.h"
#include "core/net/http_framing.h"
#include "core/net/http_syntax.h"
#include "core/net/tls_context.h"

namespace truc::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <typename Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// A connection as the acceptor sees it: closable from outside its strand while it waits for a
// request, so that idle connections make room for new ones when the server is full.
// A request handed to the handler and not yet answered.
class PendingResponse {
 public:
  virtual ~PendingResponse() = default;
  // Answers the request unless it was answered already.
  virtual void Respond(HttpResponse response) = 0;
};

struct ConnectionHandle {
  asio::io_context* io = nullptr;  // The connection's.
  asio::any_io_executor strand;
  beast::tcp_stream* transport = nullptr;  // Only touched on `strand`; null once it is gone.
  // The requests handed to the handler and not known to be answered, so that Stop can answer
  // them: by HTTP/2 stream, or at 0 the one at a time of an HTTP/1.1 connection.
  std::mutex mu;
  std::map<int32_t, std::shared_ptr<PendingResponse>> calls;  // Guarded by mu.
};

// The connections waiting for a request, oldest first.
class IdleConnections {
 public:
  using Entry = std::list<std::shared_ptr<ConnectionHandle>>::iterator;

  Entry Add(std::shared_ptr<ConnectionHandle> handle) {
    std::lock_guard lock(mu_);
    return idle_.insert(idle_.end(), std::move(handle));
  }
  void Remove(Entry entry) {
    std::lock_guard lock(mu_);
    idle_.erase(entry);
  }
  // Closes the connection that has waited longest, if any; true when there was one. It is
  // removed from the list by its own coroutine once its read fails.
  bool CloseOldest() {
    std::shared_ptr<ConnectionHandle> oldest;
    {
      std::lock_guard lock(mu_);
      for (const std::shared_ptr<ConnectionHandle>& handle : idle_) {
        if (!closing_.contains(handle.get())) {
          oldest = handle;
          break;
        }
      }
      if (oldest == nullptr) return false;
      closing_.insert(oldest.get());
    }
    asio::post(oldest->strand, [this, oldest] {
      if (oldest->transport != nullptr) {
        beast::error_code ignored;
        oldest->transport->socket().shutdown(tcp::socket::shutdown_both, ignored);
        oldest->transport->socket().close(ignored);
      }
      std::lock_guard lock(mu_);
      closing_.erase(oldest.get());
    });
    return true;
  }

 private:
  std::mutex mu_;
  std::list<std::shared_ptr<ConnectionHandle>> idle_;  // Guarded by mu_.
  std::set<const ConnectionHandle*> closing_;          // Guarded by mu_.
};

// What the acceptor and every connection share. Outlives them all (held by shared_ptr).
struct ServerState {
  // Every open connection, so that Stop can close them when the threads are not the server's own.
  std::mutex mu;
  std::set<std::shared_ptr<ConnectionHandle>> open;  // Guarded by mu.

  HttpServerOptions options;
  HttpHandler handler;
  // Where connections run: the loop's contexts, each in turn, or the server's own context.
  EventLoop::Impl* loop = nullptr;
  asio::io_context* own_io = nullptr;
  asio::io_context& ContextForConnection() {
    return loop != nullptr ? loop->RoundRobin() : *own_io;
  }
  std::optional<asio::ssl::context> tls;  // Set when serving HTTPS.
  IdleConnections idle;
  std::atomic<size_t> connections{0};
  std::atomic<size_t> requests_in_flight{0};
  std::atomic<bool> stopping{false};
  // Set by Stop before it answers what the handler has not: a request handed over later is
  // answered at once (a responder kept past the server's life must hold nothing of it).
  std::atomic<bool> answering_for_handler{false};
};

// True for the parser's verdicts on the request's syntax, as opposed to the connection ending.
bool IsMalformedRequest(const beast::error_code& error) {
  static const beast::error_category& parser_errors =
      http::make_error_code(http::error::bad_target).category();
  return error && error.category() == parser_errors && error != http::error::end_of_stream &&
         error != http::error::partial_message;
}

http::response<http::string_body> ToBeast(HttpResponse response, unsigned version,
                                          bool keep_alive) {
  // Only a final status (200-599) can end an exchange; a handler's other answer is its bug.
  if (response.status < 200 || response.status > 599) {
    response = MakeResponse(502, "text/plain; charset=utf-8",
                            fmt::format("no valid response: status {}\n", response.status));
  }
  http::response<http::string_body> out(static_cast<http::status>(response.status), version);
  for (auto& [name, value] : response.headers.fields()) {
    // Never let a field split the response, nor set the framing: such a field is dropped.
    if (IsHttpToken(name) && IsHttpFieldValue(value) && !EqualsIgnoreCase(name, "Content-Length") &&
        !EqualsIgnoreCase(name, "Transfer-Encoding")) {
      out.insert(name, value);
    }
  }
  // 204 and 304 have no content (RFC 9110, 15.3.5 and 15.4.5), whatever the handler gave.
  if (response.status != 204 && response.status != 304) out.body() = std::move(response.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

HttpResponse PlainError(int status, std::string message) {
  return MakeResponse(status, "text/plain; charset=utf-8", std::move(message) + "\n");
}

HttpResponse StoppingResponse() { return PlainError(503, "the server is stopping"); }

// The completion of one handler call. The first response takes the completion out, so a copy of
// the responder the handler keeps afterwards (a worker's task destroyed after the server is gone)
// holds nothing that belongs to the server's I/O context.
//
// A responding thread only moves the completion: the connection's strand is copied (and its
// reference count touched) on an I/O thread alone.
template <typename Completion>
class PendingCall final : public PendingResponse {
 public:
  PendingCall(asio::io_context& io, Completion completion) : io_(io) {
    completion_.emplace(std::move(completion));
  }

  void Respond(HttpResponse response) override {
    std::optional<Completion> taken;
    {
      std::lock_guard lock(mu_);
      if (!completion_.has_value()) return;    // Only the first response counts.
      taken.emplace(std::move(*completion_));  // Movable, but not assignable.
      completion_.reset();
    }
    asio::post(io_.get_executor(), [taken = std::move(*taken),
                                    response = std::move(response)]() mutable {
      const auto strand = asio::get_associated_executor(taken);
      asio::dispatch(strand, [taken = std::move(taken), response = std::move(response)]() mutable {
        std::move(taken)(std::move(response));
      });
    });
  }

 private:
  asio::io_context& io_;
  std::mutex mu_;
  std::optional<Completion> completion_;  // Guarded by mu_.
};

// Calls the handler; the returned operation completes, on the connection's strand, with the
// response of the handler (or of Stop, if the handler has not answered by then). A plain function
// rather than a coroutine: GCC 12 mishandles move-captures inside co_await.
auto AsyncCallHandler(ServerState& state, ConnectionHandle& connection, HttpRequest request) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(HttpResponse)>(
      [&state, &connection](auto completion, HttpRequest pending) {
        auto call = std::make_shared<PendingCall<decltype(completion)>>(*connection.io,
                                                                        std::move(completion));
        {
          // Stop sets the flag before it takes each connection's call under the same lock: a
          // call is either taken by Stop or sees the flag.
          std::unique_lock lock(connection.mu);
          if (state.answering_for_handler) {
            lock.unlock();
            call->Respond(StoppingResponse());
            return;
          }
          connection.calls[0] = call;
        }
        state.handler(std::move(pending),
                      [call = std::shared_ptr<PendingResponse>(call)](
                          HttpResponse response) mutable { call->Respond(std::move(response)); });
      },
      asio::use_awaitable, std::move(request));
}

// SHA-256 over the DER of the certificate the peer presented on `ssl`, or "" when it presented
// none.
std::string PeerCertificateFingerprint(const SSL* ssl) {
  const X509* certificate = SSL_get0_peer_certificate(ssl);
  if (certificate == nullptr) return "";
  unsigned char* der = nullptr;
  const int length = i2d_X509(certificate, &der);
  std::string fingerprint =
      crypto::Sha256(std::string_view(reinterpret_cast<char*>(der), static_cast<size_t>(length)));
  OPENSSL_free(der);
  return fingerprint;
}

struct ConnectionCount {
  explicit ConnectionCount(ServerState& s) : state(s) { ++state.connections; }
  ConnectionCount(const ConnectionCount&) = delete;
  ConnectionCount& operator=(const ConnectionCount&) = delete;
  ~ConnectionCount() { --state.connections; }
  ServerState& state;
};

// An HTTP/2 connection (negotiated by ALPN on a TLS connection): many requests at once, each
// handed to the handler as it arrives whole, each answered on its stream when the handler
// responds. Runs on the connection's strand.
class Http2Connection final : public std::enable_shared_from_this<Http2Connection> {
 public:
  struct Peer {
    std::string address;
    std::string fingerprint;
    std::shared_ptr<const crypto::Certificate> certificate;
  };

  Http2Connection(TlsStream& stream, std::shared_ptr<ServerState> state,
                  std::shared_ptr<ConnectionHandle> handle, Peer peer)
      : stream_(stream),
        state_(std::move(state)),
        handle_(std::move(handle)),
        peer_(std::move(peer)),
        idle_(stream.get_executor()),
        wake_(stream.get_executor()) {
    const HttpServerOptions& options = state_->options;
    session_ = internal::Http2Session::Server(
        {.max_header_bytes = options.max_header_bytes,
         .max_body_bytes = options.max_body_bytes,
         .max_concurrent_streams = kMaxStreams},
        {.message = [this](int32_t id,
                           internal::Http2Message message) { Received(id, std::move(message)); },
         .closed =
             [this](int32_t id, uint32_t) {
               if (answered_.erase(id) > 0) ++answers_serialized_;
             }});
  }
  ~Http2Connection() {
    // Answers that were never written: the connection failed.
    state_->requests_in_flight -= answered_.size() + answers_serialized_ + answers_writing_;
  }

  // Reads and answers requests until the connection ends, then waits for the handler's answers
  // to requests in progress.
  asio::awaitable<void> Serve() {
    std::vector<char> buffer(kReadBytes);
    Flush();  // Our SETTINGS.
    ArmIdleTimer();
    while (true) {
      auto [error, read] =
          co_await stream_.async_read_some(asio::buffer(buffer.data(), buffer.size()), kNoThrow);
      if (error) break;
      const Status received = session_->Receive(std::string_view(buffer.data(), read));
      if (state_->stopping) session_->Close();  // No new requests; those open are answered.
      Flush();
      if (!received.ok() || !session_->Alive()) break;
      if (state_->stopping && session_->OpenStreams() == 0 && unanswered_ == 0) break;
      ArmIdleTimer();
    }
    ended_ = true;
    idle_.cancel();
    while (unanswered_ > 0 || writing_) {
      wake_.expires_at(asio::steady_timer::time_point::max());
      co_await wake_.async_wait(kNoThrow);
    }
  }

 private:
  static constexpr uint32_t kMaxStreams = 256;
  static constexpr size_t kReadBytes = 16 << 10;

  // One request handed to the handler: its first answer goes to the connection's inbox.
  class Call final : public PendingResponse {
   public:
    Call(std::shared_ptr<Http2Connection> connection, int32_t stream)
        : connection_(std::move(connection)), stream_(stream) {}
    void Respond(HttpResponse response) override {
      std::shared_ptr<Http2Connection> connection;
      {
        std::lock_guard lock(mu_);
        connection = std::move(connection_);  // Only the first answer counts.
        connection_.reset();
      }
      if (connection != nullptr) connection->Deliver(stream_, std::move(response));
    }

   private:
    std::mutex mu_;
    std::shared_ptr<Http2Connection> connection_;  // Guarded by mu_.
    const int32_t stream_;
  };

  // From any thread. The first answer of a batch schedules one drain of the inbox on the
  // connection's strand, so that answers given together (a commit of the audit log completes
  // many) cost one wake-up and go out in one write. Posted to the io_context first: a strand's
  // executor is copied on an I/O thread only (see PendingCall).
  void Deliver(int32_t id, HttpResponse response) {
    bool schedule = false;
    {
      std::lock_guard lock(inbox_mu_);
      inbox_.emplace_back(id, std::move(response));
      schedule = !drain_scheduled_;
      drain_scheduled_ = true;
    }
    if (!schedule) return;
    asio::post(handle_->io->get_executor(), [self = shared_from_this()] {
      asio::dispatch(self->stream_.get_executor(), [self] { self->Drain(); });
    });
  }

  void Drain() {
    std::vector<std::pair<int32_t, HttpResponse>> answers;
    {
      std::lock_guard lock(inbox_mu_);
      answers.swap(inbox_);
      drain_scheduled_ = false;
    }
    for (auto& [id, response] : answers) Answered(id, std::move(response));
    Flush();
    ArmIdleTimer();
    wake_.cancel();
  }

  void Received(int32_t id, internal::Http2Message message) {
    const HttpServerOptions& options = state_->options;
    if (message.too_large) {
      session_->Respond(id,
                        PlainError(413, fmt::format("request body exceeds the limit of {} bytes",
                                                    options.max_body_bytes)));
      return;
    }
    HttpRequest request;
    request.method = std::move(message.method);
    request.target = std::move(message.path);
    request.headers = std::move(message.headers);
    if (!message.authority.empty()) request.headers.Set("Host", std::move(message.authority));
    request.body = std::move(message.body);
    request.peer_address = peer_.address;
    request.peer_certificate_fingerprint = peer_.fingerprint;
    request.peer_certificate = peer_.certificate;
    ++unanswered_;
    ++state_->requests_in_flight;
    auto call = std::make_shared<Call>(shared_from_this(), id);
    {
      // As AsyncCallHandler: a call is either taken by Stop or sees its flag.
      std::unique_lock lock(handle_->mu);
      if (state_->answering_for_handler) {
        lock.unlock();
        call->Respond(StoppingResponse());
        return;
      }
      handle_->calls[id] = call;
    }
    state_->handler(std::move(request),
                    [call = std::shared_ptr<PendingResponse>(call)](HttpResponse response) mutable {
                      call->Respond(std::move(response));
                    });
  }

  void Answered(int32_t id, HttpResponse response) {
    {
      std::lock_guard lock(handle_->mu);
      handle_->calls.erase(id);
    }
    --unanswered_;
    // In flight until the answer's last frame is written (Stop waits for that).
    answered_.insert(id);
    session_->Respond(id, response);
    if (!session_->IsOpen(id)) {  // The client had given up on it.
      answered_.erase(id);
      --state_->requests_in_flight;
    }
  }

  // Writes what the session has to send, one write at a time.
  void Flush() {
    if (writing_) return;
    pending_.clear();
    session_->Output(pending_);
    if (pending_.empty()) {
      wake_.cancel();
      return;
    }
    writing_ = true;
    answers_writing_ = answers_serialized_;
    answers_serialized_ = 0;
    asio::async_write(
        stream_, asio::buffer(pending_),
        asio::bind_executor(stream_.get_executor(),
                            [self = shared_from_this()](beast::error_code error, size_t) {
                              self->writing_ = false;
                              self->state_->requests_in_flight -= self->answers_writing_;
                              self->answers_writing_ = 0;
                              if (error) {
                                self->CloseSocket();
                                self->wake_.cancel();
                                return;
                              }
                              self->Flush();
                              self->ArmIdleTimer();
                            }));
  }

  // With no request in progress, the connection is closed after the read timeout.
  void ArmIdleTimer() {
    if (ended_) return;
    if (session_->OpenStreams() > 0 || unanswered_ > 0 || writing_) {
      if (idle_armed_) idle_.cancel();
      idle_armed_ = false;
      return;
    }
    if (idle_armed_) return;
    idle_armed_ = true;
    idle_.expires_after(state_->options.read_timeout);
    idle_.async_wait([self = shared_from_this()](beast::error_code error) {
      if (error) return;  // Cancelled: busy again, or ended.
      self->idle_armed_ = false;
      self->CloseSocket();
    });
  }

  void CloseSocket() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  TlsStream& stream_;
  const std::shared_ptr<ServerState> state_;
  const std::shared_ptr<ConnectionHandle> handle_;
  const Peer peer_;
  std::unique_ptr<internal::Http2Session> session_;
  asio::steady_timer idle_;
  bool idle_armed_ = false;
  asio::steady_timer wake_;  // Cancelled when an answer is written or a write ends.
  std::string pending_;      // Being written.
  bool writing_ = false;
  bool ended_ = false;
  size_t unanswered_ = 0;  // Requests the handler has not answered.
  // Answers not yet written whole: still in the session, serialized into the next write, and in
  // the write under way. Each counts in state_->requests_in_flight until written.
  std::set<int32_t> answered_;
  size_t answers_serialized_ = 0;
  size_t answers_writing_ = 0;
  std::mutex inbox_mu_;
  std::vector<std::pair<int32_t, HttpResponse>> inbox_;  // Guarded by inbox_mu_.
  bool drain_scheduled_ = false;                         // Guarded by inbox_mu_.
};

// Serves requests on `stream`: a beast::tcp_stream or a TlsStream not yet handshaken.
template <typename Stream>
asio::awaitable<void> ServeConnection(Stream stream, asio::io_context& io,
                                      std::shared_ptr<ServerState> state) {
  const ConnectionCount count(*state);
  const HttpServerOptions& options = state->options;
  beast::tcp_stream& transport = beast::get_lowest_layer(stream);
  beast::error_code ignored;
  const tcp::endpoint peer = transport.socket().remote_endpoint(ignored);
  // Each response goes out whole, as one write: waiting to coalesce it with more only delays it.
  transport.socket().set_option(tcp::no_delay(true), ignored);
  const std::string peer_address = fmt::format("{}:{}", peer.address().to_string(), peer.port());
  std::string peer_fingerprint;
  std::shared_ptr<const crypto::Certificate> peer_certificate;
  const auto handle = std::make_shared<ConnectionHandle>();
  handle->io = &io;
  handle->strand = stream.get_executor();
  handle->transport = &transport;
  {
    std::lock_guard lock(state->mu);
    state->open.insert(handle);
  }
  struct Forget {  // The handle outlives the stream: it must not point to it afterwards.
    ~Forget() {
      handle->transport = nullptr;
      std::lock_guard lock(state.mu);
      state.open.erase(handle);
    }
    std::shared_ptr<ConnectionHandle> handle;
    ServerState& state;
  } forget{handle, *state};
  // The deadline for the first request, which includes the TLS handshake.
  transport.expires_after(options.read_timeout);
  // Lives as long as the connection's SSL may run the check.
  internal::PeerVerification verification;
  if constexpr (kIsTls<Stream>) {
    const std::optional<TlsServerOptions>& tls = options.tls;
    if (tls->pinned.has_value()) {
      verification.check = &tls->pinned->check;
      internal::AttachPeerVerification(stream.native_handle(), &verification);
    }
    const IdleConnections::Entry idle = state->idle.Add(handle);
    auto [handshake_error] =
        co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
    state->idle.Remove(idle);
    if (handshake_error) co_return;  // Not TLS, a refused certificate, or too slow.
    peer_fingerprint = PeerCertificateFingerprint(stream.native_handle());
    peer_certificate = verification.leaf;
    if (internal::ChoseHttp2(stream.native_handle())) {
      transport.expires_never();  // The connection keeps its own idle timer.
      auto connection = std::make_shared<Http2Connection>(
          stream, state, handle,
          Http2Connection::Peer{.address = peer_address,
                                .fingerprint = std::move(peer_fingerprint),
                                .certificate = std::move(peer_certificate)});
      co_await connection->Serve();
      transport.expires_after(options.write_timeout);
      co_await stream.async_shutdown(kNoThrow);
      co_return;
    }
  }
  beast::flat_buffer buffer;

  while (!state->stopping) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    // Until its header section has arrived, the connection may be closed to make room.
    const IdleConnections::Entry idle = state->idle.Add(handle);
    auto [read_error, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, kNoThrow);
    state->idle.Remove(idle);
    std::optional<HttpResponse> rejection;
    // The header section as it arrived, before the body: fields in a chunked body's trailer
    // section, which Beast merges into the message, are not taken.
    HttpHeaders headers;
    if (!read_error) {
      if (std::optional<FramingError> framing = CheckRequestFraming(parser.get().base())) {
        rejection = PlainError(framing->status, std::move(framing->message));
      }
      for (const auto& field : parser.get()) {
        headers.Add(std::string(field.name_string()), std::string(field.value()));
      }
      if (!rejection) {
        auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, parser, kNoThrow);
        read_error = body_error;
      }
    }

    if (rejection) {
      // Already decided: the connection closes after it, since its framing cannot be trusted.
    } else if (read_error == http::error::body_limit) {
      rejection = PlainError(
          413, fmt::format("request body exceeds the limit of {} bytes", options.max_body_bytes));
    } else if (read_error == http::error::header_limit) {
      rejection = PlainError(431, fmt::format("request headers exceed the limit of {} bytes",
                                              options.max_header_bytes));
    } else if (IsMalformedRequest(read_error)) {
      rejection = PlainError(400, "malformed HTTP request: " + read_error.message());
    } else if (read_error) {
      break;  // Closed, timed out or reset: nobody to answer.
    }

    bool keep_alive = false;
    unsigned version = 11;
    HttpResponse response;
    if (rejection) {
      response = std::move(*rejection);
    } else {
      http::request<http::string_body> message = parser.release();
      keep_alive = message.keep_alive();
      version = message.version();
      HttpRequest request;
      request.method = std::string(message.method_string());
      request.target = std::string(message.target());
      request.headers = std::move(headers);
      request.body = std::move(message.body());
      request.peer_address = peer_address;
      request.peer_certificate_fingerprint = peer_fingerprint;
      request.peer_certificate = peer_certificate;
      ++state->requests_in_flight;
      response = co_await AsyncCallHandler(*state, *handle, std::move(request));
      --state->requests_in_flight;
    }

    auto out = ToBeast(std::move(response), version, keep_alive && !state->stopping);
    transport.expires_after(options.write_timeout);
    auto [write_error, written] = co_await http::async_write(stream, out, kNoThrow);
    if (write_error || !out.keep_alive()) break;
    transport.expires_after(options.read_timeout);
  }
  if constexpr (kIsTls<Stream>) {
    transport.expires_after(options.write_timeout);
    // Best effort: the client may be gone already.
    co_await stream.async_shutdown(kNoThrow);
  } else {
    transport.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
}

asio::awaitable<void> AcceptConnections(tcp::acceptor& acceptor,
                                        std::shared_ptr<ServerState> state) {
  while (true) {
    asio::io_context& io = state->ContextForConnection();
    auto [error, socket] = co_await acceptor.async_accept(asio::make_strand(io), kNoThrow);
    if (error == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (error) continue;  // E.g. too many open files: keep serving the connections we have.
    // When full, the connection that has waited longest for a request makes room: idle
    // connections, however many, cannot lock callers out.
    if (state->connections >= state->options.max_connections && !state->idle.CloseOldest()) {
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    auto executor = socket.get_executor();
    if (state->tls) {
      asio::co_spawn(executor,
                     ServeConnection(TlsStream(std::move(socket), *state->tls), io, state),
                     asio::detached);
    } else {
      asio::co_spawn(executor, ServeConnection(beast::tcp_stream(std::move(socket)), io, state),
                     asio::detached);
    }
  }
}

}  // namespace

struct HttpServer::Impl {
  // On `loop`'s threads, or on `io_threads` of its own when there is none.
  Impl(EventLoop* loop, int io_threads)
      : own_io(loop == nullptr ? std::make_optional<asio::io_context>(io_threads) : std::nullopt),
        io(loop == nullptr ? *own_io : loop->impl().RoundRobin()),
        loop_impl(loop == nullptr ? nullptr : &loop->impl()),
        acceptor(asio::make_strand(io)) {}

  std::optional<asio::io_context> own_io;
  asio::io_context& io;  // The acceptor's.
  EventLoop::Impl* loop_impl;
  tcp::acceptor acceptor;
  std::shared_ptr<ServerState> state;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  std::string address;
  bool stopped = false;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                        HttpHandler handler) {
  std::optional<asio::ssl::context> tls;
  if (options.tls) {
    TRUC_ASSIGN_OR_RETURN(asio::ssl::context context, internal::MakeServerTlsContext(*options.tls));
    tls.emplace(std::move(context));
  }
  const int threads = options.loop != nullptr ? 0 : std::max(1, options.io_threads);
  auto impl = std::make_unique<Impl>(options.loop, std::max(1, threads));
  beast::error_code error;
  const asio::ip::address address = asio::ip::make_address(options.address, error);
  if (error) {
    return InvalidArgumentError(
        fmt::format("invalid listen address '{}': {}", options.address, error.message()),
        "net.bad_address");
  }
  const tcp::endpoint endpoint(address, options.port);
  const auto fail = [&](std::string_view step) {
    return UnavailableError(
        fmt::format("cannot {} {}:{}: {}", step, options.address, options.port, error.message()),
        "net.listen_failed");
  };
  impl->acceptor.open(endpoint.protocol(), error);
  if (error) return fail("open");
  impl->acceptor.set_option(asio::socket_base::reuse_address(true), error);
  impl->acceptor.bind(endpoint, error);
  if (error) return fail("bind");
  impl->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) return fail("listen on");
  impl->port = impl->acceptor.local_endpoint().port();
  impl->address = options.address;

  impl->state = std::make_shared<ServerState>();
  impl->state->options = std::move(options);
  impl->state->handler = std::move(handler);
  impl->state->loop = impl->loop_impl;
  impl->state->own_io = impl->own_io.has_value() ? &*impl->own_io : nullptr;
  impl->state->tls = std::move(tls);
  asio::co_spawn(impl->acceptor.get_executor(), AcceptConnections(impl->acceptor, impl->state),
                 asio::detached);
  for (int i = 0; i < threads; ++i) {
    impl->threads.emplace_back([io = &impl->io] {
      pthread_setname_np(pthread_self(), "http-io");
      io->run();
    });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port; }

std::string HttpServer::endpoint() const {
  return impl_->address.find(':') == std::string::npos
             ? fmt::format("{}:{}", impl_->address, impl_->port)
             : fmt::format("[{}]:{}", impl_->address, impl_->port);
}

void HttpServer::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->state->stopping = true;
  // Close the acceptor on its strand and wait until that has happened: once Stop() returns,
  // the port refuses connections.
  std::promise<void> closed;
  asio::post(impl_->acceptor.get_executor(), [this, &closed] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    closed.set_value();
  });
  closed.get_future().wait();
  const auto deadline = std::chrono::steady_clock::now() + impl_->state->options.shutdown_grace;
  while (impl_->state->requests_in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // What the handler has not answered by now, Stop answers; later answers are ignored.
  impl_->state->answering_for_handler = true;
  std::vector<std::shared_ptr<PendingResponse>> unanswered;
  {
    std::lock_guard lock(impl_->state->mu);
    for (const std::shared_ptr<ConnectionHandle>& handle : impl_->state->open) {
      std::lock_guard call_lock(handle->mu);
      for (auto& [stream, call] : handle->calls) unanswered.push_back(std::move(call));
      handle->calls.clear();
    }
  }
  for (const std::shared_ptr<PendingResponse>& call : unanswered) call->Respond(StoppingResponse());
  if (!unanswered.empty()) {  // Let those answers go out, briefly.
    const auto answered_by = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (impl_->state->requests_in_flight > 0 && std::chrono::steady_clock::now() < answered_by) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  if (impl_->own_io.has_value()) {
    impl_->io.stop();
    for (std::thread& thread : impl_->threads) thread.join();
    return;
  }
  // The threads are shared: close the connections, and let their coroutines end.
  std::vector<std::shared_ptr<ConnectionHandle>> open;
  {
    std::lock_guard lock(impl_->state->mu);
    open.assign(impl_->state->open.begin(), impl_->state->open.end());
  }
  for (const std::shared_ptr<ConnectionHandle>& handle : open) {
    asio::post(handle->strand, [handle] {
      if (handle->transport != nullptr) {
        beast::error_code ignored;
        handle->transport->socket().shutdown(tcp::socket::shutdown_both, ignored);
        handle->transport->socket().close(ignored);
      }
    });
  }
  const auto closed_by = std::chrono::steady_clock::now() + impl_->state->options.shutdown_grace;
  while (impl_->state->connections > 0 && std::chrono::steady_clock::now() < closed_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace truc::net
