#include "core/pki/certificate_authority.h"

#include <fmt/format.h>

namespace truc::pki {

StatusOr<crypto::Certificate> IssueRootCertificate(const DistinguishedName& subject,
                                                   const crypto::PrivateKey& key,
                                                   const ProfileOptions& options) {
  TRUC_ASSIGN_OR_RETURN(CertificateTemplate spec,
                        ProfileTemplate(Profile::kRootCa, subject, options));
  return IssueCertificate(spec, key.public_key(), nullptr, key);
}

StatusOr<crypto::Certificate> IssueWithProfile(Profile profile, const DistinguishedName& subject,
                                               const crypto::PublicKey& subject_key,
                                               const ProfileOptions& options,
                                               const crypto::Certificate& issuer,
                                               const crypto::PrivateKey& issuer_key) {
  if (profile == Profile::kRootCa) {
    return InvalidArgumentError("a root CA certificate is self-signed, not issued by a CA",
                                "pki.wrong_profile");
  }
  TRUC_ASSIGN_OR_RETURN(CertificateTemplate spec, ProfileTemplate(profile, subject, options));
  if (profile == Profile::kIntermediateCa && ReadUsage(issuer).path_length == 0) {
    return FailedPreconditionError(
        fmt::format("issuer '{}' may not issue CA certificates (its pathlen is 0)",
                    issuer.subject()),
        "pki.path_length");
  }
  if (spec.not_after > issuer.not_after()) {
    return FailedPreconditionError(
        fmt::format("the certificate would be valid until {}, after its issuer '{}' expires at "
                    "{}; choose a shorter validity",
                    FormatRfc3339(spec.not_after), issuer.subject(),
                    FormatRfc3339(issuer.not_after())),
        "pki.outlives_issuer");
  }
  return IssueCertificate(spec, subject_key, &issuer, issuer_key);
}

StatusOr<crypto::Certificate> IssueFromRequest(const CertificateRequest& request, Profile profile,
                                               const ProfileOptions& options,
                                               const crypto::Certificate& issuer,
                                               const crypto::PrivateKey& issuer_key) {
  ProfileOptions with_names = options;
  if (with_names.subject_alt_names.empty()) {
    with_names.subject_alt_names = request.subject_alt_names();
  }
  StatusOr<crypto::Certificate> certificate = IssueWithProfile(
      profile, request.subject(), request.public_key(), with_names, issuer, issuer_key);
  if (!certificate.ok()) {
    return certificate.status().Annotate(fmt::format("request for '{}'", request.subject_text()));
  }
  return certificate;
}

}  // namespace truc::pki
