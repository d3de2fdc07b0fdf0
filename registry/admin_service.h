// The registry's administration API over gRPC (proto/truc/v1/registry.proto). Every method that
// changes the federation, and the listing of applications, requires the caller's mutual-TLS
// certificate to be one of the administrator certificates; SubmitApplication and
// GetConfiguration are open to any caller the TLS layer let in.
#pragma once

#include <set>
#include <string>

#include "registry/registry.h"
#include "truc/v1/registry.grpc.pb.h"

namespace truc::registry {

class AdminService final : public v1::RegistryAdmin::Service {
 public:
  // `admin_fingerprints`: SHA-256 fingerprints of the administrator certificates. `registry`
  // must outlive the service.
  AdminService(Registry& registry, std::set<std::string> admin_fingerprints)
      : registry_(registry), admins_(std::move(admin_fingerprints)) {}

  grpc::Status RegisterMember(grpc::ServerContext* context,
                              const v1::RegisterMemberRequest* request,
                              v1::ChangeResult* result) override;
  grpc::Status RegisterSubsystem(grpc::ServerContext* context,
                                 const v1::RegisterSubsystemRequest* request,
                                 v1::ChangeResult* result) override;
  grpc::Status AddApprovedCa(grpc::ServerContext* context, const v1::CertificateRequest* request,
                             v1::ChangeResult* result) override;
  grpc::Status AddApprovedTsa(grpc::ServerContext* context, const v1::CertificateRequest* request,
                              v1::ChangeResult* result) override;
  grpc::Status RevokeCertificate(grpc::ServerContext* context,
                                 const v1::RevokeCertificateRequest* request,
                                 v1::ChangeResult* result) override;
  grpc::Status PublishService(grpc::ServerContext* context,
                              const v1::PublishServiceRequest* request,
                              v1::ChangeResult* result) override;
  grpc::Status WithdrawService(grpc::ServerContext* context, const v1::ServiceRef* request,
                               v1::ChangeResult* result) override;
  grpc::Status CreateGroup(grpc::ServerContext* context, const v1::GroupRequest* request,
                           v1::ChangeResult* result) override;
  grpc::Status AddGroupMember(grpc::ServerContext* context, const v1::GroupMemberRequest* request,
                              v1::ChangeResult* result) override;
  grpc::Status RemoveGroupMember(grpc::ServerContext* context,
                                 const v1::GroupMemberRequest* request,
                                 v1::ChangeResult* result) override;
  grpc::Status SubmitApplication(grpc::ServerContext* context, const v1::SignedApplication* request,
                                 v1::ApplicationRecord* result) override;
  grpc::Status ListApplications(grpc::ServerContext* context,
                                const v1::ListApplicationsRequest* request,
                                v1::ListApplicationsResponse* result) override;
  grpc::Status ApproveApplication(grpc::ServerContext* context, const v1::ApplicationRef* request,
                                  v1::ApplicationRecord* result) override;
  grpc::Status RejectApplication(grpc::ServerContext* context, const v1::ApplicationRef* request,
                                 v1::ApplicationRecord* result) override;
  grpc::Status GetConfiguration(grpc::ServerContext* context,
                                const v1::GetConfigurationRequest* request,
                                v1::GlobalConfiguration* result) override;

 private:
  // PermissionDenied unless the caller presented an administrator certificate.
  Status RequireAdmin(const grpc::ServerContext& context) const;
  // Runs an administrator's change and reports the version that includes it.
  grpc::Status AdminChange(const grpc::ServerContext& context, v1::ChangeResult* result,
                           const std::function<StatusOr<uint64_t>()>& change);

  Registry& registry_;
  const std::set<std::string> admins_;
};

}  // namespace truc::registry
