#include "core/pki/certificate_authority.h"

#include <catch2/catch.hpp>

#include "core/crypto/trust_store.h"
#include "tests/core/pki/federation_ca.h"

namespace truc::pki {
namespace {

using testing::kIssuedAt;

CertificateRequest Request(const crypto::PrivateKey& key, const DistinguishedName& subject,
                           const std::vector<std::string>& subject_alt_names = {}) {
  return CertificateRequest::Create(key, subject, subject_alt_names).value();
}

TEST_CASE("Certificates issued from requests chain to the federation root", "[pki]") {
  const testing::FederationCa ca = testing::MakeFederationCa();
  const crypto::PrivateKey key = testing::NewKey();
  const CertificateRequest request =
      Request(key, {{"O", "Population database"}, {"CN", "VN/GOV/000100"}});

  const crypto::Certificate certificate =
      IssueFromRequest(request, Profile::kMemberSigning, {.now = kIssuedAt}, ca.intermediate,
                       ca.intermediate_key)
          .value();
  CHECK(certificate.subject() == "CN=VN/GOV/000100,O=Population database");
  CHECK(certificate.issuer() == ca.intermediate.subject());
  CHECK(certificate.public_key().key_id() == key.key_id());

  const crypto::TrustStore store = crypto::TrustStore::Create({ca.root}).value();
  const std::vector<crypto::Certificate> intermediates = {ca.intermediate};
  const auto chain = store.VerifyChain(certificate, intermediates, kIssuedAt);
  REQUIRE(chain.ok());
  CHECK(chain->size() == 3);
}

TEST_CASE("Issuing from a request without the member identifier fails clearly", "[pki]") {
  const testing::FederationCa ca = testing::MakeFederationCa();
  const CertificateRequest request =
      Request(testing::NewKey(), {{"O", "Bộ Công an"}, {"CN", "Population database"}});
  const Status status = IssueFromRequest(request, Profile::kMemberSigning, {.now = kIssuedAt},
                                         ca.intermediate, ca.intermediate_key)
                            .status();
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.reason() == "pki.subject_mismatch");
  CHECK(status.message() ==
        "request for 'CN=Population database,O=Bộ Công an': profile member-signing needs a "
        "member identifier INSTANCE/CLASS/CODE in the subject CN: invalid member id 'Population "
        "database': expected the form INSTANCE/CLASS/CODE, got 1 parts");
}

TEST_CASE("Gateway TLS names come from the request unless the operator gives them", "[pki]") {
  const testing::FederationCa ca = testing::MakeFederationCa();
  const CertificateRequest request =
      Request(testing::NewKey(), {{"CN", "VN/GOV/000100/gw1"}}, {"DNS:gw1.example.vn"});

  SECTION("requested") {
    const crypto::Certificate certificate =
        IssueFromRequest(request, Profile::kGatewayTls, {.now = kIssuedAt}, ca.intermediate,
                         ca.intermediate_key)
            .value();
    CHECK(certificate.SubjectAltNames() == std::vector<std::string>{"gw1.example.vn"});
  }
  SECTION("given by the operator") {
    const crypto::Certificate certificate =
        IssueFromRequest(request, Profile::kGatewayTls,
                         {.now = kIssuedAt, .subject_alt_names = {"DNS:localhost", "IP:127.0.0.1"}},
                         ca.intermediate, ca.intermediate_key)
            .value();
    CHECK(certificate.SubjectAltNames() == std::vector<std::string>{"localhost", "127.0.0.1"});
  }
  SECTION("requested names do not fit another profile") {
    const CertificateRequest signing =
        Request(testing::NewKey(), {{"CN", "VN/GOV/000100"}}, {"DNS:gw1.example.vn"});
    CHECK(IssueFromRequest(signing, Profile::kMemberSigning, {.now = kIssuedAt}, ca.intermediate,
                           ca.intermediate_key)
              .status()
              .reason() == "pki.subject_alt_names");
  }
}

TEST_CASE("The CA refuses what it must not issue", "[pki]") {
  const testing::FederationCa ca = testing::MakeFederationCa();
  const crypto::PrivateKey key = testing::NewKey();
  const DistinguishedName subject = {{"CN", "VN/GOV/000100"}};

  SECTION("a root is only ever self-signed") {
    CHECK(IssueWithProfile(Profile::kRootCa, {{"CN", "Second root"}}, key.public_key(),
                           {.now = kIssuedAt}, ca.root, ca.root_key)
              .status()
              .reason() == "pki.wrong_profile");
  }
  SECTION("an intermediate with pathlen 0 issues no CA") {
    const Status status =
        IssueWithProfile(Profile::kIntermediateCa, {{"CN", "Sub CA"}}, key.public_key(),
                         {.now = kIssuedAt}, ca.intermediate, ca.intermediate_key)
            .status();
    CHECK(status.reason() == "pki.path_length");
    CHECK(status.message() ==
          "issuer 'CN=Test Intermediate CA,O=Trục test' may not issue CA certificates (its "
          "pathlen is 0)");
  }
  SECTION("a certificate may not outlive its issuer") {
    const Status status = IssueWithProfile(Profile::kMemberSigning, subject, key.public_key(),
                                           {.now = kIssuedAt, .validity = std::chrono::days(4000)},
                                           ca.intermediate, ca.intermediate_key)
                              .status();
    CHECK(status.reason() == "pki.outlives_issuer");
  }
  SECTION("the key must be the issuer's") {
    CHECK(IssueWithProfile(Profile::kMemberSigning, subject, key.public_key(), {.now = kIssuedAt},
                           ca.intermediate, ca.root_key)
              .status()
              .reason() == "pki.issuer_key_mismatch");
  }
}

}  // namespace
}  // namespace truc::pki
