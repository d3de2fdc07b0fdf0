#include "gateway/rest/rest_request.h"

#include <catch2/catch.hpp>

namespace truc::gateway::rest {
namespace {

constexpr char kClient[] = "EE/GOV/70000001/portal";

net::HttpRequest Request(std::string method, std::string target,
                         std::vector<std::pair<std::string, std::string>> headers = {
                             {"X-Road-Client", kClient}}) {
  net::HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  for (auto& [name, value] : headers) request.headers.Add(std::move(name), std::move(value));
  return request;
}

ServiceCall ParseCall(const net::HttpRequest& request) {
  StatusOr<RestRequest> parsed = ParseRestRequest(request);
  REQUIRE(parsed.ok());
  REQUIRE(std::holds_alternative<ServiceCall>(*parsed));
  return std::get<ServiceCall>(*std::move(parsed));
}

// The X-Road type of the error `request` is refused with, and its message.
std::pair<std::string, std::string> ParseError(const net::HttpRequest& request) {
  StatusOr<RestRequest> parsed = ParseRestRequest(request);
  REQUIRE_FALSE(parsed.ok());
  return {parsed.status().reason(), parsed.status().message()};
}

TEST_CASE("A service call names its client, service, raw path and raw query", "[rest]") {
  const ServiceCall call =
      ParseCall(Request("POST", "/r1/EE/GOV/70000002/registry/persons/a%20b/c?x=%2F&y=1"));
  CHECK(call.client.ToString() == kClient);
  CHECK(call.service.ToString() == "EE/GOV/70000002/registry/persons");
  CHECK(call.service.version().empty());
  CHECK(call.path == "/a%20b/c");
  CHECK(call.query == "x=%2F&y=1");
  CHECK_FALSE(call.message_id);
  CHECK_FALSE(call.user_id);
  CHECK_FALSE(call.issue);
  CHECK_FALSE(call.represented_party);
  CHECK_FALSE(call.target_server);
}

TEST_CASE("A service called without a path reaches the backend at /", "[rest]") {
  CHECK(ParseCall(Request("GET", "/r1/EE/GOV/70000002/registry/persons")).path == "/");
  CHECK(ParseCall(Request("GET", "/r1/EE/GOV/70000002/registry/persons/")).path == "/");
  const ServiceCall with_query =
      ParseCall(Request("GET", "/r1/EE/GOV/70000002/registry/persons?q"));
  CHECK(with_query.path == "/");
  CHECK(with_query.query == "q");
}

TEST_CASE("A sixth segment starts the path, so r1 cannot address a service version", "[rest]") {
  const ServiceCall call = ParseCall(Request("GET", "/r1/EE/GOV/70000002/registry/persons/v1"));
  CHECK(call.service.service_code() == "persons");
  CHECK(call.service.version().empty());
  CHECK(call.path == "/v1");
}

TEST_CASE("Each part of the service id is percent-decoded on its own", "[rest]") {
  const ServiceCall call =
      ParseCall(Request("GET", "/r1/EE/GOV/7000%2F0002/reg%20istry/per%C3%A4sons/x%2Fy?a=%20"));
  CHECK(call.service.provider().member().member_code() == "7000/0002");
  CHECK(call.service.provider().subsystem_code() == "reg istry");
  CHECK(call.service.service_code() == "per\xC3\xA4sons");
  CHECK(call.path == "/x%2Fy");
  CHECK(call.query == "a=%20");
}

TEST_CASE("The X-Road headers of a call are read, the last of a repeated one counting", "[rest]") {
  const ServiceCall call =
      ParseCall(Request("GET", "/r1/EE/GOV/70000002/registry/persons",
                        {{"X-Road-Client", "EE/GOV/70000009/other"},
                         {"x-road-client", "EE/GOV/70000001/portal%2F2"},
                         {"X-Road-Id", "0b8c5a4e-4b58-4d2b-9d8c-1f0c8f2a7b11"},
                         {"X-Road-UserId", "EE38001085718"},
                         {"X-Road-Issue", "case 12/2026"},
                         {"X-Road-Represented-Party", "COM/12345678"},
                         {"X-Road-Security-Server", "EE/GOV/70000002/gw%201"}}));
  CHECK(call.client.subsystem_code() == "portal/2");
  CHECK(call.client.member().member_code() == "70000001");
  CHECK(call.message_id == "0b8c5a4e-4b58-4d2b-9d8c-1f0c8f2a7b11");
  CHECK(call.user_id == "EE38001085718");
  CHECK(call.issue == "case 12/2026");
  CHECK(call.represented_party == "COM/12345678");
  REQUIRE(call.target_server);
  CHECK(call.target_server->server_code() == "gw 1");
  CHECK(call.target_server->owner().member_code() == "70000002");
}

TEST_CASE("Empty optional X-Road headers count as absent", "[rest]") {
  const ServiceCall call = ParseCall(Request("GET", "/r1/EE/GOV/70000002/registry/persons",
                                             {{"X-Road-Client", kClient},
                                              {"X-Road-Id", ""},
                                              {"X-Road-UserId", ""},
                                              {"X-Road-Security-Server", ""}}));
  CHECK_FALSE(call.message_id);
  CHECK_FALSE(call.user_id);
  CHECK_FALSE(call.target_server);
}

TEST_CASE("A missing or malformed X-Road-Client is an invalid client identifier", "[rest]") {
  const std::string target = "/r1/EE/GOV/70000002/registry/persons";
  auto [missing_type, missing_message] = ParseError(Request("GET", target, {}));
  CHECK(missing_type == "Client.InvalidClientIdentifier");
  CHECK_THAT(missing_message, Catch::Contains("X-Road-Client header is missing"));

  for (const std::string client : {"EE/GOV/70000001", "EE/GOV/70000001/portal/extra",
                                   "EE//70000001/portal", "EE/GOV/70000001/por%2", ""}) {
    INFO(client);
    auto [type, message] = ParseError(Request("GET", target, {{"X-Road-Client", client}}));
    CHECK(type == "Client.InvalidClientIdentifier");
    CHECK_THAT(message, Catch::StartsWith("X-Road-Client header: invalid subsystem id"));
  }
  // The last field counts, even when an earlier one was valid.
  auto [type, message] =
      ParseError(Request("GET", target, {{"X-Road-Client", kClient}, {"X-Road-Client", "EE/GOV"}}));
  CHECK(type == "Client.InvalidClientIdentifier");
}

TEST_CASE("A target outside /r1/ is a bad request", "[rest]") {
  for (const std::string target :
       {"/r2/EE/GOV/70000002/registry/persons", "/r1", "/", "/listclients",
        "http://gw/r1/EE/GOV/70000002/registry/persons", "*"}) {
    INFO(target);
    auto [type, message] = ParseError(Request("GET", target));
    CHECK(type == "Client.BadRequest");
    CHECK_THAT(message, Catch::Contains("'" + target + "'") && Catch::Contains("/r1/"));
  }
}

TEST_CASE("A service id that is short or malformed is an invalid service identifier", "[rest]") {
  for (const std::string target :
       {"/r1/", "/r1/EE/GOV/70000002/registry", "/r1/EE/GOV/70000002/registry?x=/a/b",
        "/r1/EE//70000002/registry/persons", "/r1/EE/GOV/70000002/registry/per%ZZsons",
        "/r1/EE/GOV/70000002/registry/%00", "/r1/EE/GOV/70000002/registry//path"}) {
    INFO(target);
    auto [type, message] = ParseError(Request("GET", target));
    CHECK(type == "Client.InvalidServiceIdentifier");
    CHECK_THAT(message, Catch::StartsWith("request target '" + target + "'"));
  }
}

TEST_CASE("A malformed X-Road-Security-Server is a bad request", "[rest]") {
  auto [type, message] = ParseError(
      Request("GET", "/r1/EE/GOV/70000002/registry/persons",
              {{"X-Road-Client", kClient}, {"X-Road-Security-Server", "EE/GOV/70000002"}}));
  CHECK(type == "Client.BadRequest");
  CHECK_THAT(message, Catch::StartsWith("X-Road-Security-Server header: invalid server id"));
}

TEST_CASE("listMethods and allowedMethods are metaservice calls of the provider", "[rest]") {
  StatusOr<RestRequest> list =
      ParseRestRequest(Request("GET", "/r1/EE/GOV/70000002/registry/listMethods"));
  REQUIRE(list.ok());
  REQUIRE(std::holds_alternative<ListMethods>(*list));
  const ServiceCall& call = std::get<ListMethods>(*list).call;
  CHECK(call.client.ToString() == kClient);
  CHECK(call.service.provider().ToString() == "EE/GOV/70000002/registry");

  StatusOr<RestRequest> allowed =
      ParseRestRequest(Request("GET", "/r1/EE/GOV/70000002/registry/allowedMethods",
                               {{"X-Road-Client", kClient}, {"X-Road-Id", "m-1"}}));
  REQUIRE(allowed.ok());
  REQUIRE(std::holds_alternative<AllowedMethods>(*allowed));
  CHECK(std::get<AllowedMethods>(*allowed).call.message_id == "m-1");

  // They need a client like any exchange.
  CHECK(ParseError(Request("GET", "/r1/EE/GOV/70000002/registry/listMethods", {})).first ==
        "Client.InvalidClientIdentifier");
}

TEST_CASE("Only GET makes a metaservice code a metaservice call", "[rest]") {
  const ServiceCall call = ParseCall(Request("POST", "/r1/EE/GOV/70000002/registry/listMethods"));
  CHECK(call.service.service_code() == "listMethods");
  // Service codes are case-sensitive, as in X-Road.
  CHECK(ParseCall(Request("GET", "/r1/EE/GOV/70000002/registry/listmethods"))
            .service.service_code() == "listmethods");
}

TEST_CASE("getOpenAPI names the described service in its query", "[rest]") {
  StatusOr<RestRequest> parsed = ParseRestRequest(
      Request("GET", "/r1/EE/GOV/70000002/registry/getOpenAPI?x=1&serviceCode=per%C3%A4+sons"));
  REQUIRE(parsed.ok());
  REQUIRE(std::holds_alternative<GetOpenApi>(*parsed));
  const GetOpenApi& get = std::get<GetOpenApi>(*parsed);
  CHECK(get.service_code == "per\xC3\xA4 sons");
  CHECK(get.call.service.provider().ToString() == "EE/GOV/70000002/registry");

  SECTION("the last serviceCode counts and names match in any case") {
    parsed = ParseRestRequest(
        Request("GET", "/r1/EE/GOV/70000002/registry/getOpenAPI?serviceCode=a&SERVICECODE=b"));
    REQUIRE(parsed.ok());
    CHECK(std::get<GetOpenApi>(*parsed).service_code == "b");
  }
}

TEST_CASE("getOpenAPI without a valid serviceCode is an invalid request", "[rest]") {
  for (const std::string query : {"", "?", "?serviceCode", "?serviceCode=", "?servicecode=%",
                                  "?serviceCode=%01", "?other=persons"}) {
    INFO(query);
    auto [type, message] =
        ParseError(Request("GET", "/r1/EE/GOV/70000002/registry/getOpenAPI" + query));
    CHECK(type == "Server.ServerProxy.InvalidRequest");
    CHECK_THAT(message, Catch::StartsWith("getOpenAPI") && Catch::Contains("serviceCode"));
  }
}

TEST_CASE("listClients needs no client and may name an instance", "[rest]") {
  StatusOr<RestRequest> own = ParseRestRequest(Request("GET", "/listClients", {}));
  REQUIRE(own.ok());
  REQUIRE(std::holds_alternative<ListClients>(*own));
  CHECK_FALSE(std::get<ListClients>(*own).instance);

  StatusOr<RestRequest> other =
      ParseRestRequest(Request("GET", "/listClients?xRoadInstance=FI%2DTEST"));
  REQUIRE(other.ok());
  CHECK(std::get<ListClients>(*other).instance == "FI-TEST");

  StatusOr<RestRequest> blank = ParseRestRequest(Request("GET", "/listClients?xRoadInstance="));
  REQUIRE(blank.ok());
  CHECK_FALSE(std::get<ListClients>(*blank).instance);
}

TEST_CASE("listClients refuses other methods and malformed instances", "[rest]") {
  auto [post_type, post_message] = ParseError(Request("POST", "/listClients"));
  CHECK(post_type == "Client.BadRequest");
  CHECK(post_message == "/listClients is called with GET, not POST");

  for (const std::string query : {"?xRoadInstance=%", "?xRoadInstance=a%0Ab"}) {
    INFO(query);
    auto [type, message] = ParseError(Request("GET", "/listClients" + query));
    CHECK(type == "Client.BadRequest");
    CHECK_THAT(message, Catch::StartsWith("/listClients: query parameter xRoadInstance"));
  }
  CHECK(ParseError(Request("GET", "/listClients?xRoadInstance=a%0Ab")).second ==
        "/listClients: query parameter xRoadInstance contains a control character at byte 1");
}

}  // namespace
}  // namespace truc::gateway::rest
