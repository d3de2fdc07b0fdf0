// Which header fields a gateway passes through unchanged, as the X-Road REST protocol (r1) says:
// from the information system to the provider's backend, and back from the backend to the
// information system.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/net/http_message.h"

namespace truc::gateway::rest {

// The fields of `headers` that pass through, in the order received, names and values as they
// came. Dropped:
//   - hop-by-hop fields: Connection, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade,
//     Proxy-Authenticate, Proxy-Authorization, and every field a Connection field names;
//   - Host, User-Agent, Server, Content-Length and Expect, which each hop sets for itself;
//   - X-Road-Request-Hash and X-Road-Request-Id, which only the gateways set: a value sent by the
//     information system or the backend is never trusted nor passed on.
// Everything else (Content-Type, Accept, Authorization, the other X-Road-* fields, custom fields)
// passes. Names are compared case-insensitively.
std::vector<std::pair<std::string, std::string>> PassThroughHeaders(
    const net::HttpHeaders& headers);

// The end-to-end fields of a request: PassThroughHeaders without the X-Road fields the gateways
// carry as the request's own fields (X-Road-Client, -Service, -Id, -UserId, -Issue,
// -Represented-Party, -Security-Server), so that no copy of them can differ from what is signed;
// the provider's gateway gives them to the backend from the signed values.
std::vector<std::pair<std::string, std::string>> PassThroughRequestHeaders(
    const net::HttpHeaders& headers);

// True for a field name (any case) that is never an end-to-end field of a request:
// what PassThroughRequestHeaders drops by name.
bool IsReservedRequestField(std::string_view name);

}  // namespace truc::gateway::rest
