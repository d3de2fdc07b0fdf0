#include "gateway/rest/rest_errors.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "gateway/errors.h"

namespace truc::gateway::rest {
namespace {

net::HttpHeaders Accepting(std::vector<std::string> accept_fields) {
  net::HttpHeaders headers;
  for (std::string& field : accept_fields) headers.Add("Accept", std::move(field));
  return headers;
}

const Status kDenied =
    ServerProxyError(error_code::kAccessDenied, "EE/GOV/1/portal may not call persons");

TEST_CASE("Errors are JSON unless the client asks for XML", "[rest]") {
  for (const auto& accept :
       std::vector<std::vector<std::string>>{{},
                                             {"application/json"},
                                             {"*/*"},
                                             {"text/*"},
                                             {"text/html, application/xhtml+xml"},
                                             {""}}) {
    INFO((accept.empty() ? "(no Accept)" : accept.front()));
    const net::HttpResponse response = RenderErrorResponse(kDenied, "d-1", Accepting(accept));
    CHECK(response.status == 500);
    CHECK(response.headers.Get("X-Road-Error") == "Server.ServerProxy.AccessDenied");
    CHECK(response.headers.Get("Content-Type") == "application/json;charset=utf-8");
    CHECK(nlohmann::json::parse(response.body) ==
          nlohmann::json{{"type", "Server.ServerProxy.AccessDenied"},
                         {"message", "EE/GOV/1/portal may not call persons"},
                         {"detail", "d-1"}});
  }
}

TEST_CASE("Errors are XML of the type the client asked for", "[rest]") {
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><error>"
      "<type>Server.ServerProxy.AccessDenied</type>"
      "<message>EE/GOV/1/portal may not call persons</message><detail>d-1</detail></error>";
  const auto check_xml = [&](std::vector<std::string> accept, std::string content_type) {
    INFO(accept.front());
    const net::HttpResponse response =
        RenderErrorResponse(kDenied, "d-1", Accepting(std::move(accept)));
    CHECK(response.status == 500);
    CHECK(response.headers.Get("X-Road-Error") == "Server.ServerProxy.AccessDenied");
    CHECK(response.headers.Get("Content-Type") == content_type);
    CHECK(response.body == body);
  };
  check_xml({"application/xml"}, "application/xml;charset=utf-8");
  check_xml({"text/xml"}, "text/xml;charset=utf-8");
  check_xml({"Text/XML; charset=utf-8"}, "text/xml;charset=utf-8");
  check_xml({"application/json;q=0.5, application/xml"}, "application/xml;charset=utf-8");
  check_xml({"text/plain", "text/xml;q=0.1, application/xml"}, "text/xml;charset=utf-8");
}

TEST_CASE("Client errors answer 400", "[rest]") {
  const net::HttpResponse response =
      RenderErrorResponse(ClientError(error_code::kInvalidClientIdentifier, "missing"), "d-2", {});
  CHECK(response.status == 400);
  CHECK(response.headers.Get("X-Road-Error") == "Client.InvalidClientIdentifier");
}

TEST_CASE("Untyped failures are answered as the consumer's gateway's", "[rest]") {
  const net::HttpResponse response =
      RenderErrorResponse(Status(StatusCode::kDeadlineExceeded, "slow"), "d-3", {});
  CHECK(response.status == 500);
  CHECK(response.headers.Get("X-Road-Error") == "Server.ClientProxy.Timeout");
  CHECK(nlohmann::json::parse(response.body)["type"] == "Server.ClientProxy.Timeout");
}

TEST_CASE("Hostile messages cannot break out of their field", "[rest]") {
  const std::string hostile =
      "\"}, \"type\": \"Client.X\" </message><type>x</type> & ' \\ \r\n\t\x01 \xC3\x28 "
      "\xEF\xBF\xBF";
  const Status error = ClientError(error_code::kBadRequest, hostile);

  SECTION("in JSON") {
    const net::HttpResponse response = RenderErrorResponse(error, "<d>", {});
    CHECK(response.body.find_first_of("\r\n\t\x01") == std::string::npos);  // All escaped.
    const nlohmann::json body = nlohmann::json::parse(response.body);
    CHECK(body.size() == 3);
    CHECK(body["type"] == "Client.BadRequest");
    CHECK(body["detail"] == "<d>");
    // Everything valid is kept; the invalid UTF-8 byte becomes U+FFFD.
    CHECK(body["message"] ==
          "\"}, \"type\": \"Client.X\" </message><type>x</type> & ' \\ \r\n\t\x01 \xEF\xBF\xBD( "
          "\xEF\xBF\xBF");
  }
  SECTION("in XML") {
    const net::HttpResponse response =
        RenderErrorResponse(error, "<d>", Accepting({"application/xml"}));
    CHECK(
        response.body ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><error><type>Client.BadRequest</type>"
        "<message>&quot;}, &quot;type&quot;: &quot;Client.X&quot; &lt;/message&gt;&lt;type&gt;"
        "x&lt;/type&gt; &amp; &apos; \\ &#13;\n\t\xEF\xBF\xBD \xEF\xBF\xBD( \xEF\xBF\xBD</message>"
        "<detail>&lt;d&gt;</detail></error>");
  }
}

}  // namespace
}  // namespace truc::gateway::rest
