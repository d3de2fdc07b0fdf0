// Runs `truc registry` against a stand-in for the registry's admin API, served over mutual TLS in
// this process, and against a port where nothing listens. (The real registry is exercised by the
// integration tests.)
#include <memory>
#include <mutex>
#include <string>

#include <catch2/catch.hpp>
#include <grpcpp/grpcpp.h>

#include "core/base/clock.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/ids/identifiers.h"
#include "core/rpc/grpc_util.h"
#include "tests/cli/closed_port.h"
#include "tests/cli/run_truc.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "truc/v1/registry.grpc.pb.h"

namespace truc::cli {
namespace {

using testing::CommandResult;
using testing::KeyAndCertificate;
using testing::TempDir;

// Answers a few methods as the registry would; remembers what it was sent. Thread-safe.
class FakeRegistry final : public v1::RegistryAdmin::Service {
 public:
  grpc::Status RegisterMember(grpc::ServerContext* /*context*/,
                              const v1::RegisterMemberRequest* request,
                              v1::ChangeResult* result) override {
    if (request->id().member_code() == "1") {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "member VN/GOV/1 is already registered",
                          "registry.duplicate");
    }
    std::lock_guard lock(mu_);
    member_ = *request;
    result->set_version(3);
    return grpc::Status::OK;
  }

  // Accepts applications whose signature verifies with the leaf of the signer chain.
  grpc::Status SubmitApplication(grpc::ServerContext* /*context*/,
                                 const v1::SignedApplication* request,
                                 v1::ApplicationRecord* record) override {
    if (request->signer_certificate_chain().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no signer certificate");
    }
    const StatusOr<crypto::Certificate> signer =
        crypto::Certificate::FromDer(request->signer_certificate_chain(0));
    if (!signer.ok()) return rpc::ToGrpcStatus(signer.status());
    const Status verified = signer->public_key().Verify(
        request->application(), {request->signature().key_id(), request->signature().value()});
    if (!verified.ok()) return rpc::ToGrpcStatus(verified);
    std::lock_guard lock(mu_);
    application_ = *request;
    record->set_id(4);
    record->set_state(v1::APPLICATION_STATE_PENDING);
    return grpc::Status::OK;
  }

  // Lists what was submitted, as the pending application 4.
  grpc::Status ListApplications(grpc::ServerContext* /*context*/,
                                const v1::ListApplicationsRequest* /*request*/,
                                v1::ListApplicationsResponse* response) override {
    std::lock_guard lock(mu_);
    if (application_.application().empty()) return grpc::Status::OK;
    v1::ApplicationRecord& record = *response->add_applications();
    record.set_id(4);
    *record.mutable_signed_() = application_;
    record.set_state(v1::APPLICATION_STATE_PENDING);
    return grpc::Status::OK;
  }

  grpc::Status GetConfiguration(grpc::ServerContext* /*context*/,
                                const v1::GetConfigurationRequest* /*request*/,
                                v1::GlobalConfiguration* configuration) override {
    configuration->set_instance("VN");
    configuration->set_version(7);
    return grpc::Status::OK;
  }

  v1::RegisterMemberRequest member() const {
    std::lock_guard lock(mu_);
    return member_;
  }
  v1::SignedApplication application() const {
    std::lock_guard lock(mu_);
    return application_;
  }

 private:
  mutable std::mutex mu_;
  v1::RegisterMemberRequest member_;   // Guarded by mu_.
  v1::SignedApplication application_;  // Guarded by mu_.
};

// A CA and the files of the registry's server, an administrator and a member in `dir`, all
// valid around now.
struct TestPki {
  explicit TestPki(const TempDir& dir) {
    const TimePoint now = SystemClock::Instance().Now();
    const KeyAndCertificate root = testing::MakeRootCa("Trục Test Root CA", now);
    ca = WritePem(dir.File("ca.pem"), {root.certificate});

    pki::CertificateTemplate server_template = testing::LeafTemplate("registry", now);
    server_template.extended_key_usage = "serverAuth";
    server_template.subject_alt_names = {"IP:127.0.0.1"};
    Write(dir, "server", testing::Issue(root, server_template));

    pki::CertificateTemplate admin_template = testing::LeafTemplate("administrator", now);
    admin_template.extended_key_usage = "clientAuth";
    Write(dir, "admin", testing::Issue(root, admin_template));

    // A member-signing certificate (the profile of LeafTemplate) and a gateway's TLS certificate.
    const KeyAndCertificate member =
        testing::Issue(root, testing::LeafTemplate("VN/GOV/000100", now));
    member_key_id = member.key.key_id();
    Write(dir, "member", member);
    const KeyAndCertificate gateway_tls =
        testing::Issue(root, testing::LeafTemplate("VN/GOV/000100/gw1", now));
    gateway_tls_fingerprint = gateway_tls.certificate.Fingerprint();
    Write(dir, "gateway-tls", gateway_tls);
  }

