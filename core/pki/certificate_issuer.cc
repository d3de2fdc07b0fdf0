#include "core/pki/certificate_issuer.h"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "core/crypto/openssl_util.h"
#include "core/pki/x509_util.h"

namespace truc::pki {
namespace {

using crypto::OpenSslError;

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  TRUC_ASSIGN_OR_RETURN(crypto::X509ExtensionPtr extension,
                        internal::MakeExtension(ctx, nid, value));
  if (X509_add_ext(cert, extension.get(), -1) != 1) {
    return OpenSslError(StatusCode::kInternal, "cannot add extension", "pki.internal");
  }
  return OkStatus();
}

StatusOr<crypto::Asn1IntegerPtr> RandomSerial() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return OpenSslError(StatusCode::kInternal, "no randomness for a serial", "pki.internal");
  }
  bytes[0] &= 0x7f;  // Positive, as RFC 5280 requires.
  bytes[0] |= 0x40;  // And never shorter than 16 bytes.
  crypto::BignumPtr bn(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  return crypto::Asn1IntegerPtr(BN_to_ASN1_INTEGER(bn.get(), nullptr));
}

}  // namespace

StatusOr<crypto::Certificate> IssueCertificate(const CertificateTemplate& spec,
                                               const crypto::PublicKey& subject_key,
                                               const crypto::Certificate* issuer,
                                               const crypto::PrivateKey& issuer_key) {
  if (spec.not_after <= spec.not_before) {
    return InvalidArgumentError("not_after must be later than not_before", "pki.bad_template");
  }
  if (issuer != nullptr) {
    if (!issuer->IsCa()) {
      return FailedPreconditionError(
          fmt::format("issuer '{}' is not a CA certificate", issuer->subject()), "pki.not_a_ca");
    }
    if (issuer->public_key().key_id() != issuer_key.key_id()) {
      return FailedPreconditionError(
          fmt::format("the signing key does not belong to issuer '{}'", issuer->subject()),
          "pki.issuer_key_mismatch");
    }
  } else if (subject_key.key_id() != issuer_key.key_id()) {
    return FailedPreconditionError("a self-signed certificate must be signed by its own key",
                                   "pki.issuer_key_mismatch");
  }

  crypto::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  TRUC_ASSIGN_OR_RETURN(crypto::Asn1IntegerPtr serial, RandomSerial());
  X509_set_serialNumber(cert.get(), serial.get());
  TRUC_ASSIGN_OR_RETURN(crypto::X509NamePtr subject, internal::BuildName(spec.subject));
  X509_set_subject_name(cert.get(), subject.get());
  X509_set_issuer_name(cert.get(), issuer != nullptr
                                       ? X509_get_subject_name(issuer->native_handle())
                                       : subject.get());
  X509_set1_notBefore(cert.get(), crypto::ToAsn1Time(spec.not_before).get());
  X509_set1_notAfter(cert.get(), crypto::ToAsn1Time(spec.not_after).get());
  X509_set_pubkey(cert.get(), subject_key.native_handle());

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer->native_handle() : cert.get(), cert.get(),
                 nullptr, nullptr, 0);
  std::string basic_constraints = spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE";
  if (spec.is_ca && spec.path_length >= 0) {
    basic_constraints += fmt::format(",pathlen:{}", spec.path_length);
  }
  TRUC_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints, basic_constraints));
  if (!spec.key_usage.empty()) {
    TRUC_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage, spec.key_usage));
  }
  if (!spec.extended_key_usage.empty()) {
    TRUC_RETURN_IF_ERROR(
        AddExtension(cert.get(), &ctx, NID_ext_key_usage, spec.extended_key_usage));
  }
  if (!spec.subject_alt_names.empty()) {
    std::string sans;
    for (const std::string& san : spec.subject_alt_names) {
      sans += (sans.empty() ? "" : ",") + san;
    }
    TRUC_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_alt_name, sans));
  }
  if (!spec.certificate_policies.empty()) {
    std::string policies;
    for (const std::string& oid : spec.certificate_policies) {
      policies += (policies.empty() ? "" : ",") + oid;
    }
    TRUC_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_certificate_policies, policies));
  }
  TRUC_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  if (issuer != nullptr) {
    TRUC_RETURN_IF_ERROR(
        AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  }

  if (X509_sign(cert.get(), issuer_key.native_handle(),
                internal::SignatureDigest(issuer_key.public_key())) <= 0) {
    return OpenSslError(StatusCode::kInternal, "cannot sign the certificate", "pki.internal");
  }
  return crypto::Certificate::FromNative(std::move(cert));
}

}  // namespace truc::pki
