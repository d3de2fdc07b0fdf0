// The gateway's administration API for access rights over gRPC (GatewayAdmin in
// proto/truc/v1/gateway_admin.proto). Every method requires the caller's mutual-TLS certificate
// to be one of the administrator certificates: others get PERMISSION_DENIED and change nothing.
//
// Serve it with credentials from rpc::MutualTlsServerCredentials, which make TLS require and
// verify a client certificate; without them every caller is refused (no certificate, no
// fingerprint). Requests are validated before anything changes: a malformed identifier, group
// code or endpoint is INVALID_ARGUMENT with a message that starts with the offending field
// ("service: ...", "client: ...", "group_code: ...", "endpoint: ..."). Other errors are
// AccessRights's, carried by rpc::ToGrpcStatus (reason in the details).
//
// Thread-safe, as AccessRights is: gRPC may call it from several threads at once.
#pragma once

#include <set>
#include <string>

#include "gateway/access/access_rights.h"
#include "truc/v1/gateway_admin.grpc.pb.h"

namespace truc::gateway::access {

class AdminService final : public v1::GatewayAdmin::Service {
 public:
  // `admin_fingerprints`: SHA-256 fingerprints (raw bytes, as crypto::Certificate::Fingerprint
  // gives them) of the administrator certificates. `rights` must outlive the service.
  AdminService(AccessRights& rights, std::set<std::string> admin_fingerprints)
      : rights_(rights), admins_(std::move(admin_fingerprints)) {}

  grpc::Status GrantAccess(grpc::ServerContext* context, const v1::AccessGrant* request,
                           google::protobuf::Empty* response) override;
  grpc::Status RevokeAccess(grpc::ServerContext* context, const v1::AccessGrant* request,
                            google::protobuf::Empty* response) override;
  grpc::Status ListAccess(grpc::ServerContext* context, const v1::ListAccessRequest* request,
                          v1::ListAccessResponse* response) override;
  grpc::Status DisableService(grpc::ServerContext* context, const v1::DisabledService* request,
                              google::protobuf::Empty* response) override;
  grpc::Status EnableService(grpc::ServerContext* context, const v1::EnableServiceRequest* request,
                             google::protobuf::Empty* response) override;

 private:
  // Runs `call` if the caller presented an administrator certificate; PERMISSION_DENIED
  // otherwise.
  grpc::Status AsAdmin(const grpc::ServerContext& context,
                       const std::function<Status()>& call) const;

  AccessRights& rights_;
  const std::set<std::string> admins_;
};

}  // namespace truc::gateway::access
