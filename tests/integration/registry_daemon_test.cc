// truc-registry as a federation operator runs it, driven through the truc CLI: a federation is
// registered, its signed configuration fetched and verified, bad requests refused, and nothing lost
// across a restart.
#include <csignal>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/base/file.h"
#include "core/crypto/trust_store.h"
#include "core/globalconf/signed_configuration.h"
#include "core/net/http_client.h"
#include "tests/support/child_process.h"
#include "tests/support/softhsm.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_federation.h"

namespace truc {
namespace {

using pki::Profile;
using testing::ChildProcess;
using testing::CommandResult;
using testing::RunCommand;
using testing::TestFederation;

class RegistryFixture {
 public:
  RegistryFixture() : federation_(SystemClock::Instance().Now()) {
    const std::string d = dir_.path();
    REQUIRE(
        WriteFileAtomically(dir_.File("root-ca.pem"), federation_.root().certificate.ToPem(), 0644)
            .ok());
    TestFederation::Write(
        federation_.Issue(Profile::kGatewayTls, "VN/GOV/000001/registry", {"IP:127.0.0.1"}), d,
        "registry-tls");
    TestFederation::Write(
        federation_.Issue(Profile::kGatewayTls, "VN/GOV/000001/admin", {"DNS:admin"}), d, "admin");
    TestFederation::Write(
        federation_.Issue(Profile::kGatewayTls, "VN/GOV/000100/intruder", {"DNS:intruder"}), d,
        "intruder");
    TestFederation::Write(federation_.Issue(Profile::kConfigurationSigning, "VN/GOV/000001"), d,
                          "config-signing");
    TestFederation::Write(federation_.Issue(Profile::kTimestampAuthority, "VN/GOV/000001"), d,
                          "tsa");
    // The CA's own key, for `truc pki issue` from a request.
    TestFederation::Write(federation_.root(), d, "issuing-ca");
    for (const std::string code : {"000100", "000200", "000300"}) {
      TestFederation::Write(federation_.Issue(Profile::kMemberSigning, "VN/GOV/" + code), d,
                            "signing-" + code);
      TestFederation::Write(
          federation_.Issue(Profile::kGatewayTls, "VN/GOV/" + code + "/gw1", {"IP:127.0.0.1"}), d,
          "gateway-" + code);
    }
    const std::string config = R"(
instance = "VN"
data_dir = "data"
configuration_validity = "1d"

[publish]
port = 0

[admin]
port = 0
certificate_file = "registry-tls.pem"
key_file = "registry-tls.key"
client_ca_file = "root-ca.pem"
administrators = ["admin.pem"]

[signing]
key_file = "config-signing.key"
certificate_file = "config-signing.pem"

[tsa]
key_file = "tsa.key"
certificate_file = "tsa.pem"
serial_file = "tsa.serial"
policy_oid = "1.3.6.1.4.1.99999.1.1"
)";
    REQUIRE(WriteFileAtomically(dir_.File("registry.toml"), config, 0644).ok());
  }

  void Start() {
    const std::string ready = dir_.File("ready");
    std::remove(ready.c_str());
    process_ = ChildProcess::Start(
        {TRUC_REGISTRY_BINARY, "--config", dir_.File("registry.toml"), "--ready-file", ready},
        dir_.File("registry.log"));
    const std::optional<std::string> endpoints = process_->WaitForFile(ready);
    INFO(ReadFile(dir_.File("registry.log")).value_or(""));
    REQUIRE(endpoints.has_value());
    const size_t newline = endpoints->find('\n');
    publish_ = endpoints->substr(std::string("publish ").size(), newline - 8);
    admin_ = endpoints->substr(newline + 1 + std::string("admin ").size());
  }

  int Stop() { return process_->Stop(SIGTERM); }

  // Runs `truc registry ARGS` as `identity` (a certificate name in the directory).
  CommandResult Admin(const std::string& args, const std::string& identity = "admin") const {
    return RunCommand(std::string(TRUC_CLI_BINARY) + " registry --registry " + admin_ + " --cert " +
                      dir_.File(identity + ".pem") + " --key " + dir_.File(identity + ".key") +
                      " --ca " + dir_.File("root-ca.pem") + " " + args);
  }

  CommandResult Truc(const std::string& args) const {
    return RunCommand(std::string(TRUC_CLI_BINARY) + " " + args);
  }