  // Writes NAME.key (mode 0600) and NAME.pem (the certificate, then the CA).
  static void Write(const TempDir& dir, const std::string& name, const KeyAndCertificate& holder) {
    REQUIRE(holder.key.WritePemFile(dir.File(name + ".key")).ok());
    WritePem(dir.File(name + ".pem"), {holder.certificate});
  }

  std::string ca;
  std::string member_key_id;
  std::string gateway_tls_fingerprint;
};

// The fake registry, listening on a free loopback port with mutual TLS.
struct TestRegistry {
  explicit TestRegistry(const TempDir& dir) {
    const std::shared_ptr<grpc::ServerCredentials> credentials =
        rpc::MutualTlsServerCredentials({.certificate_chain_file = dir.File("server.pem"),
                                         .key_file = dir.File("server.key"),
                                         .trusted_ca_file = dir.File("ca.pem")})
            .value();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", credentials, &port);
    builder.RegisterService(&service);
    server = builder.BuildAndStart();
    REQUIRE(server != nullptr);
  }
  TestRegistry(const TestRegistry&) = delete;
  TestRegistry& operator=(const TestRegistry&) = delete;
  ~TestRegistry() { server->Shutdown(); }

  FakeRegistry service;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

// `truc registry` with the administrator's files, `--ca` of `ca_file` in `dir` and `--registry
// 127.0.0.1:PORT`.
std::string Registry(const TempDir& dir, int port, const std::string& ca_file = "ca.pem") {
  return "registry --registry 127.0.0.1:" + std::to_string(port) + " --cert " +
         ShellQuote(dir.File("admin.pem")) + " --key " + ShellQuote(dir.File("admin.key")) +
         " --ca " + ShellQuote(dir.File(ca_file));
}

TEST_CASE("truc registry checks identifiers before contacting the registry", "[cli]") {
  // Neither the TLS files nor the registry exist: only the id is looked at.
  const CommandResult result = Truc(
      "registry member add --id VN/GOV --name 'Population database' --registry 127.0.0.1:1 "
      "--cert /nonexistent/admin.pem --key /nonexistent/admin.key --ca /nonexistent/ca.pem");
  CHECK(result.exit_code == 1);
  CHECK(result.output == "truc: " + ids::MemberId::Parse("VN/GOV").status().message() + "\n");
}

TEST_CASE("truc registry says when the registry cannot be reached", "[cli]") {
  const TempDir dir;
  const TestPki pki(dir);
  const ClosedPort closed;
  const CommandResult result = Truc(Registry(dir, closed.port()) +
                                    " member add --id VN/GOV/000100 --name 'Population database'");
  CHECK(result.exit_code == 1);
  CHECK(result.output.starts_with(
      "truc: cannot reach the registry at 127.0.0.1:" + std::to_string(closed.port()) + ": "));
}

TEST_CASE("truc registry refuses to connect without the mutual-TLS files", "[cli]") {
  const CommandResult result =
      Truc("registry --registry 127.0.0.1:1 member add --id VN/GOV/000100 --name Population");
  CHECK(result.exit_code == 1);
  CHECK(result.output ==
        "truc: --cert, --key and --ca are needed: the registry is reached over mutual TLS\n");
}

TEST_CASE("truc registry calls the admin API over mutual TLS", "[cli]") {
  const TempDir dir;
  const TestPki pki(dir);
  TestRegistry registry(dir);
  const std::string truc_registry = Registry(dir, registry.port);

  SECTION("a change prints the configuration version that includes it") {
    const CommandResult result =
        Truc(truc_registry + " member add --id VN/GOV/000100 --name 'Population database'");
    CHECK(result.exit_code == 0);
    CHECK(result.output == "member VN/GOV/000100 registered (configuration version 3)\n");
    CHECK(registry.service.member().id().member_code() == "000100");
    CHECK(registry.service.member().name() == "Population database");
  }
  SECTION("the registry's refusal is printed unchanged") {
    const CommandResult result = Truc(truc_registry + " member add --id VN/GOV/1 --name Twice");
    CHECK(result.exit_code == 1);
    CHECK(result.output == "truc: member VN/GOV/1 is already registered\n");
  }
  SECTION("a method the registry does not serve") {
    const CommandResult result = Truc(truc_registry + " group create --code registries");
    CHECK(result.exit_code == 1);
    CHECK(result.output == "truc: the registry answered UNIMPLEMENTED without a message\n");
  }
  SECTION("a gateway application is signed with the member's key") {
    const CommandResult result =
        Truc(truc_registry + " apply gateway --signing-key " + ShellQuote(dir.File("member.key")) +
             " --signing-cert " + ShellQuote(dir.File("member.pem")) +
             " --server-id VN/GOV/000100/gw1 --address 127.0.0.1:8443 --tls-cert " +
             ShellQuote(dir.File("gateway-tls.pem")));
    CHECK(result.exit_code == 0);
    CHECK(result.output == "application 4: pending approval\n");
    const v1::SignedApplication submitted = registry.service.application();
    CHECK(submitted.signature().key_id() == pki.member_key_id);
    v1::Application application;
    REQUIRE(application.ParseFromString(submitted.application()));
    CHECK(application.member().member_code() == "000100");
    CHECK(application.gateway().id().server_code() == "gw1");
    CHECK(application.gateway().address() == "127.0.0.1:8443");
    REQUIRE(application.gateway().tls_certificate_fingerprints_size() == 1);
    CHECK(application.gateway().tls_certificate_fingerprints(0) == pki.gateway_tls_fingerprint);
    CHECK(application.created_at().seconds() > 0);

    const CommandResult listed = Truc(truc_registry + " applications --pending");
    CHECK(listed.exit_code == 0);
    CHECK(listed.output ==
          "ID  STATE    MEMBER         WHAT\n"
          "4   pending  VN/GOV/000100  gateway VN/GOV/000100/gw1 at 127.0.0.1:8443\n");
  }
  SECTION("a registry whose certificate is not from --ca") {
    const KeyAndCertificate other =
        testing::MakeRootCa("Other Root CA", SystemClock::Instance().Now());
    WritePem(dir.File("other-ca.pem"), {other.certificate});
    const CommandResult result = Truc(Registry(dir, registry.port, "other-ca.pem") + " config");
    CHECK(result.exit_code == 1);
    // One line: gRPC's own log of the failed handshake is silenced.
    CHECK(result.output.starts_with(
        "truc: cannot reach the registry at 127.0.0.1:" + std::to_string(registry.port) + ": "));
    CHECK(result.output.find('\n') == result.output.size() - 1);
  }
  SECTION("a signing certificate application proves possession of its key") {
    const CommandResult result = Truc(truc_registry + " apply signing-cert --signing-key " +
                                      ShellQuote(dir.File("member.key")) + " --signing-cert " +
                                      ShellQuote(dir.File("member.pem")));
    CHECK(result.exit_code == 0);
    CHECK(result.output == "application 4: pending approval\n");
    const v1::SignedApplication submitted = registry.service.application();
    v1::Application application;
    REQUIRE(application.ParseFromString(submitted.application()));
    CHECK(application.member().member_code() == "000100");
    CHECK(application.signing_certificate() == submitted.signer_certificate_chain(0));
  }
  SECTION("config prints the configuration as JSON") {
    const CommandResult result = Truc(truc_registry + " config");
    CHECK(result.exit_code == 0);
    CHECK(result.output.find("\"instance\": \"VN\"") != std::string::npos);
    CHECK(result.output.find("\"version\": \"7\"") != std::string::npos);
  }
}

}  // namespace
}  // namespace truc::cli
