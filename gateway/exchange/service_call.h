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

// The header fields of a request on the wire: the pseudo-fields (see gateway_exchange.proto),
// then request.headers.
HeaderFields RequestWireHeaders(const ServiceRequest& request);
// The header fields of a response on the wire: ":status", then `headers`.
HeaderFields ResponseWireHeaders(int status, const HeaderFields& headers);

// Reads the pseudo-fields of a request back into `request` (method, path, message id, user id,
// purpose, represented party, headers). ServerProxy InvalidRequest when ":method" or ":path" is
// missing or not first.
Status ReadRequestWireHeaders(const v1::ExchangeMessage& message, ServiceRequest& request);
// Reads ":status" and the end-to-end fields of a response. ClientProxy InvalidSignatureValue
// style errors are the caller's business; this returns ClientProxy InternalError when ":status"
// is missing or not a number between 100 and 599.
Status ReadResponseWireHeaders(const v1::ExchangeMessage& message, ServiceResponse& response);

// Copies `fields` into the message (evidence::HeaderFieldsOf reads them back).
void SetWireHeaders(const HeaderFields& fields, v1::ExchangeMessage& message);

// A new random (version 4) UUID, as message and request ids are made.
std::string NewUuid();

}  // namespace truc::gateway
