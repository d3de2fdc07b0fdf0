#include "tests/support/test_pki.h"

#include <cstdio>
#include <cstdlib>

namespace truc::testing {
namespace {

constexpr TimePoint kStart = TimePoint(std::chrono::seconds(1767225600));  // 2026-01-01

template <typename T>
T ValueOrDie(StatusOr<T> value) {
  if (!value.ok()) {
    std::fprintf(stderr, "test PKI: %s\n", value.status().ToString().c_str());
    std::abort();
  }
  return *std::move(value);
}

}  // namespace

pki::CertificateTemplate LeafTemplate(std::string common_name) {
  pki::CertificateTemplate spec;
  spec.subject = {{"C", "VN"}, {"O", "Trục test"}, {"CN", std::move(common_name)}};
  spec.not_before = kStart - std::chrono::hours(24 * 180);
  spec.not_after = kStart + std::chrono::hours(24 * 180);
  spec.key_usage = "critical,digitalSignature,nonRepudiation";
  return spec;
}

pki::CertificateTemplate CaTemplate(std::string common_name) {
  pki::CertificateTemplate spec = LeafTemplate(std::move(common_name));
  spec.is_ca = true;
  spec.key_usage = "critical,keyCertSign,cRLSign";
  return spec;
}

KeyAndCertificate MakeRootCa(std::string common_name) {
  crypto::PrivateKey key = ValueOrDie(crypto::PrivateKey::Generate(crypto::KeyType::kEcP256));
  crypto::Certificate cert = ValueOrDie(
      pki::IssueCertificate(CaTemplate(std::move(common_name)), key.public_key(), nullptr, key));
  return {std::move(key), std::move(cert)};
}

KeyAndCertificate Issue(const KeyAndCertificate& issuer, const pki::CertificateTemplate& spec) {
  crypto::PrivateKey key = ValueOrDie(crypto::PrivateKey::Generate(crypto::KeyType::kEcP256));
  crypto::Certificate cert = ValueOrDie(
      pki::IssueCertificate(spec, key.public_key(), &issuer.certificate, issuer.key));
  return {std::move(key), std::move(cert)};
}

}  // namespace truc::testing
