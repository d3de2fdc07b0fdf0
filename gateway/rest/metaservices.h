// The answers of the REST metaservices, in the formats of X-Road's service metadata protocols
// (PR-META for listClients, PR-MREST for listMethods and allowedMethods), built from plain values
// so that the code that gathers them (global configuration, access rights) stays apart.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/ids/identifiers.h"
#include "core/net/http_message.h"

namespace truc::gateway::rest {

// The target of listClients, on the consumer's gateway (no /r1, no client header).
inline constexpr std::string_view kListClientsPath = "/listClients";
// The service codes under which a provider subsystem answers the REST metaservices.
inline constexpr std::string_view kListMethods = "listMethods";
inline constexpr std::string_view kAllowedMethods = "allowedMethods";
inline constexpr std::string_view kGetOpenApi = "getOpenAPI";

// True for the service codes above: they are never listed as services.
bool IsMetaserviceCode(std::string_view service_code);

// A member or subsystem of the federation, as listClients lists it.
struct ClientEntry {
  std::variant<ids::MemberId, ids::SubsystemId> id;
  std::string name;                           // The member's name, for subsystems too.
  std::optional<std::string> subsystem_name;  // A subsystem's own name, when it has one.
};

// The listClients answer (status 200). JSON when an Accept field of the request lists
// "application/json" (parameters ignored, as X-Road does):
//   {"member":[{"id":{"object_type":"MEMBER"|"SUBSYSTEM","xroad_instance":..,"member_class":..,
//    "member_code":..[,"subsystem_code":..]},"name":..[,"subsystem_name":..]}]}
// as "application/json;charset=utf-8"; otherwise X-Road's <clientList> XML (namespaces
// http://x-road.eu/xsd/xroad.xsd and http://x-road.eu/xsd/identifiers, with the prefixes X-Road
// writes, for clients that match them literally) as "text/xml;charset=utf-8". Entries keep
// `clients`' order.
net::HttpResponse RenderClientList(std::span<const ClientEntry> clients,
                                   const net::HttpHeaders& request_headers);

enum class RestServiceType { kRest, kOpenApi };

// An operation of a REST service, or a set of them: `method` is an HTTP method or "*", `path` a
// path pattern ("/pets/*" one segment, "/**" any depth).
struct Endpoint {
  std::string method;
  std::string path;
};

// A REST service of a provider and its endpoints (all of them for listMethods, the ones the
// client may call for allowedMethods).
struct ServiceEntry {
  ids::ServiceId service;
  RestServiceType type = RestServiceType::kRest;
  std::vector<Endpoint> endpoints;
};

// The listMethods or allowedMethods answer (status 200), always JSON as X-Road answers it, whatever
// the request accepts ("application/json;charset=utf-8"):
//   {"service":[{"object_type":"SERVICE","xroad_instance":..,"member_class":..,"member_code":..,
//    "subsystem_code":..,"service_code":..[,"service_version":..],"service_type":"REST"|"OPENAPI",
//    "endpoint_list":[{"method":..,"path":..}]}]}
// Entries keep `services`' order; entries of metaservice codes are left out (metaservices never
// list themselves).
net::HttpResponse RenderServiceList(std::span<const ServiceEntry> services);

}  // namespace truc::gateway::rest
