// How a request's body is delimited (RFC 9112 section 6), checked before the body is read. Beast
// reads a body only when "chunked" is the final transfer coding and takes any other coding as no
// body at all, so that the body would be read as a second request (request smuggling). Shared by
// the HTTP server and its fuzz target; code above the network layer never sees Beast.
#pragma once

#include <optional>
#include <string>

#include <boost/beast/http/fields.hpp>

namespace truc::net {

// What to answer a request whose framing is refused (the connection is then closed).
struct FramingError {
  int status = 400;
  std::string message;
};

// nullopt when the header section frames its body as this server reads bodies: no
// Transfer-Encoding, or exactly "chunked" (any case) without a Content-Length beside it. 400 when
// "chunked" is not the last coding or comes with a Content-Length; 501 for any other coding.
std::optional<FramingError> CheckRequestFraming(const boost::beast::http::fields& fields);

}  // namespace truc::net
