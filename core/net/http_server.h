// A small asynchronous HTTP/1.1 server over Boost.Beast, for the services Trục exposes over HTTP
// (the timestamp authority, the registry's configuration distribution, the gateway's REST
// interface).
//
// Threading: the server owns an io_context run by `io_threads` threads; each connection has its
// own strand. The handler is called on an I/O thread and must not block: work that does (disk,
// signing with a slow key, remote calls) goes to a worker pool, which calls `respond` from any
// thread when done. `respond` must be called exactly once per request, and the responder must be
// destroyed before the server is (a worker pool holding responders is shut down first).
//
// Defences: a deadline on reading each request (headers and body) and on writing each response, a
// limit on header and body size (431 and 413), 400 for malformed requests, and a cap on concurrent
// connections.
//
// TLS: plain HTTP unless `tls` is set; then every connection is TLS (a client speaking plain HTTP
// to it is disconnected), and a handler sees the client's certificate, if any, in
// HttpRequest::peer_certificate_fingerprint.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/base/status.h"
#include "core/net/event_loop.h"
#include "core/net/http_message.h"
#include "core/net/tls_options.h"

namespace truc::net {

using HttpResponder = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest, HttpResponder)>;

struct HttpServerOptions {
  // Loopback by default: nothing listens on a public interface unless configured.
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port; see HttpServer::port().
  int io_threads = 2;
  size_t max_body_bytes = 10 << 20;
  size_t max_header_bytes = 16 << 10;
  // The time a connection may take to deliver a whole request (headers and body), counted from
  // when the server starts waiting for it; an idle kept-alive connection is closed after it too.
  // On TLS connections the first request's time starts with the handshake.
  std::chrono::milliseconds read_timeout{15'000};
  std::chrono::milliseconds write_timeout{30'000};
  size_t max_connections = 4096;
  // How long Stop() waits for requests in flight before cancelling them.
  std::chrono::milliseconds shutdown_grace{5'000};
  // Serve HTTPS with these certificates; plain HTTP when unset.
  std::optional<TlsServerOptions> tls;
  // Threads shared with other servers and clients, instead of io_threads of the server's own.
  // Must outlive the server.
  EventLoop* loop = nullptr;
};

class HttpServer {
 public:
  // Binds and starts serving. kUnavailable if the address cannot be bound, naming it. With `tls`:
  // InvalidArgument ("net.bad_tls_options") for inconsistent TLS options, and an error naming the
  // file for a certificate or key file that cannot be read or used (kNotFound, kInvalidArgument,
  // or kPermissionDenied for a key file that others may read).
  static StatusOr<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                     HttpHandler handler);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Stops the server (see Stop).
  ~HttpServer();

  // The bound port (useful with port 0).
  uint16_t port() const;
  // "address:port".
  std::string endpoint() const;

  // Stops accepting, lets requests in flight finish for up to shutdown_grace, then closes every
  // connection and joins the I/O threads (on a shared loop: waits up to shutdown_grace more for
  // the connections to end; one whose handler has not answered ends when it does). Idempotent.
  // Must not be called from a handler.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace truc::net
