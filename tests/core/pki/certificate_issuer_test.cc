#include "core/pki/certificate_issuer.h"

#include <catch2/catch.hpp>

#include "tests/support/test_pki.h"

namespace truc::pki {
namespace {

TEST_CASE("Issuing checks the template and the issuer", "[pki]") {
  const testing::KeyAndCertificate ca = testing::MakeRootCa("Root");
  const testing::KeyAndCertificate leaf = testing::Issue(ca, testing::LeafTemplate("leaf"));
  const crypto::PrivateKey key = crypto::PrivateKey::Generate(crypto::KeyType::kEcP256).value();

  SECTION("validity window inverted") {
    CertificateTemplate spec = testing::LeafTemplate("x");
    spec.not_after = spec.not_before;
    CHECK(IssueCertificate(spec, key.public_key(), &ca.certificate, ca.key).status().message() ==
          "not_after must be later than not_before");
  }
  SECTION("a leaf cannot issue") {
    const Status status =
        IssueCertificate(testing::LeafTemplate("x"), key.public_key(), &leaf.certificate, leaf.key)
            .status();
    CHECK(status.reason() == "pki.not_a_ca");
  }
  SECTION("the signing key must be the issuer's") {
    CHECK(IssueCertificate(testing::LeafTemplate("x"), key.public_key(), &ca.certificate, key)
              .status()
              .reason() == "pki.issuer_key_mismatch");
  }
  SECTION("bad extension text") {
    CertificateTemplate spec = testing::LeafTemplate("x");
    spec.extended_key_usage = "critical,noSuchUsage";
    const Status status =
        IssueCertificate(spec, key.public_key(), &ca.certificate, ca.key).status();
    CHECK(status.reason() == "pki.bad_template");
    CHECK(
        status.message().starts_with("invalid extendedKeyUsage extension 'critical,noSuchUsage'"));
  }
  SECTION("unknown subject attribute") {
    CertificateTemplate spec = testing::LeafTemplate("x");
    spec.subject.emplace_back("NOPE", "value");
    CHECK(IssueCertificate(spec, key.public_key(), &ca.certificate, ca.key).status().reason() ==
          "pki.bad_template");
  }
}

}  // namespace
}  // namespace truc::pki
