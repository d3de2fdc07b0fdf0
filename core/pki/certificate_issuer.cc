#include "core/pki/certificate_issuer.h"

#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

#include "core/crypto/openssl_util.h"

namespace truc::pki {
namespace {

using crypto::OpenSslError;

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  crypto::X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext) {
    return OpenSslError(StatusCode::kInvalidArgument,
                        fmt::format("invalid {} extension '{}'", OBJ_nid2sn(nid), value),
                        "pki.bad_template");
  }
  if (X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslError(StatusCode::kInternal, "cannot add extension", "pki.internal");
  }
  return OkStatus();
}

StatusOr<crypto::X509NamePtr> BuildName(
    const std::vector<std::pair<std::string, std::string>>& attributes) {
  if (attributes.empty()) return InvalidArgumentError("empty subject", "pki.bad_template");
  crypto::X509NamePtr name(X509_NAME_new());
  for (const auto& [field, value] : attributes) {
    if (X509_NAME_add_entry_by_txt(name.get(), field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1) {
      return OpenSslError(StatusCode::kInvalidArgument,
                          fmt::format("invalid subject attribute {}='{}'", field, value),
                          "pki.bad_template");
    }
  }
  return name;
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
  TRUC_ASSIGN_OR_RETURN(crypto::X509NamePtr subject, BuildName(spec.subject));
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

  const EVP_MD* md = issuer_key.public_key().type() == crypto::KeyType::kEd25519
                         ? nullptr
                         : EVP_sha256();
  if (X509_sign(cert.get(), issuer_key.native_handle(), md) <= 0) {
    return OpenSslError(StatusCode::kInternal, "cannot sign the certificate", "pki.internal");
  }
  return crypto::Certificate::FromNative(std::move(cert));
}

}  // namespace truc::pki
