#include "gateway/access/access_proto.h"

#include "core/ids/id_proto.h"

namespace truc::gateway::access {

v1::EndpointPattern ToProto(const EndpointPattern& endpoint) {
  v1::EndpointPattern out;
  out.set_method(endpoint.method);
  out.set_path(endpoint.path);
  return out;
}

v1::AccessGrant ToProto(const AccessGrant& grant) {
  v1::AccessGrant out;
  *out.mutable_service() = ids::ToProto(grant.service);
  if (const auto* client = std::get_if<ids::SubsystemId>(&grant.subject)) {
    *out.mutable_client() = ids::ToProto(*client);
  } else {
    out.set_group_code(std::get<GroupCode>(grant.subject).code);
  }
  if (grant.endpoint) *out.mutable_endpoint() = ToProto(*grant.endpoint);
  return out;
}

v1::DisabledService ToProto(const DisabledService& disabled) {
  v1::DisabledService out;
  *out.mutable_service() = ids::ToProto(disabled.service);
  out.set_notice(disabled.notice);
  return out;
}

StatusOr<EndpointPattern> FromProto(const v1::EndpointPattern& endpoint) {
  StatusOr<EndpointPattern> parsed = EndpointPattern::Parse(endpoint.method(), endpoint.path());
  if (!parsed.ok()) return parsed.status().Annotate("endpoint");
  return parsed;
}

StatusOr<ids::ServiceId> ServiceFromProto(const v1::ServiceId& service) {
  StatusOr<ids::ServiceId> id = ids::FromProto(service);
  if (!id.ok()) return id.status().Annotate("service");
  return id;
}

Status ValidateGroupCode(std::string_view code) {
  return ids::ValidatePart(code, "group code").Annotate("group_code");
}

StatusOr<AccessGrant> FromProto(const v1::AccessGrant& grant) {
  TRUC_ASSIGN_OR_RETURN(ids::ServiceId service, ServiceFromProto(grant.service()));
  AccessGrant out{.service = std::move(service), .subject = GroupCode{}};
  switch (grant.subject_case()) {
    case v1::AccessGrant::kClient: {
      StatusOr<ids::SubsystemId> client = ids::FromProto(grant.client());
      if (!client.ok()) return client.status().Annotate("client");
      out.subject = *std::move(client);
      break;
    }
    case v1::AccessGrant::kGroupCode:
      TRUC_RETURN_IF_ERROR(ValidateGroupCode(grant.group_code()));
      out.subject = GroupCode{grant.group_code()};
      break;
    default:
      return InvalidArgumentError("client: a grant needs a client subsystem or a group code",
                                  "gateway.no_subject");
  }
  if (grant.has_endpoint()) {
    TRUC_ASSIGN_OR_RETURN(out.endpoint, FromProto(grant.endpoint()));
  }
  return out;
}

StatusOr<DisabledService> FromProto(const v1::DisabledService& disabled) {
  TRUC_ASSIGN_OR_RETURN(ids::ServiceId service, ServiceFromProto(disabled.service()));
  return DisabledService{.service = std::move(service), .notice = disabled.notice()};
}

}  // namespace truc::gateway::access
