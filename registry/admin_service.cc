#include "registry/admin_service.h"

#include "core/rpc/grpc_util.h"

namespace truc::registry {

using rpc::ToGrpcStatus;

namespace {

// Moves a result into the response, or reports its error.
template <typename T>
grpc::Status Reply(StatusOr<T> value, T* response) {
  if (!value.ok()) return ToGrpcStatus(value.status());
  *response = *std::move(value);
  return grpc::Status::OK;
}

}  // namespace

Status AdminService::RequireAdmin(const grpc::ServerContext& context) const {
  const std::optional<std::string> fingerprint = rpc::PeerCertificateFingerprint(context);
  if (!fingerprint || admins_.count(*fingerprint) == 0) {
    return PermissionDeniedError(
        "this operation needs an administrator certificate; the caller's is not one",
        "registry.not_admin");
  }
  return OkStatus();
}

grpc::Status AdminService::AdminChange(const grpc::ServerContext& context, v1::ChangeResult* result,
                                       const std::function<StatusOr<uint64_t>()>& change) {
  if (Status admin = RequireAdmin(context); !admin.ok()) return ToGrpcStatus(admin);
  StatusOr<uint64_t> version = change();
  if (!version.ok()) return ToGrpcStatus(version.status());
  result->set_version(*version);
  return grpc::Status::OK;
}

grpc::Status AdminService::RegisterMember(grpc::ServerContext* context,
                                          const v1::RegisterMemberRequest* request,
                                          v1::ChangeResult* result) {
  return AdminChange(*context, result, [&] { return registry_.RegisterMember(*request); });
}

grpc::Status AdminService::RegisterSubsystem(grpc::ServerContext* context,
                                             const v1::RegisterSubsystemRequest* request,
                                             v1::ChangeResult* result) {
  return AdminChange(*context, result, [&] { return registry_.RegisterSubsystem(*request); });
}

grpc::Status AdminService::AddApprovedCa(grpc::ServerContext* context,
                                         const v1::CertificateRequest* request,
                                         v1::ChangeResult* result) {
  return AdminChange(*context, result,
                     [&] { return registry_.AddApprovedCa(request->certificate_der()); });
}

grpc::Status AdminService::AddApprovedTsa(grpc::ServerContext* context,
                                          const v1::CertificateRequest* request,
                                          v1::ChangeResult* result) {
  return AdminChange(*context, result,
                     [&] { return registry_.AddApprovedTsa(request->certificate_der()); });
}

grpc::Status AdminService::RevokeCertificate(grpc::ServerContext* context,
                                             const v1::RevokeCertificateRequest* request,
                                             v1::ChangeResult* result) {
  return AdminChange(*context, result, [&] { return registry_.RevokeCertificate(*request); });
}

grpc::Status AdminService::PublishService(grpc::ServerContext* context,
                                          const v1::PublishServiceRequest* request,
                                          v1::ChangeResult* result) {
  return AdminChange(*context, result,
                     [&] { return registry_.PublishService(request->service()); });
}

grpc::Status AdminService::WithdrawService(grpc::ServerContext* context,
                                           const v1::ServiceRef* request,
                                           v1::ChangeResult* result) {
  return AdminChange(*context, result, [&] { return registry_.WithdrawService(request->id()); });
}

grpc::Status AdminService::CreateGroup(grpc::ServerContext* context,
                                       const v1::GroupRequest* request, v1::ChangeResult* result) {
  return AdminChange(*context, result, [&] { return registry_.CreateGroup(*request); });
}

grpc::Status AdminService::AddGroupMember(grpc::ServerContext* context,
                                          const v1::GroupMemberRequest* request,
                                          v1::ChangeResult* result) {
  return AdminChange(*context, result, [&] { return registry_.AddGroupMember(*request); });
}

grpc::Status AdminService::RemoveGroupMember(grpc::ServerContext* context,
                                             const v1::GroupMemberRequest* request,
                                             v1::ChangeResult* result) {
  return AdminChange(*context, result, [&] { return registry_.RemoveGroupMember(*request); });
}

grpc::Status AdminService::SubmitApplication(grpc::ServerContext* /*context*/,
                                             const v1::SignedApplication* request,
                                             v1::ApplicationRecord* result) {
  return Reply(registry_.SubmitApplication(*request), result);
}

grpc::Status AdminService::ListApplications(grpc::ServerContext* context,
                                            const v1::ListApplicationsRequest* request,
                                            v1::ListApplicationsResponse* result) {
  if (Status admin = RequireAdmin(*context); !admin.ok()) return ToGrpcStatus(admin);
  for (v1::ApplicationRecord& record : registry_.ListApplications(request->pending_only())) {
    *result->add_applications() = std::move(record);
  }
  return grpc::Status::OK;
}

grpc::Status AdminService::ApproveApplication(grpc::ServerContext* context,
                                              const v1::ApplicationRef* request,
                                              v1::ApplicationRecord* result) {
  if (Status admin = RequireAdmin(*context); !admin.ok()) return ToGrpcStatus(admin);
  return Reply(registry_.ApproveApplication(request->id(), request->note()), result);
}

grpc::Status AdminService::RejectApplication(grpc::ServerContext* context,
                                             const v1::ApplicationRef* request,
                                             v1::ApplicationRecord* result) {
  if (Status admin = RequireAdmin(*context); !admin.ok()) return ToGrpcStatus(admin);
  return Reply(registry_.RejectApplication(request->id(), request->note()), result);
}

grpc::Status AdminService::GetConfiguration(grpc::ServerContext* /*context*/,
                                            const v1::GetConfigurationRequest* /*request*/,
                                            v1::GlobalConfiguration* result) {
  *result = registry_.Configuration();
  return grpc::Status::OK;
}

}  // namespace truc::registry
