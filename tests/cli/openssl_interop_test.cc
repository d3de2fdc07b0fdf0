// The development PKI, made by certs/make-dev-pki.sh with the built `truc`, checked by the real
// openssl binary: what OpenSSL accepts, TLS stacks and other X-Road-like tools accept too.
#include <vector>

#include <catch2/catch.hpp>

#include "core/base/file.h"
#include "tests/cli/shell_quote.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace truc::cli {
namespace {

using truc::testing::CommandResult;
using truc::testing::RunCommand;
using truc::testing::TempDir;

constexpr std::string_view kMemberCodes[] = {"000100", "000200", "000300", "000900"};

// Every leaf of the development PKI, relative to its directory, without extension.
std::vector<std::string> Leaves() {
  std::vector<std::string> leaves = {"tsa/tsa", "registry/config-signing"};
  for (std::string_view code : kMemberCodes) {
    const std::string member = "members/" + std::string(code);
    leaves.push_back(member + "/signing");
    leaves.push_back(member + "/gateway-tls");
  }
  return leaves;
}

CommandResult MakeDevPki(const std::string& out) {
  return RunCommand(ShellQuote(TRUC_SOURCE_DIR "/certs/make-dev-pki.sh") + " " + ShellQuote(out) +
                    " " + ShellQuote(TRUC_BINARY));
}

class DevPki {
 public:
  DevPki() {
    const CommandResult made = MakeDevPki(dir_.path());
    INFO(made.output);
    REQUIRE(made.exit_code == 0);
  }

  std::string File(const std::string& name) const { return ShellQuote(dir_.File(name)); }
  const std::string& path() const { return dir_.path(); }

  // `openssl verify` of `leaf` against the root, with the intermediate as untrusted help.
  CommandResult Verify(const std::string& leaf, const std::string& options = "") const {
    return RunCommand("openssl verify -x509_strict " + options + " -CAfile " +
                      File("ca/root-ca.pem") + " -untrusted " + File("ca/intermediate-ca.pem") +
                      " " + File(leaf + ".pem"));
  }

 private:
  TempDir dir_;
};

TEST_CASE("make-dev-pki.sh makes the whole development PKI and a second run keeps it", "[cli]") {
  const DevPki pki;
  std::vector<std::string> keys = {"ca/root-ca", "ca/intermediate-ca"};
  for (const std::string& leaf : Leaves()) keys.push_back(leaf);
  std::vector<std::string> certificates;
  for (const std::string& name : keys) {
    INFO(name);
    CHECK(FilePermissions(pki.path() + "/" + name + ".key").value() == 0600);
    certificates.push_back(ReadFile(pki.path() + "/" + name + ".pem").value());
  }

  const CommandResult again = MakeDevPki(pki.path());
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  for (size_t i = 0; i < keys.size(); ++i) {
    CHECK(ReadFile(pki.path() + "/" + keys[i] + ".pem").value() == certificates[i]);
  }
}

TEST_CASE("openssl accepts the certificates, requests and chains", "[cli][interop]") {
  const DevPki pki;

  SECTION("every certificate parses") {
    for (const std::string& name : {std::string("ca/root-ca"), std::string("ca/intermediate-ca")}) {
      CHECK(RunCommand("openssl x509 -noout -text -in " + pki.File(name + ".pem")).exit_code == 0);
    }
    for (const std::string& leaf : Leaves()) {
      const CommandResult text =
          RunCommand("openssl x509 -noout -text -in " + pki.File(leaf + ".pem"));
      INFO(leaf << ": " << text.output);
      CHECK(text.exit_code == 0);
    }
  }
  SECTION("every request's self-signature verifies") {
    for (const std::string& leaf : Leaves()) {
      const CommandResult verify =
          RunCommand("openssl req -verify -noout -in " + pki.File(leaf + ".csr"));
      INFO(leaf << ": " << verify.output);
      CHECK(verify.exit_code == 0);
      CHECK(verify.output.find("verify OK") != std::string::npos);
    }
  }
  SECTION("every leaf chains to the root through the intermediate") {
    for (const std::string& leaf : Leaves()) {
      const CommandResult verify = pki.Verify(leaf);
      INFO(verify.output);
      CHECK(verify.exit_code == 0);
      CHECK(verify.output == pki.path() + "/" + leaf + ".pem: OK\n");
    }
  }
  SECTION("the timestamping certificate has a critical timeStamping extended key usage") {
    const CommandResult text =
        RunCommand("openssl x509 -noout -text -in " + pki.File("tsa/tsa.pem"));
    CHECK(
        text.output.find("X509v3 Extended Key Usage: critical\n                Time Stamping\n") !=
        std::string::npos);
    CHECK(pki.Verify("tsa/tsa", "-purpose timestampsign").exit_code == 0);
  }
  SECTION("gateway certificates serve both ends of TLS, for localhost") {
    const std::string leaf = "members/000100/gateway-tls";
    CHECK(pki.Verify(leaf, "-purpose sslserver -verify_hostname localhost").exit_code == 0);
    CHECK(pki.Verify(leaf, "-purpose sslclient -verify_ip 127.0.0.1").exit_code == 0);
    CHECK(pki.Verify(leaf, "-purpose sslserver -verify_hostname example.org").exit_code != 0);
  }
  SECTION("member signing certificates name the member and cannot stamp time") {
    const std::string leaf = "members/000200/signing";
    const CommandResult text =
        RunCommand("openssl x509 -noout -text -nameopt utf8 -in " + pki.File(leaf + ".pem"));
    CHECK(text.output.find("Subject: O=Land registry, CN=VN/GOV/000200\n") != std::string::npos);
    CHECK(text.output.find("X509v3 Key Usage: critical\n                Digital Signature, Non "
                           "Repudiation\n") != std::string::npos);
    CHECK(pki.Verify(leaf, "-purpose timestampsign").exit_code != 0);
  }
  SECTION("the intermediate may not issue further CAs") {
    const CommandResult text =
        RunCommand("openssl x509 -noout -text -in " + pki.File("ca/intermediate-ca.pem"));
    CHECK(text.output.find("CA:TRUE, pathlen:0") != std::string::npos);
  }
}

}  // namespace
}  // namespace truc::cli
