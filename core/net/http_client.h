// A blocking HTTP/1.1 client for the few calls Trục makes over plain HTTP: RFC 3161 requests to
// timestamp authorities and downloads of the signed global configuration (both carry their own
// signatures, so they need no TLS).
//
// Blocking: call it from worker threads, never from an I/O thread. Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <string>

#include "core/base/status.h"
#include "core/net/http_message.h"

namespace truc::net {

struct HttpClientOptions {
  // Deadline for the whole exchange: resolve, connect, send and receive.
  std::chrono::milliseconds timeout{10'000};
  size_t max_response_bytes = 64 << 20;
};

// Sends one request to `url` ("http://host[:port]/path?query") and returns the response, whatever
// its status. Errors: kInvalidArgument for a malformed or non-http URL, kUnavailable when the
// server cannot be reached or the connection breaks, kDeadlineExceeded on timeout,
// kResourceExhausted for a response larger than the limit; messages name the URL.
StatusOr<HttpResponse> HttpFetch(const std::string& method, const std::string& url,
                                 const HttpHeaders& headers, const std::string& body,
                                 const HttpClientOptions& options = {});

// The parts of an http URL.
struct HttpUrl {
  std::string host;
  uint16_t port = 80;
  std::string target = "/";  // Path and query.
};
StatusOr<HttpUrl> ParseHttpUrl(const std::string& url);

}  // namespace truc::net
