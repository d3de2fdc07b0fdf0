// Issuing X.509 v3 certificates: the primitive under the federation's CA tooling.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"

namespace truc::pki {

// A distinguished name as (attribute short name, UTF-8 value) pairs, most significant first, e.g.
// {{"C", "VN"}, {"O", "Bộ Công an"}, {"CN", "VN/GOV/000100"}}. Attributes OpenSSL has no short
// name for appear as dotted OIDs ("2.5.4.97").
using DistinguishedName = std::vector<std::pair<std::string, std::string>>;

// What goes into a certificate besides its key. Extension values use OpenSSL's configuration
// syntax (the same text `openssl x509 -extfile` takes), e.g. key_usage
// "critical,digitalSignature,nonRepudiation" or extended_key_usage "critical,timeStamping".
struct CertificateTemplate {
  DistinguishedName subject;
  TimePoint not_before;
  TimePoint not_after;
  bool is_ca = false;
  int path_length = -1;  // For CAs: the pathLenConstraint, or -1 for none.
  std::string key_usage;
  std::string extended_key_usage;                 // Empty: no extendedKeyUsage extension.
  std::vector<std::string> subject_alt_names;     // "DNS:gw1.example.vn", "IP:127.0.0.1".
  std::vector<std::string> certificate_policies;  // Policy OIDs; empty: no extension.
};

// Issues a certificate for `subject_key` with a random 127-bit serial, signed by `issuer_key`.
// `issuer` is the issuing CA's certificate, or nullptr for a self-signed root (then
// `issuer_key` must be the subject's own key). Adds subjectKeyIdentifier and, when an issuer is
// given, authorityKeyIdentifier. InvalidArgument for a malformed template (unknown attribute,
// bad extension text, not_after before not_before), FailedPrecondition if `issuer` is not a CA
// or `issuer_key` does not belong to it.
StatusOr<crypto::Certificate> IssueCertificate(const CertificateTemplate& spec,
                                               const crypto::PublicKey& subject_key,
                                               const crypto::Certificate* issuer,
                                               const crypto::PrivateKey& issuer_key);

}  // namespace truc::pki
