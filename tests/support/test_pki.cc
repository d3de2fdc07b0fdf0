#include "tests/support/test_pki.h"

#include <cstdio>
#include <cstdlib>

namespace truc::testing {
namespace {

template <typename T>
T ValueOrDie(StatusOr<T> value) {
  if (!value.ok()) {
    std::fprintf(stderr, "test PKI: %s\n", value.status().ToString().c_str());
    std::abort();
  }
  return *std::move(value);
}

}  // namespace

pki::CertificateTemplate LeafTemplate(std::string common_name, TimePoint around) {
  pki::CertificateTemplate spec;
  spec.subject = {{"C", "VN"}, {"O", "Trục test"}, {"CN", std::move(common_name)}};
  spec.not_before = around - std::chrono::hours(24 * 180);
  spec.not_after = around + std::chrono::hours(24 * 180);
  spec.key_usage = "critical,digitalSignature,nonRepudiation";
  return spec;
}

pki::CertificateTemplate CaTemplate(std::string common_name, TimePoint around) {
  pki::CertificateTemplate spec = LeafTemplate(std::move(common_name), around);
  spec.is_ca = true;
  spec.key_usage = "critical,keyCertSign,cRLSign";
  return spec;
}

pki::CertificateTemplate TsaTemplate(std::string common_name, TimePoint around) {
  pki::CertificateTemplate spec = LeafTemplate(std::move(common_name), around);
  spec.extended_key_usage = "critical,timeStamping";
  return spec;
}

pki::CertificateTemplate ConfigSigningTemplate(std::string common_name, TimePoint around) {
  pki::CertificateTemplate spec = LeafTemplate(std::move(common_name), around);
  spec.key_usage = "critical,digitalSignature";
  return spec;
}

KeyAndCertificate MakeRootCa(std::string common_name, TimePoint around) {
  crypto::PrivateKey key = ValueOrDie(crypto::PrivateKey::Generate(crypto::KeyType::kEcP256));
  crypto::Certificate cert = ValueOrDie(pki::IssueCertificate(
      CaTemplate(std::move(common_name), around), key.public_key(), nullptr, key));
  return {std::move(key), std::move(cert)};
}

KeyAndCertificate Issue(const KeyAndCertificate& issuer, const pki::CertificateTemplate& spec) {
  crypto::PrivateKey key = ValueOrDie(crypto::PrivateKey::Generate(crypto::KeyType::kEcP256));
  crypto::Certificate cert =
      ValueOrDie(pki::IssueCertificate(spec, key.public_key(), &issuer.certificate, issuer.key));
  return {std::move(key), std::move(cert)};
}

}  // namespace truc::testing
