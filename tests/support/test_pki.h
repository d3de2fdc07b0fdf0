// Certificates made at test time, so that nothing committed can expire.
#pragma once

#include <string>

#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/pki/certificate_issuer.h"

namespace truc::testing {

struct KeyAndCertificate {
  crypto::PrivateKey key;
  crypto::Certificate certificate;
};

// Validity window used by default: one year around 2026-01-01 (the FakeClock's start).
pki::CertificateTemplate LeafTemplate(std::string common_name);
pki::CertificateTemplate CaTemplate(std::string common_name);

// A self-signed root CA.
KeyAndCertificate MakeRootCa(std::string common_name);
// A certificate for a new P-256 key issued by `issuer` from `spec`.
KeyAndCertificate Issue(const KeyAndCertificate& issuer, const pki::CertificateTemplate& spec);

}  // namespace truc::testing
