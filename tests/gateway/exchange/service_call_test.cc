#include "gateway/exchange/service_call.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

namespace truc::gateway {
namespace {

ServiceRequest ValidRequest() {
  ServiceRequest request{.client = ids::SubsystemId::Parse("VN/GOV/000900/portal").value(),
                         .service = ids::ServiceId::Parse("VN/GOV/000100/population/echo").value()};
  request.message_id = "5c0e7a52-2f0b-4d1c-9a3e-4f6d1c2b3a40";
  request.user_id = "VN079123456789";
  request.purpose = "HS-2026-000123 Nguyễn Văn A";
  request.method = "GET";
  request.path = "/only/inj2?fields=name%2Cbirth";
  request.headers = {{"Accept", "application/json"}, {"X-Note", "Nguyễn Văn A"}};
  return request;
}

// The message of ValidateServiceRequest's error for `request`, "" when it is accepted.
std::string Refusal(const ServiceRequest& request) {
  const Status status = ValidateServiceRequest(request);
  if (status.ok()) return "";
  CHECK(status.code() == StatusCode::kInvalidArgument);
  return status.message();
}

TEST_CASE("A well-formed request passes, Vietnamese text included", "[exchange]") {
  ServiceRequest request = ValidRequest();
  request.headers = {{"Accept", "application/json"}, {"X-Note", "đã xác minh"}};
  CHECK(Refusal(request).empty());
  for (const char* method : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"}) {
    request.method = method;
    CHECK(Refusal(request).empty());
  }
}

TEST_CASE("CR and LF in any field that reaches a backend are refused", "[exchange]") {
  // The probe's smuggling payload, and its header injection.
  const std::string smuggled =
      "u2\r\nContent-Length: 0\r\n\r\nGET /api/SMUGGLED-not-granted HTTP/1.1\r\nHost: x\r\nX-Pad: ";
  const std::string injected = "u1\r\nX-Injected: yes\r\nX-Road-Client: VN/GOV/999999/spoofed";
  for (const std::string& value :
       {smuggled, injected, std::string("a\nb"), std::string("a\rb"), std::string("a\0b", 3)}) {
    ServiceRequest request = ValidRequest();
    request.user_id = value;
    CHECK(Refusal(request).starts_with("user id"));
    request = ValidRequest();
    request.message_id = value;
    CHECK(Refusal(request).starts_with("message id"));
    request = ValidRequest();
    request.purpose = value;
    CHECK(Refusal(request).starts_with("purpose (issue)"));
    request = ValidRequest();
    request.represented_party = value;
    CHECK(Refusal(request).starts_with("represented party"));
    request = ValidRequest();
    request.headers.emplace_back("X-Custom", value);
    CHECK(Refusal(request).starts_with("request header X-Custom"));
    request = ValidRequest();
    request.path = "/only/inj2?q=" + value;
    CHECK(Refusal(request).starts_with("path"));
  }
  ServiceRequest request = ValidRequest();
  request.user_id = injected;
  // The refused value is quoted back escaped, so the error itself cannot be split.
  CHECK(Refusal(request) ==
        "user id \"u1\\x0d\\x0aX-Injected: yes\\x0d\\x0aX-Road-Client: VN/G\"... holds a control "
        "character (such as CR or LF) or surrounding whitespace");
}

TEST_CASE("Values that are not UTF-8 are refused, so that the audit log can read them back",
          "[exchange]") {
  ServiceRequest request = ValidRequest();
  request.user_id = "Nguy\xean";
  CHECK(Refusal(request) == "user id \"Nguy\\xean\" is not valid UTF-8");
  request = ValidRequest();
  request.headers.emplace_back("X-Name", "Nguy\xean");
  CHECK(Refusal(request) == "request header X-Name \"Nguy\\xean\" is not valid UTF-8");
  request = ValidRequest();
  request.path = "/citizens/Nguy\xean";
  CHECK(Refusal(request) == "path \"/citizens/Nguy\\xean\" is not valid UTF-8");
  request = ValidRequest();
  request.purpose = "HS-\xc0\xaf";  // An overlong "/".
  CHECK(Refusal(request).ends_with("is not valid UTF-8"));
}

TEST_CASE("Methods, paths, names and sizes outside the protocol are refused", "[exchange]") {
  ServiceRequest request = ValidRequest();
  for (const std::string& method :
       std::vector<std::string>{"FOOBAR", "get", "", "CONNECT", std::string(4096, 'G')}) {
    request.method = method;
    CHECK(Refusal(request).starts_with("method \""));
  }
  request = ValidRequest();
  request.path = "relative";
  CHECK(Refusal(request).starts_with("path \"relative\" must start with '/'"));
  request.path = "/a b";
  CHECK(Refusal(request).starts_with("path \"/a b\""));
  request = ValidRequest();
  request.headers.emplace_back("X Bad", "v");
  CHECK(Refusal(request) == "request header name \"X Bad\" is not an HTTP token");
  request = ValidRequest();
  request.headers.emplace_back("X-Padded", " v");
  CHECK(Refusal(request).starts_with("request header X-Padded"));
  request = ValidRequest();
  request.message_id = std::string(kMaxMessageIdBytes + 1, 'm');
  CHECK(Refusal(request) == "the message id has 256 bytes; at most 255 are allowed");
  request = ValidRequest();
  request.headers.assign(kMaxRequestHeaderFields + 1, {"X-Many", "1"});
  CHECK(Refusal(request) == "the request has 101 header fields; at most 100 are allowed");
  request = ValidRequest();
  request.headers = {{"X-Big", std::string(kMaxRequestHeaderBytes, 'b')}};
  CHECK(Refusal(request).starts_with("the request's path, ids and header fields hold"));
}

TEST_CASE("A backend's response header fields are checked as a request's", "[exchange]") {
  CHECK(
      ValidateHeaderFields({{"Content-Type", "application/json"}}, "the backend's response").ok());
  const Status bad = ValidateHeaderFields({{"X-Name", "Nguy\xean"}}, "the backend's response");
  CHECK(bad.message() == "the backend's response header X-Name \"Nguy\\xean\" is not valid UTF-8");
}

TEST_CASE("Fields the gateways set are refused among a request's header fields", "[exchange]") {
  for (const char* name : {"X-Road-UserId", "x-road-id", "X-ROAD-ISSUE", "X-Road-Client",
                           "X-Road-Represented-Party", "X-Road-Request-Hash", "Host",
                           "Content-Length", "Transfer-Encoding", "Connection", "TE", "Upgrade"}) {
    INFO(name);
    ServiceRequest request = ValidRequest();
    request.headers.emplace_back(name, "x");
    CHECK(Refusal(request).starts_with(
        fmt::format("request header {} is not an end-to-end field", name)));
  }
}

TEST_CASE("A request's id fields on the wire are taken once, and agree with its evidence",
          "[exchange]") {
  ServiceRequest sent = ValidRequest();
  v1::ExchangeMessage message;
  SetWireHeaders(RequestWireHeaders(sent), message);
  message.mutable_evidence()->set_message_id(sent.message_id);
  ServiceRequest read{.client = sent.client, .service = sent.service};
  REQUIRE(ReadRequestWireHeaders(message, read).ok());
  CHECK(read.user_id == sent.user_id);
  CHECK(read.purpose == sent.purpose);
  CHECK(read.message_id == sent.message_id);
  CHECK(read.headers == sent.headers);

  v1::ExchangeMessage twice = message;
  v1::Header* again = twice.add_headers();
  again->set_name("x-road-userid");
  again->set_value("somebody-else");
  const Status duplicated = ReadRequestWireHeaders(twice, read);
  CHECK(duplicated.reason() == "Server.ServerProxy.InvalidRequest");
  CHECK(duplicated.message() == "the request carries its x-road-userid field twice");

  v1::ExchangeMessage other_id = message;
  other_id.mutable_evidence()->set_message_id("another-id");
  CHECK(ReadRequestWireHeaders(other_id, read).message() ==
        "the request's x-road-id field differs from its evidence's message id");
}

TEST_CASE("A TRACE request with a body is refused (Beast would throw writing it)", "[exchange]") {
  ServiceRequest request = ValidRequest();
  request.method = "TRACE";
  CHECK(Refusal(request).empty());
  request.body = "x";
  CHECK(Refusal(request) == "a TRACE request carries no body (RFC 9110, section 9.3.8)");
}

TEST_CASE("A response's status must be a final one", "[exchange]") {
  for (const char* status : {"100", "199", "600", "abc", "2000"}) {
    INFO(status);
    v1::ExchangeMessage message;
    SetWireHeaders({{":status", status}}, message);
    ServiceResponse response;
    CHECK(ReadResponseWireHeaders(message, response).reason() ==
          "Server.ClientProxy.InternalError");
  }
  v1::ExchangeMessage message;
  SetWireHeaders({{":status", "204"}}, message);
  ServiceResponse response;
  CHECK(ReadResponseWireHeaders(message, response).ok());
  CHECK(response.status == 204);
}

}  // namespace
}  // namespace truc::gateway
