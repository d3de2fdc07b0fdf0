// The invariant that request smuggling breaks, for the targets that turn outside input into a
// ServiceRequest: once ValidateServiceRequest accepts a request, the HTTP request a provider's
// gateway writes for its backend (Beast, as net::HttpFetch writes it) reads back as exactly one
// request, with the same method, target and header fields, and nothing left over.
#pragma once

#include <sstream>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include "gateway/exchange/service_call.h"
#include "tests/fuzz/fuzz_support.h"

namespace truc::fuzz {

inline void CheckBackendRequest(const gateway::ServiceRequest& request) {
  namespace http = boost::beast::http;
  if (!gateway::ValidateServiceRequest(request).ok()) return;
  gateway::HeaderFields fields = request.headers;
  fields.emplace_back("X-Road-Client", request.client.ToString());
  fields.emplace_back("X-Road-Id", request.message_id);
  if (!request.user_id.empty()) fields.emplace_back("X-Road-UserId", request.user_id);
  if (!request.purpose.empty()) fields.emplace_back("X-Road-Issue", request.purpose);
  if (!request.represented_party.empty()) {
    fields.emplace_back("X-Road-Represented-Party", request.represented_party);
  }
  const std::string target = "/api" + request.path;
  http::request<http::string_body> sent(http::string_to_verb(request.method), target, 11);
  Require(sent.method() != http::verb::unknown, "an accepted method is one Beast knows");
  sent.set(http::field::host, "backend.example:8080");
  for (const auto& [name, value] : fields) sent.insert(name, value);
  sent.body() = request.body;
  sent.prepare_payload();
  std::ostringstream wire;
  wire << sent;
  const std::string bytes = wire.str();

  http::request_parser<http::string_body> parser;
  parser.eager(true);
  boost::beast::error_code error;
  const size_t used = parser.put(boost::asio::buffer(bytes), error);
  Require(!error && parser.is_done(), "the backend request parses whole");
  Require(used == bytes.size(), "nothing follows the backend request: no second request");
  const http::request<http::string_body>& read = parser.get();
  Require(read.method_string() == request.method, "the backend sees the method sent");
  Require(read.target() == target, "the backend sees the target sent");
  Require(read.body() == request.body, "the backend sees the body sent");
  for (const auto& [name, value] : fields) {
    bool found = false;
    const auto [first, last] = read.base().equal_range(name);
    for (auto field = first; field != last; ++field) found = found || field->value() == value;
    Require(found, "every header field reaches the backend as sent");
  }
  Require(read.base().count("X-Road-UserId") <= 1 && read.base().count("X-Road-Id") == 1 &&
              read.base().count(http::field::host) == 1,
          "the backend gets one of each id and one Host");
}

}  // namespace truc::fuzz
