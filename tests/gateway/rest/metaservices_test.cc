#include "gateway/rest/metaservices.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace truc::gateway::rest {
namespace {

ids::MemberId Member(std::string code) { return *ids::MemberId::Create("EE", "GOV", code); }

ids::SubsystemId Subsystem(std::string member_code, std::string subsystem) {
  return *ids::SubsystemId::Create(Member(std::move(member_code)), std::move(subsystem));
}

net::HttpHeaders Accepting(std::string accept) {
  net::HttpHeaders headers;
  headers.Add("Accept", std::move(accept));
  return headers;
}

const std::vector<ClientEntry> kClients = {
    {Member("70000001"), "Ministry & <Co>", std::nullopt},
    {Subsystem("70000001", "portal"), "Ministry & <Co>", "Citizen \"portal\""},
};

TEST_CASE("listClients answers X-Road's XML by default", "[rest]") {
  for (const std::string accept : {"", "*/*", "text/xml", "application/xml"}) {
    INFO(accept);
    const net::HttpResponse response = RenderClientList(kClients, Accepting(accept));
    CHECK(response.status == 200);
    CHECK(response.headers.Get("Content-Type") == "text/xml;charset=utf-8");
    CHECK(response.body ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
          "<ns2:clientList xmlns:ns1=\"http://x-road.eu/xsd/identifiers\" "
          "xmlns:ns2=\"http://x-road.eu/xsd/xroad.xsd\">\n"
          "<ns2:member><ns2:id ns1:objectType=\"MEMBER\"><ns1:xRoadInstance>EE</ns1:xRoadInstance>"
          "<ns1:memberClass>GOV</ns1:memberClass><ns1:memberCode>70000001</ns1:memberCode>"
          "</ns2:id><ns2:name>Ministry &amp; &lt;Co&gt;</ns2:name></ns2:member>\n"
          "<ns2:member><ns2:id ns1:objectType=\"SUBSYSTEM\"><ns1:xRoadInstance>EE"
          "</ns1:xRoadInstance><ns1:memberClass>GOV</ns1:memberClass><ns1:memberCode>70000001"
          "</ns1:memberCode><ns1:subsystemCode>portal</ns1:subsystemCode></ns2:id>"
          "<ns2:name>Ministry &amp; &lt;Co&gt;</ns2:name><ns2:subsystemName>Citizen "
          "&quot;portal&quot;</ns2:subsystemName></ns2:member>\n"
          "</ns2:clientList>\n");
  }
}

TEST_CASE("listClients answers JSON when the client accepts application/json", "[rest]") {
  for (const std::string accept :
       {"application/json", "Application/JSON; charset=utf-8", "text/xml, application/json"}) {
    INFO(accept);
    const net::HttpResponse response = RenderClientList(kClients, Accepting(accept));
    CHECK(response.status == 200);
    CHECK(response.headers.Get("Content-Type") == "application/json;charset=utf-8");
    CHECK(nlohmann::json::parse(response.body) == nlohmann::json::parse(R"({"member": [
      {"id": {"object_type": "MEMBER", "xroad_instance": "EE", "member_class": "GOV",
              "member_code": "70000001"},
       "name": "Ministry & <Co>"},
      {"id": {"object_type": "SUBSYSTEM", "xroad_instance": "EE", "member_class": "GOV",
              "member_code": "70000001", "subsystem_code": "portal"},
       "name": "Ministry & <Co>", "subsystem_name": "Citizen \"portal\""}]})"));
  }
}

TEST_CASE("An empty federation is an empty list", "[rest]") {
  CHECK(RenderClientList({}, Accepting("application/json")).body == R"({"member":[]})");
  CHECK_THAT(RenderClientList({}, {}).body,
             Catch::EndsWith("xmlns:ns2=\"http://x-road.eu/xsd/xroad.xsd\">\n</ns2:clientList>\n"));
}

TEST_CASE("listMethods and allowedMethods answer JSON whatever the client accepts", "[rest]") {
  const ids::SubsystemId provider = Subsystem("70000002", "registry");
  const std::vector<ServiceEntry> services = {
      {*ids::ServiceId::Create(provider, "persons"),
       RestServiceType::kRest,
       {{"GET", "/persons/*"}, {"*", "/persons/**"}}},
      {*ids::ServiceId::Create(provider, "pets"), RestServiceType::kOpenApi, {}},
      {*ids::ServiceId::Create(provider, "listMethods"), RestServiceType::kRest, {}},
      {*ids::ServiceId::Create(provider, "getOpenAPI"), RestServiceType::kRest, {}},
      {*ids::ServiceId::Create(provider, "old", "v1"), RestServiceType::kRest, {}},
  };
  const net::HttpResponse response = RenderServiceList(services);
  CHECK(response.status == 200);
  CHECK(response.headers.Get("Content-Type") == "application/json;charset=utf-8");
  CHECK(nlohmann::json::parse(response.body) == nlohmann::json::parse(R"({"service": [
    {"object_type": "SERVICE", "xroad_instance": "EE", "member_class": "GOV",
     "member_code": "70000002", "subsystem_code": "registry", "service_code": "persons",
     "service_type": "REST",
     "endpoint_list": [{"method": "GET", "path": "/persons/*"},
                       {"method": "*", "path": "/persons/**"}]},
    {"object_type": "SERVICE", "xroad_instance": "EE", "member_class": "GOV",
     "member_code": "70000002", "subsystem_code": "registry", "service_code": "pets",
     "service_type": "OPENAPI", "endpoint_list": []},
    {"object_type": "SERVICE", "xroad_instance": "EE", "member_class": "GOV",
     "member_code": "70000002", "subsystem_code": "registry", "service_code": "old",
     "service_version": "v1", "service_type": "REST", "endpoint_list": []}]})"));
  // Fields come in the order the protocol documents them.
  CHECK_THAT(response.body,
             Catch::StartsWith(R"({"service":[{"object_type":"SERVICE","xroad_instance":"EE",)"));
}

TEST_CASE("Metaservice codes are recognised exactly", "[rest]") {
  CHECK(IsMetaserviceCode("listMethods"));
  CHECK(IsMetaserviceCode("allowedMethods"));
  CHECK(IsMetaserviceCode("getOpenAPI"));
  CHECK_FALSE(IsMetaserviceCode("listmethods"));
  CHECK_FALSE(IsMetaserviceCode("listClients"));
}

}  // namespace
}  // namespace truc::gateway::rest
