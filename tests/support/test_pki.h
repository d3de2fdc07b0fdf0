// Certificates made at test time, so that nothing committed can expire.
#pragma once

#include <string>

#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/pki/certificate_issuer.h"
#include "tests/fakes/fake_clock.h"

namespace truc::testing {

struct KeyAndCertificate {
  crypto::PrivateKey key;
  crypto::Certificate certificate;
};

// The validity window is one year centred on `around`; by default 2026-01-01, the FakeClock's
// start. Tests that hand certificates to tools reading the real clock (openssl) pass Now().
pki::CertificateTemplate LeafTemplate(std::string common_name, TimePoint around = kFakeClockStart);
pki::CertificateTemplate CaTemplate(std::string common_name, TimePoint around = kFakeClockStart);
// A leaf for a timestamp authority: critical extendedKeyUsage timeStamping.
pki::CertificateTemplate TsaTemplate(std::string common_name, TimePoint around = kFakeClockStart);
// A leaf for signing the global configuration (the config-signing profile): keyUsage
// digitalSignature alone, no extendedKeyUsage.
pki::CertificateTemplate ConfigSigningTemplate(std::string common_name,
                                               TimePoint around = kFakeClockStart);

// A self-signed root CA.
KeyAndCertificate MakeRootCa(std::string common_name, TimePoint around = kFakeClockStart);
// A certificate for a new P-256 key issued by `issuer` from `spec`.
KeyAndCertificate Issue(const KeyAndCertificate& issuer, const pki::CertificateTemplate& spec);

}  // namespace truc::testing
