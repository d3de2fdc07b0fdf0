// What an information system sends to the REST interface, from the bytes on the connection: the
// request line, header fields and body framing as the HTTP server reads them (Beast's parser, then
// net::CheckRequestFraming), the r1 protocol (rest::ParseRestRequest), then the service call as
// the exchange takes it. Whatever passes must reach a backend as exactly one request.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include "core/net/http_framing.h"
#include "gateway/rest/rest_request.h"
#include "gateway/rest_interface.h"
#include "tests/fuzz/backend_request_check.h"

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 << 10);
  parser.body_limit(1 << 20);
  parser.eager(false);
  boost::beast::error_code error;
  boost::asio::const_buffer input(data, size);
  while (!parser.is_header_done()) {
    const size_t used = parser.put(input, error);
    if (error || used == 0) return 0;
    input += used;
  }
  if (truc::net::CheckRequestFraming(parser.get().base()).has_value()) return 0;
  truc::net::HttpRequest request;
  request.method = std::string(parser.get().method_string());
  request.target = std::string(parser.get().target());
  for (const auto& field : parser.get()) {  // The header section only: trailers are not taken.
    request.headers.Add(std::string(field.name_string()), std::string(field.value()));
  }
  parser.eager(true);
  while (!parser.is_done()) {
    const size_t used = parser.put(input, error);
    if (error == http::error::need_more && input.size() == 0) {
      parser.put_eof(error);
      if (error) return 0;
      break;
    }
    if (error || used == 0) return 0;
    input += used;
  }
  request.body = parser.get().body();

  truc::StatusOr<truc::gateway::rest::RestRequest> parsed =
      truc::gateway::rest::ParseRestRequest(request);
  if (!parsed.ok() || std::holds_alternative<truc::gateway::rest::ListClients>(*parsed)) return 0;
  truc::gateway::ServiceRequest call =
      truc::gateway::RestInterface::ToServiceRequest(*std::move(parsed), request);
  if (call.message_id.empty()) call.message_id = "m-1";  // As the consumer's gateway sets one.
  truc::fuzz::CheckBackendRequest(call);
  return 0;
}
