#include "tests/gateway/access/test_gateway_admin.h"

#include <catch2/catch.hpp>

#include "core/base/clock.h"
#include "core/base/file.h"
#include "core/rpc/grpc_util.h"
#include "tests/support/test_federation.h"

namespace truc::gateway::access {

using pki::Profile;
using testing::TestFederation;

TestGatewayAdmin::TestGatewayAdmin(const testing::TempDir& dir) : dir_(dir) {
  const TestFederation federation(SystemClock::Instance().Now());
  REQUIRE(
      WriteFileAtomically(dir.File("ca.pem"), federation.root().certificate.ToPem(), 0644).ok());
  TestFederation::Write(
      federation.Issue(Profile::kGatewayTls, "VN/GOV/000200/gw1", {"IP:127.0.0.1"}), dir.path(),
      "server");
  const testing::KeyAndCertificate admin =
      federation.Issue(Profile::kGatewayTls, "VN/GOV/000200/admin", {"DNS:admin"});
  TestFederation::Write(admin, dir.path(), "admin");
  TestFederation::Write(
      federation.Issue(Profile::kGatewayTls, "VN/GOV/000100/gw1", {"DNS:intruder"}), dir.path(),
      "intruder");

  StatusOr<std::unique_ptr<AccessRights>> rights = AccessRights::Open(store_);
  REQUIRE(rights.ok());
  rights_ = *std::move(rights);
  service_ = std::make_unique<AdminService>(*rights_,
                                            std::set<std::string>{admin.certificate.Fingerprint()});
  const StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      rpc::MutualTlsServerCredentials({.certificate_chain_file = dir.File("server.pem"),
                                       .key_file = dir.File("server.key"),
                                       .trusted_ca_file = dir.File("ca.pem")});
  REQUIRE(credentials.ok());
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", *credentials, &port_);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  REQUIRE(server_ != nullptr);
}

TestGatewayAdmin::~TestGatewayAdmin() { server_->Shutdown(); }

std::string TestGatewayAdmin::address() const { return "127.0.0.1:" + std::to_string(port_); }

std::unique_ptr<v1::GatewayAdmin::Stub> TestGatewayAdmin::Client(const std::string& name) const {
  const StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      rpc::MutualTlsChannelCredentials({.certificate_chain_file = dir_.File(name + ".pem"),
                                        .key_file = dir_.File(name + ".key"),
                                        .trusted_ca_file = dir_.File("ca.pem")});
  REQUIRE(credentials.ok());
  return v1::GatewayAdmin::NewStub(grpc::CreateChannel(address(), *credentials));
}

}  // namespace truc::gateway::access
