// Runs the built `truc` binary (TRUC_BINARY) as an operator would.
#include <vector>

#include <catch2/catch.hpp>

#include "core/base/file.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/pki/certificate_profiles.h"
#include "core/pki/certificate_request.h"
#include "tests/cli/shell_quote.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace truc::cli {
namespace {

using truc::testing::CommandResult;
using truc::testing::RunCommand;
using truc::testing::TempDir;

CommandResult Truc(const std::string& arguments) {
  return RunCommand(ShellQuote(TRUC_BINARY) + " " + arguments);
}

std::vector<crypto::Certificate> Certificates(const std::string& path) {
  return crypto::Certificate::LoadPemFile(path).value();
}

// A root and an intermediate CA in dir/ca.
void InitCa(const TempDir& dir) {
  const CommandResult result =
      Truc("pki init-ca --intermediate --name 'Trục Test' --out " + ShellQuote(dir.File("ca")));
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
}

std::string IssueArguments(const TempDir& dir, const std::string& csr, const std::string& profile,
                           const std::string& out) {
  return "pki issue --ca-cert " + ShellQuote(dir.File("ca/intermediate-ca.pem")) + " --ca-key " +
         ShellQuote(dir.File("ca/intermediate-ca.key")) + " --csr " + ShellQuote(csr) +
         " --profile " + profile + " --out " + ShellQuote(out);
}

TEST_CASE("truc pki init-ca creates the CAs with private keys only the owner can read", "[cli]") {
  const TempDir dir;
  InitCa(dir);

  CHECK(FilePermissions(dir.File("ca/root-ca.key")).value() == 0600);
  CHECK(FilePermissions(dir.File("ca/intermediate-ca.key")).value() == 0600);
  CHECK(FilePermissions(dir.File("ca/root-ca.pem")).value() == 0644);
  const crypto::Certificate root = Certificates(dir.File("ca/root-ca.pem")).front();
  const crypto::Certificate intermediate = Certificates(dir.File("ca/intermediate-ca.pem")).front();
  CHECK(root.subject() == "CN=Trục Test Root CA,O=Trục Test");
  CHECK(pki::GuessProfile(root) == pki::Profile::kRootCa);
  CHECK(pki::GuessProfile(intermediate) == pki::Profile::kIntermediateCa);
  CHECK(intermediate.issuer() == root.subject());
  CHECK(crypto::PrivateKey::LoadPemFile(dir.File("ca/root-ca.key")).value().key_id() ==
        root.public_key().key_id());

  const CommandResult again = Truc("pki init-ca --out " + ShellQuote(dir.File("ca")));
  CHECK(again.exit_code == 1);
  CHECK(again.output ==
        "truc: " + dir.File("ca/root-ca.key") + " already exists; refusing to overwrite it\n");
}

TEST_CASE("truc pki keygen and issue give an agency a certificate under the CA", "[cli]") {
  const TempDir dir;
  InitCa(dir);
  const CommandResult keygen = Truc(
      "pki keygen --profile gateway-tls --subject-id VN/GOV/000100/gw1 --name 'Bộ Công an' "
      "--dns localhost --ip 127.0.0.1 --key-out " +
      ShellQuote(dir.File("gw.key")) + " --csr-out " + ShellQuote(dir.File("gw.csr")));
  INFO(keygen.output);
  REQUIRE(keygen.exit_code == 0);
  CHECK(FilePermissions(dir.File("gw.key")).value() == 0600);
  CHECK(keygen.output.find("PRIVATE KEY") == std::string::npos);
  const pki::CertificateRequest request =
      pki::CertificateRequest::LoadPemFile(dir.File("gw.csr")).value();
  CHECK(request.subject_text() == "CN=VN/GOV/000100/gw1,O=Bộ Công an");

  const CommandResult issue = Truc(
      IssueArguments(dir, dir.File("gw.csr"), "gateway-tls", dir.File("gw.pem")) + " --days 30");
  INFO(issue.output);
  REQUIRE(issue.exit_code == 0);
  const std::vector<crypto::Certificate> chain = Certificates(dir.File("gw.pem"));
  REQUIRE(chain.size() == 2);  // The leaf, then the intermediate; never the root.
  CHECK(chain[0].public_key().key_id() == request.public_key().key_id());
  CHECK(pki::GuessProfile(chain[0]) == pki::Profile::kGatewayTls);
  CHECK(chain[0].SubjectAltNames() == std::vector<std::string>{"localhost", "127.0.0.1"});
  CHECK(chain[0].not_after() - chain[0].not_before() ==
        std::chrono::days(30) + pki::kClockSkewAllowance);
  CHECK(chain[1] == Certificates(dir.File("ca/intermediate-ca.pem")).front());

  const CommandResult show = Truc("pki show --cert " + ShellQuote(dir.File("gw.pem")));
  CHECK(show.exit_code == 0);
  CHECK(show.output.find("profile (guessed):  gateway-tls\n") != std::string::npos);
  CHECK(show.output.find("profile (guessed):  intermediate-ca\n") != std::string::npos);
}

TEST_CASE("truc pki issue says which request file is missing", "[cli]") {
  const TempDir dir;
  InitCa(dir);
  const CommandResult result =
      Truc(IssueArguments(dir, dir.File("missing.csr"), "member-signing", dir.File("member.pem")));
  CHECK(result.exit_code == 1);
  CHECK(result.output ==
        "truc: cannot open " + dir.File("missing.csr") + ": No such file or directory\n");
}

TEST_CASE("truc pki issue refuses a member-signing request without a member id", "[cli]") {
  const TempDir dir;
  InitCa(dir);
  const crypto::PrivateKey key = crypto::PrivateKey::Generate(crypto::KeyType::kEcP256).value();
  const pki::CertificateRequest request =
      pki::CertificateRequest::Create(key, {{"CN", "Population database"}}, {}).value();
  REQUIRE(WriteFileAtomically(dir.File("member.csr"), request.ToPem(), 0644).ok());

  const CommandResult result =
      Truc(IssueArguments(dir, dir.File("member.csr"), "member-signing", dir.File("member.pem")));
  CHECK(result.exit_code == 1);
  CHECK(result.output == "truc: " + dir.File("member.csr") +
                             ": request for 'CN=Population database': profile member-signing "
                             "needs a member identifier INSTANCE/CLASS/CODE in the subject CN: "
                             "invalid member id 'Population database': expected the form "
                             "INSTANCE/CLASS/CODE, got 1 parts\n");
  CHECK_FALSE(FilePermissions(dir.File("member.pem")).ok());
}

TEST_CASE("truc pki revoke lists a certificate once", "[cli]") {
  const TempDir dir;
  InitCa(dir);
  const std::string revoke = "pki revoke --reason keyCompromise --list " +
                             ShellQuote(dir.File("revoked.txt")) + " --cert " +
                             ShellQuote(dir.File("ca/intermediate-ca.pem"));
  const CommandResult first = Truc(revoke);
  INFO(first.output);
  CHECK(first.exit_code == 0);
  const CommandResult second = Truc(revoke);
  CHECK(second.exit_code == 1);
  CHECK(second.output.starts_with("truc: " + dir.File("revoked.txt") +
                                  ": certificate 'CN=Trục Test Intermediate CA,O=Trục Test'"));

  const CommandResult unknown =
      Truc("pki revoke --reason stolen --list " + ShellQuote(dir.File("revoked.txt")) + " --cert " +
           ShellQuote(dir.File("ca/root-ca.pem")));
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.output ==
        "truc: unknown revocation reason 'stolen'; the reasons are unspecified, keyCompromise, "
        "cACompromise, affiliationChanged, superseded, cessationOfOperation\n");
}

}  // namespace
}  // namespace truc::cli
