// A blocking HTTP/1.1 client, over plain HTTP or TLS: RFC 3161 requests to timestamp authorities
// and downloads of the signed global configuration (both carry their own signatures, so they need
// no TLS), and calls to members' backends (which may require mutual TLS).
//
// Blocking: call it from worker threads, never from an I/O thread. Thread-safe (no shared state).
// One connection per call, closed afterwards; redirects are not followed (a 3xx is returned as
// is). An https call reads options.tls's files and sets up its TLS context anew each time.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/net/event_loop.h"
#include "core/net/http_message.h"
#include "core/net/tls_options.h"

namespace truc::net {

struct HttpClientOptions {
  // Deadline for the whole exchange: resolve, connect, send and receive.
  std::chrono::milliseconds timeout{10'000};
  size_t max_response_bytes = 64 << 20;
  TlsClientOptions tls;  // For https:// URLs.
};

// Sends one request to `url` ("http[s]://host[:port]/path?query") and returns the response,
// whatever its status. Errors: kInvalidArgument for a malformed or non-http(s) URL, kUnavailable
// when the server cannot be reached or the connection breaks, kDeadlineExceeded on timeout,
// kResourceExhausted for a response larger than the limit; InvalidArgument "net.bad_request" for
// a header field or target that is not valid HTTP (a CR or LF in it would split the request) and
// for a Host, Content-Length or Transfer-Encoding field in `headers` (the client sets those);
// messages name the URL. For https:
// kUnavailable with reason "net.tls_untrusted_server" when the server's certificate does not chain
// to the CAs or does not name the host, "net.tls_handshake_failed" when the handshake fails
// otherwise (no common TLS version, or the server refused our certificate); and the errors of
// loading options.tls's files (InvalidArgument "net.bad_tls_options" for inconsistent options,
// errors naming the file otherwise).
StatusOr<HttpResponse> HttpFetch(const std::string& method, const std::string& url,
                                 const HttpHeaders& headers, const std::string& body,
                                 const HttpClientOptions& options = {});

// An asynchronous HTTP/1.1 client on an io_context of its own, run by `threads` threads (or on a
// shared EventLoop): no thread waits while a server answers. Connections are kept open between
// calls: at most `max_idle_per_origin` idle per host and port and way of trusting the server,
// each for at most 10 s (less than servers usually keep an idle connection); a kept connection
// the server closed is replaced, and the request sent again, once. TLS contexts are built once
// per set of TlsClientOptions (per identity for pinned options). Same errors as HttpFetch; with
// pinned TLS options, a server the check refused fails the call with the check's error.
// Thread-safe.
class AsyncHttpClient {
 public:
  explicit AsyncHttpClient(int threads, size_t max_idle_per_origin = 64);
  // On `loop`'s threads (which must outlive the client) instead of threads of its own.
  explicit AsyncHttpClient(EventLoop& loop, size_t max_idle_per_origin = 64);
  // Shutdown().
  ~AsyncHttpClient();
  AsyncHttpClient(const AsyncHttpClient&) = delete;
  AsyncHttpClient& operator=(const AsyncHttpClient&) = delete;

  using Done = std::function<void(StatusOr<HttpResponse>)>;
  // Sends the request and calls `done` with the response or the error: on the caller's thread
  // when the request is refused before anything is sent, else on one of the client's threads
  // (`done` must not block).
  void Fetch(const std::string& method, const std::string& url, const HttpHeaders& headers,
             std::string body, const HttpClientOptions& options, Done done);

  // Ends the calls in progress at once (their `done` gets kCancelled, "net.cancelled") and
  // refuses later ones the same way; for stopping. Idempotent.
  void Cancel();

  // Waits for the calls in progress to complete, then stops the threads. Idempotent.
  void Shutdown();

 private:
  struct State;
  class Http2Origin;
  std::shared_ptr<State> state_;
};

// The parts of an http or https URL.
struct HttpUrl {
  bool tls = false;  // https.
  std::string host;
  uint16_t port = 80;        // 443 by default for https.
  std::string target = "/";  // Path and query.
};
StatusOr<HttpUrl> ParseHttpUrl(const std::string& url);

}  // namespace truc::net
