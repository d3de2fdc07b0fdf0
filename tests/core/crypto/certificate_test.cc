#include "core/crypto/certificate.h"

#include <catch2/catch.hpp>

#include "core/crypto/openssl_util.h"
#include "tests/support/test_pki.h"

namespace truc::crypto {
namespace {

TEST_CASE("Certificates expose their names, validity, key and fingerprint", "[crypto]") {
  const testing::KeyAndCertificate ca = testing::MakeRootCa("Trục Test Root CA");
  pki::CertificateTemplate spec = testing::LeafTemplate("gw1.land.gov.vn");
  spec.subject_alt_names = {"DNS:gw1.land.gov.vn", "IP:127.0.0.1", "IP:::1"};
  const testing::KeyAndCertificate leaf = testing::Issue(ca, spec);
  const Certificate& cert = leaf.certificate;

  CHECK(cert.subject() == "CN=gw1.land.gov.vn,O=Trục test,C=VN");
  CHECK(cert.issuer() == "CN=Trục Test Root CA,O=Trục test,C=VN");
  CHECK(cert.SubjectAttribute("CN") == "gw1.land.gov.vn");
  CHECK(cert.SubjectAttribute("O") == "Trục test");
  CHECK(cert.SubjectAttribute("serialNumber").empty());
  CHECK(cert.not_before() == spec.not_before);
  CHECK(cert.not_after() == spec.not_after);
  CHECK_FALSE(cert.IsCa());
  CHECK(ca.certificate.IsCa());
  CHECK(cert.public_key().key_id() == leaf.key.key_id());
  CHECK(cert.Fingerprint().size() == 32);
  CHECK(cert.serial_hex().size() == 32);
  CHECK(cert.SubjectAltNames() ==
        std::vector<std::string>{"gw1.land.gov.vn", "127.0.0.1", "0:0:0:0:0:0:0:1"});
}

TEST_CASE("Certificates round-trip through PEM and DER, and bundles keep their order", "[crypto]") {
  const testing::KeyAndCertificate ca = testing::MakeRootCa("Root");
  const testing::KeyAndCertificate leaf = testing::Issue(ca, testing::LeafTemplate("leaf"));
  CHECK(Certificate::FromPem(leaf.certificate.ToPem()).value() == leaf.certificate);
  CHECK(Certificate::FromDer(leaf.certificate.ToDer()).value() == leaf.certificate);
  const std::vector<Certificate> bundle =
      Certificate::FromPemBundle(leaf.certificate.ToPem() + ca.certificate.ToPem()).value();
  REQUIRE(bundle.size() == 2);
  CHECK(bundle[0] == leaf.certificate);
  CHECK(bundle[1] == ca.certificate);
  CHECK(
      Certificate::FromPem(leaf.certificate.ToPem() + ca.certificate.ToPem()).status().message() ==
      "expected one PEM certificate, found 2");
}

TEST_CASE("Malformed certificates are rejected", "[crypto]") {
  CHECK(Certificate::FromPem("hello").status().reason() == "crypto.malformed");
  CHECK(Certificate::FromDer("\x30\x00").status().reason() == "crypto.malformed");
  const testing::KeyAndCertificate ca = testing::MakeRootCa("Root");
  std::string pem = ca.certificate.ToPem();
  pem[pem.size() / 2] = '!';
  CHECK_FALSE(Certificate::FromPem(pem).ok());
}

TEST_CASE("ASN.1 times past the clock's range are its end, not an overflow", "[crypto]") {
  // RFC 5280's "no well-defined expiration", as CA certificates carry it; and a TSA token's
  // genTime in year 9026, as the timestamp_reply fuzz target sent one.
  for (const char* text : {"99991231235959Z", "90260101000000Z"}) {
    INFO(text);
    const Asn1TimePtr time(ASN1_TIME_new());
    REQUIRE(ASN1_TIME_set_string(time.get(), text) == 1);
    CHECK(FromAsn1Time(time.get()).value() == TimePoint::max());
  }
  const Asn1TimePtr time(ASN1_TIME_new());
  REQUIRE(ASN1_TIME_set_string(time.get(), "20261206000000Z") == 1);
  CHECK(FromAsn1Time(time.get()).value() ==
        TimePoint(std::chrono::seconds(1796515200)));  // 2026-12-06T00:00:00Z.
}

}  // namespace
}  // namespace truc::crypto
