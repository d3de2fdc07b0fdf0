// Issuing the federation's certificates by profile: the CA operations behind `truc pki`.
//
// The CA decides every extension from the profile (see certificate_profiles.h); from a request
// it takes only the subject, the public key and, for gateway-tls, the requested subjectAltNames.
// Functions here keep no state and are thread-safe; the keys they are given are only borrowed
// for the call.
#pragma once

#include "core/base/status.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/pki/certificate_issuer.h"
#include "core/pki/certificate_profiles.h"
#include "core/pki/certificate_request.h"

namespace truc::pki {

// A self-signed root CA certificate (profile root-ca) for `key`. Errors as ProfileTemplate.
StatusOr<crypto::Certificate> IssueRootCertificate(const DistinguishedName& subject,
                                                   const crypto::PrivateKey& key,
                                                   const ProfileOptions& options);

// A certificate of `profile` for `subject_key`, issued by the CA `issuer` with its key
// `issuer_key`. Errors:
//   - InvalidArgument as ProfileTemplate, and ("pki.wrong_profile") for root-ca, which is only
//     ever self-signed;
//   - FailedPrecondition when `issuer` is not a CA or `issuer_key` is not its key (as
//     IssueCertificate), when `issuer` may not issue CA certificates and `profile` is
//     intermediate-ca ("pki.path_length"), or when the certificate would outlive its issuer
//     ("pki.outlives_issuer": choose a shorter validity).
StatusOr<crypto::Certificate> IssueWithProfile(Profile profile, const DistinguishedName& subject,
                                               const crypto::PublicKey& subject_key,
                                               const ProfileOptions& options,
                                               const crypto::Certificate& issuer,
                                               const crypto::PrivateKey& issuer_key);

// IssueWithProfile for the subject and key of `request`. The subjectAltNames are
// options.subject_alt_names when the operator gave any, otherwise those the request asks for.
// Errors as IssueWithProfile; a subject that lacks what the profile needs (say, a member
// identifier for member-signing) is InvalidArgument "pki.subject_mismatch".
StatusOr<crypto::Certificate> IssueFromRequest(const CertificateRequest& request, Profile profile,
                                               const ProfileOptions& options,
                                               const crypto::Certificate& issuer,
                                               const crypto::PrivateKey& issuer_key);

}  // namespace truc::pki
