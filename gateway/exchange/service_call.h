// A service call and its answer as plain values, whichever interface they came through (the REST
// interface, the gRPC API), and their form on the wire between gateways (v1::ExchangeMessage).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/base/status.h"
#include "core/evidence/message_signing.h"
#include "core/ids/identifiers.h"
#include "truc/v1/gateway_exchange.pb.h"

namespace truc::gateway {

using evidence::HeaderFields;

// A call of a service, as the consumer's information system made it.
struct ServiceRequest {
  ids::SubsystemId client;
  ids::ServiceId service;
  std::string message_id;  // X-Road-Id; the consumer's gateway makes one up when empty.
  std::string user_id;     // X-Road-UserId: the end user.
  std::string purpose;     // X-Road-Issue: the case or document the call belongs to.
  std::string represented_party;
  std::string method;  // "GET", "POST", ... (for gRPC services "POST").
  // The raw path below the service ("/" when none; for gRPC services "/package.Service/Method"),
  // then "?" and the raw query when there is one. Never decoded or re-encoded.
  std::string path;
  HeaderFields headers;  // End-to-end header fields, in order.
  std::string body;
  std::optional<ids::ServerId> target_server;  // Reach the provider through this gateway only.
};

// The answer of the provider's backend (or of a metaservice), passed through unchanged.
struct ServiceResponse {
  std::string message_id;
  std::string request_id;  // Shared by the request and this response.
  int status = 200;
  HeaderFields headers;  // End-to-end header fields, in order.
  std::string body;
  std::string request_hash;  // SHA-512 binding this response to its request (64 raw bytes).
};

// What a request may hold, whichever interface it came through (the REST interface, the gRPC API,
// a peer gateway), so that one limit holds end to end: the REST interface's header limit
// (net::HttpServerOptions::max_header_bytes) bounds the same fields.
inline constexpr size_t kMaxRequestHeaderBytes = 16 << 10;  // Path, ids and header fields together.
inline constexpr size_t kMaxMessageIdBytes = 255;
inline constexpr size_t kMaxRequestHeaderFields = 100;

// Checks every field of `request` that reaches a backend or the audit log, before anything is
// signed or logged: the method is one of GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH and TRACE
// (case matters); the path is an origin-form target ("/" first, no space or control character);
// the ids (message, user, purpose, represented party) and header values are HTTP field values
// (no CR, LF or other control character, no surrounding whitespace); header names are HTTP
// tokens and none is a field the gateways set themselves (hop-by-hop fields, Host,
// Content-Length, the X-Road ids: rest::IsReservedRequestField); all of these are well-formed
// UTF-8, so that the log can always read them back; and they fit the limits above. InvalidArgument
// saying which field and why; the caller types it (Client.BadRequest for an information system's
// call, InvalidRequest for a peer's).
Status ValidateServiceRequest(const ServiceRequest& request);

// Checks header fields that come back from a backend as ValidateServiceRequest checks a
// request's (names are tokens; values are UTF-8 field values). InvalidArgument naming the field.
Status ValidateHeaderFields(const HeaderFields& fields, std::string_view whose);

// The header fields of a request on the wire: the pseudo-fields (see gateway_exchange.proto),
// then request.headers.
HeaderFields RequestWireHeaders(const ServiceRequest& request);
// The header fields of a response on the wire: ":status", then `headers`.
HeaderFields ResponseWireHeaders(int status, const HeaderFields& headers);

// Reads the pseudo-fields of a request back into `request` (method, path, message id, user id,
// purpose, represented party, headers). ServerProxy InvalidRequest when ":method" or ":path" is
// missing or not first, when an id field appears twice, or when the x-road-id field differs from
// the evidence's message id.
Status ReadRequestWireHeaders(const v1::ExchangeMessage& message, ServiceRequest& request);
// Reads ":status" and the end-to-end fields of a response. ClientProxy InvalidSignatureValue
// style errors are the caller's business; this returns ClientProxy InternalError when ":status"
// is missing or not a final status, a number between 200 and 599.
Status ReadResponseWireHeaders(const v1::ExchangeMessage& message, ServiceResponse& response);

// Copies `fields` into the message (evidence::HeaderFieldsOf reads them back).
void SetWireHeaders(const HeaderFields& fields, v1::ExchangeMessage& message);

// A new random (version 4) UUID, as message and request ids are made.
std::string NewUuid();

}  // namespace truc::gateway
