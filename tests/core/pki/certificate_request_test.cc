#include "core/pki/certificate_request.h"

#include <catch2/catch.hpp>

#include "core/base/encoding.h"
#include "tests/core/pki/federation_ca.h"
#include "tests/support/temp_dir.h"

namespace truc::pki {
namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE REQUEST-----\n";
constexpr std::string_view kEnd = "-----END CERTIFICATE REQUEST-----\n";

std::string PemToDer(std::string_view pem) {
  pem.remove_prefix(kBegin.size());
  pem.remove_suffix(kEnd.size());
  std::string base64;
  for (char c : pem) {
    if (c != '\n') base64 += c;
  }
  return Base64Decode(base64).value();
}

std::string DerToPem(std::string_view der) {
  const std::string base64 = Base64Encode(der);
  std::string pem(kBegin);
  for (size_t i = 0; i < base64.size(); i += 64) pem += base64.substr(i, 64) + "\n";
  return pem + std::string(kEnd);
}

TEST_CASE("A certificate request round-trips through PEM", "[pki]") {
  const crypto::PrivateKey key = testing::NewKey();
  const DistinguishedName subject = {{"O", "Bộ Công an"}, {"CN", "VN/GOV/000100/gw1"}};
  const CertificateRequest request =
      CertificateRequest::Create(key, subject, {"DNS:localhost", "IP:127.0.0.1", "IP:::1"}).value();

  const std::string pem = request.ToPem();
  REQUIRE(pem.starts_with(kBegin));
  const CertificateRequest parsed = CertificateRequest::FromPem(pem).value();
  CHECK(parsed.subject() == subject);
  CHECK(parsed.subject_text() == "CN=VN/GOV/000100/gw1,O=Bộ Công an");
  CHECK(parsed.subject_alt_names() ==
        std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1"});
  CHECK(parsed.public_key().key_id() == key.key_id());
  CHECK(parsed.ToPem() == pem);
}

TEST_CASE("A certificate request whose content was altered is rejected", "[pki]") {
  const CertificateRequest request =
      CertificateRequest::Create(testing::NewKey(), {{"CN", "VN/GOV/000100"}}, {}).value();
  std::string der = PemToDer(request.ToPem());
  const size_t code = der.find("000100");
  REQUIRE(code != std::string::npos);
  der.replace(code, 6, "000666");  // Another member's code, same length: still well-formed.

  const Status status = CertificateRequest::FromPem(DerToPem(der)).status();
  CHECK(status.code() == StatusCode::kUnauthenticated);
  CHECK(status.reason() == "pki.csr_bad_signature");
  CHECK(status.message().starts_with("the request's signature does not verify"));
}

TEST_CASE("Malformed certificate requests are refused", "[pki]") {
  const CertificateRequest request =
      CertificateRequest::Create(testing::NewKey(), {{"CN", "VN/GOV/000100"}}, {}).value();
  SECTION("not PEM") {
    CHECK(CertificateRequest::FromPem("hello").status().reason() == "pki.malformed_csr");
  }
  SECTION("a certificate is not a request") {
    const testing::FederationCa ca = testing::MakeFederationCa();
    CHECK(CertificateRequest::FromPem(ca.root.ToPem()).status().reason() == "pki.malformed_csr");
  }
  SECTION("two requests") {
    CHECK(CertificateRequest::FromPem(request.ToPem() + request.ToPem()).status().message() ==
          "more than one certificate request; expected exactly one");
  }
  SECTION("a missing file is named") {
    const truc::testing::TempDir dir;
    const Status status = CertificateRequest::LoadPemFile(dir.File("agency.csr")).status();
    CHECK(status.code() == StatusCode::kNotFound);
    CHECK(status.message() ==
          "cannot open " + dir.File("agency.csr") + ": No such file or directory");
  }
  SECTION("an identifier too long for a CN is refused when creating") {
    const std::string member = "VN/GOV/" + std::string(60, '1');
    const Status status =
        CertificateRequest::Create(testing::NewKey(), {{"CN", member}}, {}).status();
    CHECK(status.reason() == "pki.bad_template");
    CHECK(status.message().starts_with("invalid subject attribute CN='" + member + "'"));
    CHECK(status.message().ends_with("string too long"));
  }
  SECTION("a bad subjectAltName is refused when creating") {
    CHECK(CertificateRequest::Create(testing::NewKey(), {{"CN", "x"}}, {"email:a@b.vn"})
              .status()
              .reason() == "pki.bad_subject_alt_name");
  }
}

}  // namespace
}  // namespace truc::pki
