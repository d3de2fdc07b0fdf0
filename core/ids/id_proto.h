// Conversions between identifiers and their protobuf messages (proto/truc/v1/identifiers.proto).
// From proto, parts are validated as Create does; errors name the offending part.
#pragma once

#include "core/base/status.h"
#include "core/ids/identifiers.h"
#include "truc/v1/identifiers.pb.h"

namespace truc::ids {

v1::MemberId ToProto(const MemberId& id);
v1::SubsystemId ToProto(const SubsystemId& id);
v1::ServiceId ToProto(const ServiceId& id);
v1::ServerId ToProto(const ServerId& id);

StatusOr<MemberId> FromProto(const v1::MemberId& id);
StatusOr<SubsystemId> FromProto(const v1::SubsystemId& id);
StatusOr<ServiceId> FromProto(const v1::ServiceId& id);
StatusOr<ServerId> FromProto(const v1::ServerId& id);

}  // namespace truc::ids
