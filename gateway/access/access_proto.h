// Conversions between access rights and their protobuf messages
// (proto/truc/v1/gateway_admin.proto), used by the admin API and for storage. From proto,
// everything is validated as AccessRights validates it, and errors (kInvalidArgument) start with
// the offending field: "service: ...", "client: ...", "group_code: ...", "endpoint: ...".
#pragma once

#include "core/base/status.h"
#include "gateway/access/access_rights.h"
#include "gateway/access/rest_path.h"
#include "truc/v1/gateway_admin.pb.h"

namespace truc::gateway::access {

v1::EndpointPattern ToProto(const EndpointPattern& endpoint);
v1::AccessGrant ToProto(const AccessGrant& grant);
v1::DisabledService ToProto(const DisabledService& disabled);

StatusOr<EndpointPattern> FromProto(const v1::EndpointPattern& endpoint);
StatusOr<AccessGrant> FromProto(const v1::AccessGrant& grant);
StatusOr<DisabledService> FromProto(const v1::DisabledService& disabled);

// A service id from a request's `service` field; errors start with "service: ".
StatusOr<ids::ServiceId> ServiceFromProto(const v1::ServiceId& service);

// Checks a group code as a grant's subject (a valid identifier part); errors start with
// "group_code: ".
Status ValidateGroupCode(std::string_view code);

}  // namespace truc::gateway::access
