#include "gateway/access/admin_service.h"

#include "core/rpc/grpc_util.h"
#include "gateway/access/access_proto.h"

namespace truc::gateway::access {

grpc::Status AdminService::AsAdmin(const grpc::ServerContext& context,
                                   const std::function<Status()>& call) const {
  const std::optional<std::string> fingerprint = rpc::PeerCertificateFingerprint(context);
  if (!fingerprint || admins_.count(*fingerprint) == 0) {
    return rpc::ToGrpcStatus(PermissionDeniedError(
        "administering the gateway needs an administrator certificate; the caller's is not one",
        "gateway.not_admin"));
  }
  return rpc::ToGrpcStatus(call());
}

grpc::Status AdminService::GrantAccess(grpc::ServerContext* context, const v1::AccessGrant* request,
                                       google::protobuf::Empty* /*response*/) {
  return AsAdmin(*context, [&]() -> Status {
    TRUC_ASSIGN_OR_RETURN(AccessGrant grant, FromProto(*request));
    return rights_.Grant(grant);
  });
}

grpc::Status AdminService::RevokeAccess(grpc::ServerContext* context,
                                        const v1::AccessGrant* request,
                                        google::protobuf::Empty* /*response*/) {
  return AsAdmin(*context, [&]() -> Status {
    TRUC_ASSIGN_OR_RETURN(AccessGrant grant, FromProto(*request));
    return rights_.Revoke(grant);
  });
}

grpc::Status AdminService::ListAccess(grpc::ServerContext* context,
                                      const v1::ListAccessRequest* request,
                                      v1::ListAccessResponse* response) {
  return AsAdmin(*context, [&]() -> Status {
    std::optional<ids::ServiceId> service;
    if (request->has_service()) {
      TRUC_ASSIGN_OR_RETURN(service, ServiceFromProto(request->service()));
    }
    for (const AccessGrant& grant : rights_.List(service)) {
      *response->add_grants() = ToProto(grant);
    }
    for (const DisabledService& disabled : rights_.ListDisabled(service)) {
      *response->add_disabled_services() = ToProto(disabled);
    }
    return OkStatus();
  });
}

grpc::Status AdminService::DisableService(grpc::ServerContext* context,
                                          const v1::DisabledService* request,
                                          google::protobuf::Empty* /*response*/) {
  return AsAdmin(*context, [&]() -> Status {
    TRUC_ASSIGN_OR_RETURN(DisabledService disabled, FromProto(*request));
    return rights_.DisableService(disabled.service, std::move(disabled.notice));
  });
}

grpc::Status AdminService::EnableService(grpc::ServerContext* context,
                                         const v1::EnableServiceRequest* request,
                                         google::protobuf::Empty* /*response*/) {
  return AsAdmin(*context, [&]() -> Status {
    TRUC_ASSIGN_OR_RETURN(ids::ServiceId service, ServiceFromProto(request->service()));
    return rights_.EnableService(service);
  });
}

}  // namespace truc::gateway::access