  std::string FetchSigned() const {
    return net::HttpFetch("GET", "http://" + publish_ + "/globalconf", {}, "").value().body;
  }

  globalconf::VerifiedConfiguration Verify(const std::string& bytes, TimePoint at) const {
    const crypto::TrustStore anchors =
        crypto::TrustStore::Create({federation_.root().certificate}).value();
    return globalconf::VerifyConfiguration(bytes, anchors, at).value();
  }

  std::string File(const std::string& name) const { return dir_.File(name); }
  const std::string& publish() const { return publish_; }

 private:
  testing::TempDir dir_;
  TestFederation federation_;
  std::unique_ptr<ChildProcess> process_;
  std::string publish_;
  std::string admin_;
};

void Succeeds(const CommandResult& result) {
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
}

void FailsWith(const CommandResult& result, const std::string& message) {
  INFO(result.output);
  CHECK(result.exit_code == 1);
  CHECK(result.output.find(message) != std::string::npos);
}

TEST_CASE("A federation is registered through the CLI and published as signed configuration",
          "[integration][registry]") {
  RegistryFixture registry;
  registry.Start();

  Succeeds(registry.Admin("ca add --cert-file " + registry.File("root-ca.pem")));
  Succeeds(registry.Admin("tsa add --cert-file " + registry.File("tsa.pem")));
  const std::pair<std::string, std::string> members[] = {
      {"000100", "National population database"},
      {"000200", "Land registry"},
      {"000300", "National enterprise registry"}};
  for (const auto& [code, name] : members) {
    Succeeds(registry.Admin("member add --id VN/GOV/" + code + " --name '" + name + "'"));
    Succeeds(registry.Admin("subsystem add --id VN/GOV/" + code + "/main"));
    // A first signing certificate waits for an administrator; the gateway, signed with it once
    // registered, is approved at once.
    const CommandResult applied = registry.Admin(
        "apply signing-cert --signing-key " + registry.File("signing-" + code + ".key") +
        " --signing-cert " + registry.File("signing-" + code + ".pem"));
    Succeeds(applied);
    CHECK(applied.output.find("pending approval") != std::string::npos);
    const std::string id = applied.output.substr(applied.output.find("application ") + 12);
    Succeeds(registry.Admin("approve --id " + id.substr(0, id.find(':'))));
    const CommandResult gateway =
        registry.Admin("apply gateway --signing-key " + registry.File("signing-" + code + ".key") +
                       " --signing-cert " + registry.File("signing-" + code + ".pem") +
                       " --server-id VN/GOV/" + code + "/gw1 --address 127.0.0.1:9443 --tls-cert " +
                       registry.File("gateway-" + code + ".pem"));
    Succeeds(gateway);
    CHECK(gateway.output.find("approved") != std::string::npos);
  }
  const CommandResult bad_subject = registry.Admin(
      "service publish --id VN/GOV/000100/main/citizens --kind rest --classification personal "
      "--subject-identifier '/citizens/{id}'");
  CHECK(bad_subject.exit_code != 0);
  CHECK(bad_subject.output.find("subject identifier pattern \"/citizens/{id}\"") !=
        std::string::npos);
  Succeeds(registry.Admin(
      "service publish --id VN/GOV/000100/main/citizens --kind rest --classification personal "
      "--description 'Citizen identity by id number' --subject-identifier '/citizens/{}' "
      "--subject-identifier '?cccd'"));
  Succeeds(registry.Admin(
      "service publish --id VN/GOV/000200/main/parcels --kind openapi --classification personal"));
  Succeeds(registry.Admin("group create --code one-stop-portals --description 'Portals'"));
  Succeeds(registry.Admin("group add --code one-stop-portals --member VN/GOV/000300/main"));

  // Fetch and verify, with our CLI and in process.
  const CommandResult fetched = registry.Truc(
      "globalconf fetch --url http://" + registry.publish() + "/globalconf --anchor " +
      registry.File("root-ca.pem") + " --out " + registry.File("conf.bin"));
  Succeeds(fetched);
  const std::string signed_bytes = ReadFile(registry.File("conf.bin")).value();
  const globalconf::VerifiedConfiguration verified =
      registry.Verify(signed_bytes, SystemClock::Instance().Now());
  CHECK(verified.configuration.members_size() == 3);
  CHECK(verified.configuration.gateways_size() == 3);
  CHECK(verified.configuration.services_size() == 2);
  CHECK(verified.configuration.services(0).subject_identifiers_size() == 2);
  CHECK(verified.configuration.approved_tsas_size() == 1);
  CHECK(verified.configuration.groups(0).members_size() == 1);
  CHECK(fetched.output.find("configuration version " + std::to_string(verified.info.version)) !=
        std::string::npos);
  const std::string json =
      net::HttpFetch("GET", "http://" + registry.publish() + "/globalconf.json", {}, "")
          .value()
          .body;
  CHECK(json.find("Land registry") != std::string::npos);

  SECTION("one flipped byte is rejected") {
    std::string tampered = signed_bytes;
    tampered[tampered.size() / 2] ^= 0x01;
    REQUIRE(WriteFileAtomically(registry.File("tampered.bin"), tampered, 0644).ok());
    const CommandResult result =
        registry.Truc("globalconf verify --file " + registry.File("tampered.bin") + " --anchor " +
                      registry.File("root-ca.pem"));
    CHECK(result.exit_code == 1);
  }
  SECTION("an older version is rejected") {
    Succeeds(registry.Admin("member add --id VN/GOV/000900 --name 'Provincial portal'"));
    const globalconf::VerifiedConfiguration newer =
        registry.Verify(registry.FetchSigned(), SystemClock::Instance().Now());
    CHECK(newer.info.version > verified.info.version);
    FailsWith(registry.Truc("globalconf verify --file " + registry.File("conf.bin") + " --anchor " +
                            registry.File("root-ca.pem") + " --min-version " +
                            std::to_string(newer.info.version)),
              "older than version " + std::to_string(newer.info.version));
  }
  SECTION("an expired one is reported as expired") {
    const crypto::TrustStore anchors =
        crypto::TrustStore::Create(
            {crypto::Certificate::LoadPemFile(registry.File("root-ca.pem")).value().front()})
            .value();
    const Status status =
        globalconf::VerifyConfiguration(signed_bytes, anchors,
                                        SystemClock::Instance().Now() + std::chrono::hours(25))
            .status();
    CHECK(status.reason() == "globalconf.expired");
  }
  SECTION("the embedded TSA answers at /timestamp") {
    const CommandResult result = RunCommand(
        "cd " + registry.File("") + " && openssl ts -query -digest " + std::string(64, 'a') +
        " -sha256 -cert -out q.tsq && curl -sf -H 'Content-Type: application/timestamp-query' "
        "--data-binary @q.tsq http://" +
        registry.publish() +
        "/timestamp -o r.tsr && "
        "openssl ts -verify -in r.tsr -queryfile q.tsq -CAfile root-ca.pem -untrusted tsa.pem");
    INFO(result.output);
    CHECK(result.output.find("Verification: OK") != std::string::npos);
  }
  CHECK(registry.Stop() == 0);
}

TEST_CASE("Bad admin requests get a clear error and change nothing", "[integration][registry]") {
  RegistryFixture registry;
  registry.Start();
  Succeeds(registry.Admin("ca add --cert-file " + registry.File("root-ca.pem")));
  Succeeds(registry.Admin("member add --id VN/GOV/000100 --name 'Population'"));
  const uint64_t version =
      registry.Verify(registry.FetchSigned(), SystemClock::Instance().Now()).info.version;

  FailsWith(registry.Admin("subsystem add --id VN/GOV/000999/main"),
            "unknown member VN/GOV/000999");
  FailsWith(registry.Admin("member add --id VN/GOV/000100 --name Again"),
            "member VN/GOV/000100 is already registered");
  FailsWith(registry.Admin("member add --id VN/GOV --name Broken"), "invalid member id 'VN/GOV'");
  const TestFederation rogue(SystemClock::Instance().Now());
  testing::TestFederation::Write(rogue.Issue(Profile::kTimestampAuthority, "VN/GOV/000001"),
                                 registry.File(""), "rogue-tsa");
  FailsWith(registry.Admin("tsa add --cert-file " + registry.File("rogue-tsa.pem")),
            "is not from an approved CA");
  FailsWith(registry.Admin("member add --id VN/GOV/000200 --name Land", "intruder"),
            "needs an administrator certificate");

  CHECK(registry.Verify(registry.FetchSigned(), SystemClock::Instance().Now()).info.version ==
        version);
  CHECK(registry.Stop() == 0);
}

TEST_CASE("A restart of the registry loses nothing", "[integration][registry]") {
  RegistryFixture registry;
  registry.Start();
  Succeeds(registry.Admin("ca add --cert-file " + registry.File("root-ca.pem")));
  Succeeds(registry.Admin("member add --id VN/GOV/000100 --name 'Population'"));
  Succeeds(registry.Admin("subsystem add --id VN/GOV/000100/main"));
  const globalconf::VerifiedConfiguration before =
      registry.Verify(registry.FetchSigned(), SystemClock::Instance().Now());
  CHECK(registry.Stop() == 0);

  registry.Start();
  const globalconf::VerifiedConfiguration after =
      registry.Verify(registry.FetchSigned(), SystemClock::Instance().Now());
  CHECK(after.info.version > before.info.version);  // Reissued on start.
  REQUIRE(after.configuration.members_size() == 1);
  CHECK(after.configuration.members(0).subsystems(0).subsystem_code() == "main");
  REQUIRE(after.configuration.approved_cas_size() == 1);
  CHECK(after.configuration.approved_cas(0) == before.configuration.approved_cas(0));
  FailsWith(registry.Admin("member add --id VN/GOV/000100 --name Again"), "already registered");
  CHECK(registry.Stop() == 0);
}

TEST_CASE("A member whose signing key is on an HSM applies and is registered with it",
          "[integration][registry]") {
  RegistryFixture registry;
  registry.Start();
  testing::SoftHsm hsm;  // SOFTHSM2_CONF, inherited by the CLI.
  hsm.InitToken("enterprise", "2468");
  REQUIRE(WriteFileAtomically(registry.File("hsm.pin"), "2468\n", 0600).ok());
  const std::string token = fmt::format(
      "--pkcs11-module {} --token-label enterprise --key-label member-signing --pin-file {}",
      testing::kSoftHsmModule, registry.File("hsm.pin"));

  Succeeds(registry.Admin("ca add --cert-file " + registry.File("root-ca.pem")));
  Succeeds(registry.Admin("member add --id VN/GOV/000400 --name 'Enterprise registry'"));
  // The key is made on the token; only the request leaves it.
  Succeeds(registry.Truc(
      fmt::format("pki keygen --profile member-signing --subject-id VN/GOV/000400 {} --csr-out {}",
                  token, registry.File("hsm-signing.csr"))));
  Succeeds(registry.Truc(
      fmt::format("pki issue --ca-cert {} --ca-key {} --csr {} --profile member-signing --out {}",
                  registry.File("issuing-ca.pem"), registry.File("issuing-ca.key"),
                  registry.File("hsm-signing.csr"), registry.File("hsm-signing.pem"))));
  // The application is signed on the token: proof that the member holds the key.
  const CommandResult applied = registry.Admin(fmt::format(
      "apply signing-cert {} --signing-cert {}", token, registry.File("hsm-signing.pem")));
  Succeeds(applied);
  CHECK(applied.output.find("pending approval") != std::string::npos);
  const std::string id = applied.output.substr(applied.output.find("application ") + 12);
  Succeeds(registry.Admin("approve --id " + id.substr(0, id.find(':'))));
  const globalconf::VerifiedConfiguration verified =
      registry.Verify(registry.FetchSigned(), SystemClock::Instance().Now());
  REQUIRE(verified.configuration.members_size() == 1);
  REQUIRE(verified.configuration.members(0).signing_certificates_size() == 1);
  CHECK(verified.configuration.members(0).signing_certificates(0) ==
        crypto::Certificate::LoadPemFile(registry.File("hsm-signing.pem")).value().front().ToDer());

  // A key file and a token at once, or neither, is refused.
  FailsWith(registry.Admin(fmt::format("apply signing-cert {} --signing-key {} --signing-cert {}",
                                       token, registry.File("signing-000100.key"),
                                       registry.File("hsm-signing.pem"))),
            "one of them");
  // The token's key is not the certificate's.
  FailsWith(registry.Admin(fmt::format("apply signing-cert {} --signing-cert {}", token,
                                       registry.File("signing-000100.pem"))),
            "does not belong to the certificate");
}

}  // namespace
}  // namespace truc
