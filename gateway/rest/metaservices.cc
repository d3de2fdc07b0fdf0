#include "gateway/rest/metaservices.h"

#include <algorithm>

#include <fmt/format.h>

#include "gateway/rest/body_format.h"

namespace truc::gateway::rest {
namespace {

// The namespaces and prefixes of X-Road's listClients XML (PR-META annex C.1).
constexpr std::string_view kXroadPrefix = "ns2";
constexpr std::string_view kIdentifiersPrefix = "ns1";

const ids::MemberId& MemberOf(const ClientEntry& client) {
  if (const auto* subsystem = std::get_if<ids::SubsystemId>(&client.id)) return subsystem->member();
  return std::get<ids::MemberId>(client.id);
}

const std::string* SubsystemCodeOf(const ClientEntry& client) {
  const auto* subsystem = std::get_if<ids::SubsystemId>(&client.id);
  return subsystem != nullptr ? &subsystem->subsystem_code() : nullptr;
}

// Adds X-Road's identifier fields of `member` (and of its subsystem) to `object`.
void AddIdentifierFields(nlohmann::ordered_json& object, std::string_view object_type,
                         const ids::MemberId& member, const std::string* subsystem_code) {
  object["object_type"] = object_type;
  object["xroad_instance"] = member.instance();
  object["member_class"] = member.member_class();
  object["member_code"] = member.member_code();
  if (subsystem_code != nullptr) object["subsystem_code"] = *subsystem_code;
}

std::string_view ObjectTypeOf(const ClientEntry& client) {
  return SubsystemCodeOf(client) != nullptr ? "SUBSYSTEM" : "MEMBER";
}

std::string ClientListJson(std::span<const ClientEntry> clients) {
  nlohmann::ordered_json members = nlohmann::ordered_json::array();
  for (const ClientEntry& client : clients) {
    nlohmann::ordered_json entry;
    AddIdentifierFields(entry["id"], ObjectTypeOf(client), MemberOf(client),
                        SubsystemCodeOf(client));
    entry["name"] = client.name;
    if (client.subsystem_name) entry["subsystem_name"] = *client.subsystem_name;
    members.push_back(std::move(entry));
  }
  nlohmann::ordered_json body;
  body["member"] = std::move(members);
  return ToJsonText(body);
}

std::string Prefixed(std::string_view prefix, std::string_view name) {
  return fmt::format("{}:{}", prefix, name);
}

std::string ClientListXml(std::span<const ClientEntry> clients) {
  const auto id_element = [](std::string_view name, std::string_view value) {
    return XmlElement(Prefixed(kIdentifiersPrefix, name), value);
  };
  const auto xroad_element = [](std::string_view name, std::string_view value) {
    return XmlElement(Prefixed(kXroadPrefix, name), value);
  };
  std::string xml = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<{0}:clientList xmlns:{1}=\"http://x-road.eu/xsd/identifiers\" "
      "xmlns:{0}=\"http://x-road.eu/xsd/xroad.xsd\">\n",
      kXroadPrefix, kIdentifiersPrefix);
  for (const ClientEntry& client : clients) {
    const ids::MemberId& member = MemberOf(client);
    const std::string* subsystem_code = SubsystemCodeOf(client);
    xml += fmt::format("<{0}:member><{0}:id {1}:objectType=\"{2}\">", kXroadPrefix,
                       kIdentifiersPrefix, ObjectTypeOf(client));
    xml += id_element("xRoadInstance", member.instance());
    xml += id_element("memberClass", member.member_class());
    xml += id_element("memberCode", member.member_code());
    if (subsystem_code != nullptr) xml += id_element("subsystemCode", *subsystem_code);
    xml += fmt::format("</{}:id>", kXroadPrefix);
    xml += xroad_element("name", client.name);
    if (client.subsystem_name) xml += xroad_element("subsystemName", *client.subsystem_name);
    xml += fmt::format("</{}:member>\n", kXroadPrefix);
  }
  xml += fmt::format("</{}:clientList>\n", kXroadPrefix);
  return xml;
}

std::string_view ServiceTypeName(RestServiceType type) {
  return type == RestServiceType::kOpenApi ? "OPENAPI" : "REST";
}

}  // namespace

bool IsMetaserviceCode(std::string_view service_code) {
  return service_code == kListMethods || service_code == kAllowedMethods ||
         service_code == kGetOpenApi;
}

net::HttpResponse RenderClientList(std::span<const ClientEntry> clients,
                                   const net::HttpHeaders& request_headers) {
  const std::vector<std::string> accepted = AcceptedMediaRanges(request_headers);
  if (std::find(accepted.begin(), accepted.end(), kJsonMediaType) != accepted.end()) {
    return net::MakeResponse(200, Utf8ContentType(kJsonMediaType), ClientListJson(clients));
  }
  return net::MakeResponse(200, Utf8ContentType(kTextXmlMediaType), ClientListXml(clients));
}

net::HttpResponse RenderServiceList(std::span<const ServiceEntry> services) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const ServiceEntry& entry : services) {
    const ids::ServiceId& service = entry.service;
    if (IsMetaserviceCode(service.service_code())) continue;
    nlohmann::ordered_json item;
    AddIdentifierFields(item, "SERVICE", service.provider().member(),
                        &service.provider().subsystem_code());
    item["service_code"] = service.service_code();
    if (!service.version().empty()) item["service_version"] = service.version();
    item["service_type"] = ServiceTypeName(entry.type);
    nlohmann::ordered_json endpoints = nlohmann::ordered_json::array();
    for (const Endpoint& endpoint : entry.endpoints) {
      endpoints.push_back({{"method", endpoint.method}, {"path", endpoint.path}});
    }
    item["endpoint_list"] = std::move(endpoints);
    list.push_back(std::move(item));
  }
  nlohmann::ordered_json body;
  body["service"] = std::move(list);
  return net::MakeResponse(200, Utf8ContentType(kJsonMediaType), ToJsonText(body));
}

}  // namespace truc::gateway::rest
