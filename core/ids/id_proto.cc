#include "core/ids/id_proto.h"

namespace truc::ids {

v1::MemberId ToProto(const MemberId& id) {
  v1::MemberId out;
  out.set_instance(id.instance());
  out.set_member_class(id.member_class());
  out.set_member_code(id.member_code());
  return out;
}

v1::SubsystemId ToProto(const SubsystemId& id) {
  v1::SubsystemId out;
  *out.mutable_member() = ToProto(id.member());
  out.set_subsystem_code(id.subsystem_code());
  return out;
}

v1::ServiceId ToProto(const ServiceId& id) {
  v1::ServiceId out;
  *out.mutable_provider() = ToProto(id.provider());
  out.set_service_code(id.service_code());
  out.set_version(id.version());
  return out;
}

v1::ServerId ToProto(const ServerId& id) {
  v1::ServerId out;
  *out.mutable_owner() = ToProto(id.owner());
  out.set_server_code(id.server_code());
  return out;
}

StatusOr<MemberId> FromProto(const v1::MemberId& id) {
  return MemberId::Create(id.instance(), id.member_class(), id.member_code());
}

StatusOr<SubsystemId> FromProto(const v1::SubsystemId& id) {
  TRUC_ASSIGN_OR_RETURN(MemberId member, FromProto(id.member()));
  return SubsystemId::Create(std::move(member), id.subsystem_code());
}

StatusOr<ServiceId> FromProto(const v1::ServiceId& id) {
  TRUC_ASSIGN_OR_RETURN(SubsystemId provider, FromProto(id.provider()));
  return ServiceId::Create(std::move(provider), id.service_code(), id.version());
}

StatusOr<ServerId> FromProto(const v1::ServerId& id) {
  TRUC_ASSIGN_OR_RETURN(MemberId owner, FromProto(id.owner()));
  return ServerId::Create(std::move(owner), id.server_code());
}

}  // namespace truc::ids
