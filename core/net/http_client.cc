#include "core/net/http_client.h"

#include <charconv>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

namespace truc::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

Status NetworkError(const std::string& url, std::string_view step, const beast::error_code& error) {
  const std::string message = fmt::format("{} {}: {}", step, url, error.message());
  if (error == beast::error::timeout)
    return Status(StatusCode::kDeadlineExceeded, message, "net.timeout");
  if (error == http::error::body_limit) {
    return Status(StatusCode::kResourceExhausted, message, "net.response_too_large");
  }
  return UnavailableError(message, "net.unreachable");
}

// Runs one exchange and stores its outcome in `result`.
asio::awaitable<void> Exchange(const std::string& url, const HttpUrl& parts,
                               http::request<http::string_body> request,
                               const HttpClientOptions& options,
                               std::chrono::steady_clock::time_point deadline,
                               StatusOr<HttpResponse>& result) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  beast::tcp_stream stream(executor);
  stream.expires_at(deadline);
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(parts.host, std::to_string(parts.port), kNoThrow);
  if (resolve_error) {
    result = NetworkError(url, "cannot resolve", resolve_error);
    co_return;
  }
  auto [connect_error, endpoint] = co_await stream.async_connect(endpoints, kNoThrow);
  if (connect_error) {
    result = NetworkError(url, "cannot connect to", connect_error);
    co_return;
  }
  auto [write_error, written] = co_await http::async_write(stream, request, kNoThrow);
  if (write_error) {
    result = NetworkError(url, "cannot send to", write_error);
    co_return;
  }

  beast::flat_buffer buffer;
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
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  result = std::move(response);
}

}  // namespace

StatusOr<HttpUrl> ParseHttpUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  const auto invalid = [&](std::string_view why) {
    return InvalidArgumentError(fmt::format("invalid URL '{}': {}", url, why), "net.bad_url");
  };
  if (!std::string_view(url).starts_with(kScheme))
    return invalid("only http:// URLs are supported");
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  const size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  HttpUrl parts;
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

StatusOr<HttpResponse> HttpFetch(const std::string& method, const std::string& url,
                                 const HttpHeaders& headers, const std::string& body,
                                 const HttpClientOptions& options) {
  TRUC_ASSIGN_OR_RETURN(HttpUrl parts, ParseHttpUrl(url));
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    return InvalidArgumentError(fmt::format("unknown HTTP method '{}'", method), "net.bad_method");
  }
  http::request<http::string_body> request(verb, parts.target, 11);
  request.set(http::field::host,
              parts.port == 80 ? parts.host : fmt::format("{}:{}", parts.host, parts.port));
  for (const auto& [name, value] : headers.fields()) request.insert(name, value);
  request.body() = body;
  request.prepare_payload();
  request.keep_alive(false);

  asio::io_context io;
  StatusOr<HttpResponse> result = InternalError("HTTP exchange did not complete");
  asio::co_spawn(io,
                 Exchange(url, parts, std::move(request), options,
                          std::chrono::steady_clock::now() + options.timeout, result),
                 [&result](std::exception_ptr error) {
                   if (error) result = InternalError("HTTP exchange failed unexpectedly");
                 });
  io.run();
  return result;
}

}  // namespace truc::net
