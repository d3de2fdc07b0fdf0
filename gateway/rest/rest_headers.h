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

}  // namespace truc::gateway::rest
