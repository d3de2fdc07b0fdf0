// Certificate signing requests (PKCS#10): how an agency asks the federation's CA for a
// certificate without the private key ever leaving the agency.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "core/crypto/keys.h"
#include "core/crypto/openssl_util.h"
#include "core/pki/certificate_issuer.h"

namespace truc::pki {

// A parsed request whose self-signature has been checked: holding one means that whoever made
// it held the private key of public_key(). Move-only; immutable, so thread-safe to read.
class CertificateRequest {
 public:
  // Makes a request for `key` with `subject` and the requested `subject_alt_names` ("DNS:host",
  // "IP:address"), signed with `key`. InvalidArgument for a subject OpenSSL refuses
  // ("pki.bad_template") or a malformed subjectAltName ("pki.bad_subject_alt_name"). Does not
  // check the subject against a profile: see CheckSubject.
  static StatusOr<CertificateRequest> Create(const crypto::PrivateKey& key,
                                             const DistinguishedName& subject,
                                             const std::vector<std::string>& subject_alt_names);
  // The same for a key held elsewhere (an HSM): `key` is its public key, `signer` signs with
  // it (ecdsa-with-SHA256; EC P-256 keys only, else InvalidArgument).
  static StatusOr<CertificateRequest> Create(const crypto::PublicKey& key,
                                             const crypto::Signer& signer,
                                             const DistinguishedName& subject,
                                             const std::vector<std::string>& subject_alt_names);

  // Parses exactly one PEM "CERTIFICATE REQUEST" block and checks its signature against the
  // public key it carries. InvalidArgument ("pki.malformed_csr") when it is not such a block, its
  // key is unsupported, or it requests a subjectAltName other than a DNS name or an IP address;
  // Unauthenticated ("pki.csr_bad_signature") when the signature does not verify, i.e. the
  // request was altered or not signed by the key it names.
  static StatusOr<CertificateRequest> FromPem(std::string_view pem);
  // FromPem on the contents of the file at `path`; errors name the path.
  static StatusOr<CertificateRequest> LoadPemFile(const std::string& path);

  std::string ToPem() const;

  const DistinguishedName& subject() const { return subject_; }
  // The subject in RFC 2253 form, for messages: "CN=VN/GOV/000100,O=Population database".
  std::string subject_text() const;
  // The requested subjectAltNames, "DNS:host" or "IP:address", in request order.
  const std::vector<std::string>& subject_alt_names() const { return subject_alt_names_; }
  const crypto::PublicKey& public_key() const { return public_key_; }

 private:
  CertificateRequest(crypto::X509ReqPtr request, crypto::PublicKey public_key,
                     DistinguishedName subject, std::vector<std::string> subject_alt_names)
      : request_(std::move(request)),
        public_key_(std::move(public_key)),
        subject_(std::move(subject)),
        subject_alt_names_(std::move(subject_alt_names)) {}

  // Checks the signature and reads the fields of a freshly parsed or built request.
  static StatusOr<CertificateRequest> FromNative(crypto::X509ReqPtr request);

  crypto::X509ReqPtr request_;
  crypto::PublicKey public_key_;
  DistinguishedName subject_;
  std::vector<std::string> subject_alt_names_;
};

}  // namespace truc::pki
