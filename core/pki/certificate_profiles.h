// The federation's certificate profiles: what each kind of certificate contains, how to build the
// template for one, and how to recognise one.
//
// Extension values are OpenSSL configuration text, as fed to IssueCertificate. Every profile gets
// a critical basicConstraints, a subjectKeyIdentifier and (unless self-signed) an
// authorityKeyIdentifier from IssueCertificate; the rest is:
//
// clang-format off
//   profile          name              basicConstraints   keyUsage (critical)        extendedKeyUsage
//   root CA          root-ca           CA:TRUE            keyCertSign,cRLSign        -
//   intermediate CA  intermediate-ca   CA:TRUE,pathlen:0  keyCertSign,cRLSign        -
//   timestamping     tsa               CA:FALSE           digitalSignature,          critical,
//                                                         nonRepudiation             timeStamping
//   configuration    config-signing    CA:FALSE           digitalSignature           -
//   gateway TLS      gateway-tls       CA:FALSE           digitalSignature           serverAuth,
//                                                                                    clientAuth
//   member signing   member-signing    CA:FALSE           digitalSignature,          -
//                                                         nonRepudiation
// clang-format on
//
// Who holds the key and what the subject must say:
//   root-ca, intermediate-ca  the federation operator's CA. Subject: a CN naming the CA.
//   tsa                       the timestamping authority. Subject CN: the member identifier
//                             INSTANCE/CLASS/CODE of the organisation operating it.
//   config-signing            the registry, which signs the global configuration with it.
//                             Subject CN: the operator's member identifier.
//   gateway-tls               a member's gateway, for mutual TLS between gateways. Subject CN:
//                             the gateway's server identifier INSTANCE/CLASS/CODE/SERVER; the
//                             subjectAltNames (DNS names, IP addresses; at least one) are what
//                             TLS peers check.
//   member-signing            a member, to sign the messages it sends. Subject CN: the member
//                             identifier INSTANCE/CLASS/CODE.
//
// Identifiers go into the CN in their encoded form (ids::MemberId::ToString(): parts
// percent-encoded and joined by '/'), so that one attribute ties a certificate to one member
// unambiguously, whatever characters the parts hold; an optional O carries the organisation's
// name for people. The CN is a UTF8String of at most 64 characters (X.520's upper bound), which
// limits the identifiers a certificate can carry.
//
// Validity defaults: root CA 20 years, intermediate CA 10 years, timestamping 5 years, all others
// 2 years. Certificates start kClockSkewAllowance before the moment of issuance.
//
// Everything here is stateless and thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/crypto/certificate.h"
#include "core/ids/identifiers.h"
#include "core/pki/certificate_issuer.h"

namespace truc::pki {

enum class Profile {
  kRootCa,
  kIntermediateCa,
  kTimestampAuthority,
  kConfigurationSigning,
  kGatewayTls,
  kMemberSigning,
};

// How far a new certificate's notBefore lies before the moment of issuance, so that a peer whose
// clock is slightly behind still accepts a certificate issued a moment ago.
inline constexpr std::chrono::hours kClockSkewAllowance{1};

// "root-ca", "intermediate-ca", "tsa", "config-signing", "gateway-tls", "member-signing".
std::string_view ProfileName(Profile profile);
// The inverse of ProfileName. InvalidArgument ("pki.unknown_profile") listing the valid names.
StatusOr<Profile> ParseProfile(std::string_view name);

std::chrono::days DefaultValidity(Profile profile);

// Checks that `subject` carries what `profile` requires (see the table above): exactly one CN,
// holding a member identifier, a server identifier or, for CAs, any non-empty name.
// InvalidArgument ("pki.subject_mismatch") saying what is missing and which profile needs it.
Status CheckSubject(Profile profile, const DistinguishedName& subject);

// The subject of a `profile` certificate whose holder is `holder`: the encoded member or server
// identifier, or a CA's name, as the profile wants it (see the table above). The subject is
// O = `organization` (left out when empty), CN = `holder`. Errors as CheckSubject.
StatusOr<DistinguishedName> SubjectForProfile(Profile profile, std::string_view holder,
                                              std::string_view organization);

struct ProfileOptions {
  TimePoint now;  // The moment of issuance.
  // How long the certificate is valid from `now`; DefaultValidity(profile) when unset.
  std::optional<std::chrono::days> validity;
  // "DNS:host" / "IP:address" entries; required (at least one) for gateway-tls, refused for every
  // other profile.
  std::vector<std::string> subject_alt_names;
};

// The template for a certificate of `profile` with `subject`. InvalidArgument for a subject that
// fails CheckSubject ("pki.subject_mismatch"), a malformed subjectAltName
// ("pki.bad_subject_alt_name"), subjectAltNames missing or not allowed ("pki.subject_alt_names"),
// or a validity that is not positive ("pki.bad_validity").
StatusOr<CertificateTemplate> ProfileTemplate(Profile profile, DistinguishedName subject,
                                              const ProfileOptions& options);

// What a certificate says about its own use, read from its extensions.
struct CertificateUsage {
  bool is_ca = false;
  int path_length = -1;  // pathLenConstraint of a CA, -1 when there is none.
  bool self_signed = false;
  // Key usage bits in OpenSSL's configuration names ("digitalSignature", "keyCertSign"); empty
  // when the certificate has no keyUsage extension.
  std::vector<std::string> key_usage;
  bool key_usage_critical = false;
  // Extended key usages by short name ("serverAuth", "timeStamping") or dotted OID.
  std::vector<std::string> extended_key_usage;
  bool extended_key_usage_critical = false;
};

CertificateUsage ReadUsage(const crypto::Certificate& certificate);

// The profile whose extensions `certificate` has, or nullopt when it matches none. Looks at the
// extensions only, not at the subject.
std::optional<Profile> GuessProfile(const crypto::Certificate& certificate);

// The member a member-signing certificate belongs to, read back from its subject CN. Does not
// verify the certificate: check its chain with crypto::TrustStore first. InvalidArgument with
// reason "pki.wrong_profile" when the certificate is not a member-signing certificate (a gateway
// TLS or timestamping certificate does not identify a signer), "pki.subject_mismatch" when its CN
// is not a member identifier.
StatusOr<ids::MemberId> MemberIdFromSigningCertificate(const crypto::Certificate& certificate);

}  // namespace truc::pki
