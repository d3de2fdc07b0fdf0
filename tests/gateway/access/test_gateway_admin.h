// A gateway's admin API (access::AdminService) served in this process on a loopback port over
// mutual TLS, on access rights kept in memory, for the tests of the service and of `truc
// gateway`. Certificates come from a TestFederation valid around the real time and are written
// to a directory:
//   ca.pem                     the federation's root CA
//   server.pem, server.key     the gateway's TLS certificate (gateway-tls, IP:127.0.0.1)
//   admin.pem, admin.key       an administrator's certificate
//   intruder.pem, intruder.key a certificate of the same CA that is not an administrator's
#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "core/storage/memory_store.h"
#include "gateway/access/access_rights.h"
#include "gateway/access/admin_service.h"
#include "tests/support/temp_dir.h"
#include "truc/v1/gateway_admin.grpc.pb.h"

namespace truc::gateway::access {

class TestGatewayAdmin {
 public:
  // Writes the files to `dir` and starts the server. For use inside a TEST_CASE, which fails if
  // anything does.
  explicit TestGatewayAdmin(const testing::TempDir& dir);
  TestGatewayAdmin(const TestGatewayAdmin&) = delete;
  TestGatewayAdmin& operator=(const TestGatewayAdmin&) = delete;
  ~TestGatewayAdmin();

  // "127.0.0.1:PORT".
  std::string address() const;
  AccessRights& rights() { return *rights_; }
  storage::MemoryStore& store() { return store_; }

  // A client presenting NAME.pem and NAME.key of the directory ("admin", "intruder").
  std::unique_ptr<v1::GatewayAdmin::Stub> Client(const std::string& name) const;

 private:
  const testing::TempDir& dir_;
  storage::MemoryStore store_;
  std::unique_ptr<AccessRights> rights_;
  std::unique_ptr<AdminService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace truc::gateway::access
