// The requests an information system sends to the consumer's gateway over the REST interface
// (X-Road message protocol for REST, r1), parsed from HTTP messages into what they ask for.
//
//   {METHOD} /r1/{instance}/{class}/{member}/{subsystem}/{serviceCode}[/{path}][?{query}]
//   X-Road-Client: {instance}/{class}/{member}/{subsystem}
//
// The first five segments after "/r1/" are the service id, each percent-decoded on its own (an
// encoded "%2F" is part of a value, never a separator). Everything from the sixth segment on is
// the path, kept raw with its leading "/" ("/" when there is none); the query is kept raw too.
// Neither is decoded nor normalised here: the backend receives them exactly as sent. As in X-Road,
// r1 has no place for a service version, so versioned services cannot be called through it: a
// sixth segment is always the start of the path.
//
// GET on the service codes listMethods, allowedMethods and getOpenAPI is a metaservice call of
// the provider subsystem (PR-MREST); any other method on them is an ordinary service call, as in
// X-Road. GET /listClients[?xRoadInstance=X] asks for the federation's members and subsystems.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "core/base/status.h"
#include "core/ids/identifiers.h"
#include "core/net/http_message.h"

namespace truc::gateway::rest {

// A call of a provider's service, with the X-Road headers that travel with it. The optional
// fields are absent when their header is missing or empty; when a header is repeated, the last
// field counts.
struct ServiceCall {
  ids::SubsystemId client;                // X-Road-Client.
  ids::ServiceId service;                 // From the target; never versioned.
  std::string path = "/";                 // Raw, starting with "/".
  std::string query;                      // Raw, without the "?"; empty when there is none.
  std::optional<std::string> message_id;  // X-Road-Id.
  std::optional<std::string> user_id;     // X-Road-UserId.
  std::optional<std::string> issue;       // X-Road-Issue.
  std::optional<std::string>
      represented_party;                       // X-Road-Represented-Party, "[class/]code" as sent.
  std::optional<ids::ServerId> target_server;  // X-Road-Security-Server.
};

// The metaservices of a provider subsystem. Each is an exchange like any other (signed, logged,
// answered by the provider's gateway), so each keeps the call that carries it: the client is
// `call.client`, the provider `call.service.provider()`.
struct ListMethods {
  ServiceCall call;
};
struct AllowedMethods {
  ServiceCall call;
};
struct GetOpenApi {
  ServiceCall call;
  std::string service_code;  // From the query's serviceCode, decoded: the service described.
};

// GET /listClients: answered by the consumer's gateway from the global configuration.
struct ListClients {
  std::optional<std::string> instance;  // xRoadInstance, decoded; absent or empty: our own.
};

using RestRequest = std::variant<ServiceCall, ListMethods, AllowedMethods, GetOpenApi, ListClients>;

// What `request` asks for. Errors, typed with gateway/errors.h, say what was wrong and where:
//   - a target neither "/listClients" nor under "/r1/", or listClients with another method than
//     GET, or an xRoadInstance that is not a valid identifier part: Client.BadRequest;
//   - under "/r1/", fewer than five segments or an invalid part: Client.InvalidServiceIdentifier;
//   - X-Road-Client missing or not INSTANCE/CLASS/MEMBER/SUBSYSTEM:
//     Client.InvalidClientIdentifier;
//   - X-Road-Security-Server not INSTANCE/CLASS/MEMBER/SERVERCODE: Client.BadRequest;
//   - getOpenAPI without a serviceCode, or with one that is not a valid identifier part:
//     Server.ServerProxy.InvalidRequest (as X-Road's provider answers it).
// Query parameter names are matched case-insensitively and the last one counts; values are
// decoded as in a form ("+" is a space).
StatusOr<RestRequest> ParseRestRequest(const net::HttpRequest& request);

// The value of the last parameter of `query` (raw, without "?") named `name` (ASCII case
// ignored), decoded as application/x-www-form-urlencoded and checked to be a valid identifier
// part; nullopt when there is none or it is empty. InvalidArgument saying what is wrong otherwise.
StatusOr<std::optional<std::string>> IdentifierParameter(std::string_view query,
                                                         std::string_view name);

// The value of the last parameter of `query` (raw, without "?") named `name` (ASCII case
// ignored), decoded as application/x-www-form-urlencoded; nullopt when there is none.
// InvalidArgument for a malformed escape in that value.
StatusOr<std::optional<std::string>> QueryParameter(std::string_view query, std::string_view name);

}  // namespace truc::gateway::rest
