#include "core/pki/certificate_profiles.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <openssl/x509v3.h>

#include "core/base/strings.h"
#include "core/crypto/openssl_util.h"
#include "core/pki/x509_util.h"

namespace truc::pki {
namespace {

using std::chrono::days;

// What the subject CN of a profile's certificates holds.
enum class SubjectKind { kName, kMemberId, kServerId };

struct ProfileSpec {
  Profile profile;
  std::string_view name;
  days validity;
  bool is_ca;
  int path_length;
  std::string_view key_usage;
  std::string_view extended_key_usage;
  SubjectKind subject_kind;
  bool takes_subject_alt_names;
};

// The profiles of certificate_profiles.h, indexed by Profile.
constexpr std::array<ProfileSpec, 6> kProfiles = {{
    {Profile::kRootCa, "root-ca", days(7305), true, -1, "critical,keyCertSign,cRLSign", "",
     SubjectKind::kName, false},
    {Profile::kIntermediateCa, "intermediate-ca", days(3653), true, 0,
     "critical,keyCertSign,cRLSign", "", SubjectKind::kName, false},
    {Profile::kTimestampAuthority, "tsa", days(1826), false, -1,
     "critical,digitalSignature,nonRepudiation", "critical,timeStamping", SubjectKind::kMemberId,
     false},
    {Profile::kConfigurationSigning, "config-signing", days(730), false, -1,
     "critical,digitalSignature", "", SubjectKind::kMemberId, false},
    {Profile::kGatewayTls, "gateway-tls", days(730), false, -1, "critical,digitalSignature",
     "serverAuth,clientAuth", SubjectKind::kServerId, true},
    {Profile::kMemberSigning, "member-signing", days(730), false, -1,
     "critical,digitalSignature,nonRepudiation", "", SubjectKind::kMemberId, false},
}};

static_assert(
    [] {
      for (size_t i = 0; i < kProfiles.size(); ++i) {
        if (static_cast<size_t>(kProfiles[i].profile) != i) return false;
      }
      return true;
    }(),
    "kProfiles must be indexed by Profile");

const ProfileSpec& SpecOf(Profile profile) { return kProfiles[static_cast<size_t>(profile)]; }

std::string_view DescribeSubjectKind(SubjectKind kind) {
  switch (kind) {
    case SubjectKind::kName:
      return "a name";
    case SubjectKind::kMemberId:
      return "a member identifier INSTANCE/CLASS/CODE";
    case SubjectKind::kServerId:
      return "a server identifier INSTANCE/CLASS/CODE/SERVER";
  }
  return "a name";
}

Status SubjectMismatch(Profile profile, std::string_view problem) {
  const ProfileSpec& spec = SpecOf(profile);
  return InvalidArgumentError(fmt::format("profile {} needs {} in the subject CN: {}", spec.name,
                                          DescribeSubjectKind(spec.subject_kind), problem),
                              "pki.subject_mismatch");
}

// Checks that `cn` holds what `profile` puts there.
Status CheckCommonName(Profile profile, std::string_view cn) {
  if (cn.empty()) return SubjectMismatch(profile, "the CN is empty");
  Status parsed;
  switch (SpecOf(profile).subject_kind) {
    case SubjectKind::kName:
      break;
    case SubjectKind::kMemberId:
      parsed = ids::MemberId::Parse(cn).status();
      break;
    case SubjectKind::kServerId:
      parsed = ids::ServerId::Parse(cn).status();
      break;
  }
  if (!parsed.ok()) return SubjectMismatch(profile, parsed.message());
  return OkStatus();
}

// The usage names of OpenSSL extension text, without "critical", sorted.
std::vector<std::string> UsageNames(std::string_view text) {
  std::vector<std::string> names;
  if (text.empty()) return names;
  for (std::string_view name : SplitString(text, ',')) {
    if (name != "critical") names.emplace_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

bool Matches(const ProfileSpec& spec, const CertificateUsage& usage) {
  return usage.is_ca == spec.is_ca && usage.path_length == spec.path_length &&
         usage.self_signed == (spec.profile == Profile::kRootCa) &&
         Sorted(usage.key_usage) == UsageNames(spec.key_usage) &&
         Sorted(usage.extended_key_usage) == UsageNames(spec.extended_key_usage);
}

// keyUsage bits and their names in OpenSSL's configuration syntax, in RFC 5280 order.
constexpr std::array<std::pair<uint32_t, std::string_view>, 9> kKeyUsageBits = {{
    {KU_DIGITAL_SIGNATURE, "digitalSignature"},
    {KU_NON_REPUDIATION, "nonRepudiation"},
    {KU_KEY_ENCIPHERMENT, "keyEncipherment"},
    {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
    {KU_KEY_AGREEMENT, "keyAgreement"},
    {KU_KEY_CERT_SIGN, "keyCertSign"},
    {KU_CRL_SIGN, "cRLSign"},
    {KU_ENCIPHER_ONLY, "encipherOnly"},
    {KU_DECIPHER_ONLY, "decipherOnly"},
}};

bool IsCritical(X509* cert, int nid) {
  const int index = X509_get_ext_by_NID(cert, nid, -1);
  return index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, index)) == 1;
}

using ExtendedKeyUsagePtr = crypto::OpenSslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;

std::vector<std::string> ExtendedKeyUsageNames(X509* cert) {
  std::vector<std::string> names;
  ExtendedKeyUsagePtr usages(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr)));
  if (!usages) return names;
  for (int i = 0; i < sk_ASN1_OBJECT_num(usages.get()); ++i) {
    const ASN1_OBJECT* usage = sk_ASN1_OBJECT_value(usages.get(), i);
    if (const int nid = OBJ_obj2nid(usage); nid != NID_undef) {
      names.emplace_back(OBJ_nid2sn(nid));
    } else {
      char oid[80];
      OBJ_obj2txt(oid, sizeof(oid), usage, 1);
      names.emplace_back(oid);
    }
  }
  return names;
}

}  // namespace

std::string_view ProfileName(Profile profile) { return SpecOf(profile).name; }

StatusOr<Profile> ParseProfile(std::string_view name) {
  std::vector<std::string_view> names;
  for (const ProfileSpec& spec : kProfiles) {
    if (spec.name == name) return spec.profile;
    names.push_back(spec.name);
  }
  return InvalidArgumentError(fmt::format("unknown certificate profile '{}'; the profiles are {}",
                                          name, fmt::join(names, ", ")),
                              "pki.unknown_profile");
}

std::chrono::days DefaultValidity(Profile profile) { return SpecOf(profile).validity; }

Status CheckSubject(Profile profile, const DistinguishedName& subject) {
  const std::string* cn = nullptr;
  for (const auto& [field, value] : subject) {
    if (field != "CN") continue;
    if (cn != nullptr) return SubjectMismatch(profile, "the subject has more than one CN");
    cn = &value;
  }
  if (cn == nullptr) return SubjectMismatch(profile, "the subject has no CN");
  return CheckCommonName(profile, *cn);
}

StatusOr<DistinguishedName> SubjectForProfile(Profile profile, std::string_view holder,
                                              std::string_view organization) {
  DistinguishedName subject;
  if (!organization.empty()) subject.emplace_back("O", organization);
  subject.emplace_back("CN", holder);
  TRUC_RETURN_IF_ERROR(CheckSubject(profile, subject));
  return subject;
}

StatusOr<CertificateTemplate> ProfileTemplate(Profile profile, DistinguishedName subject,
                                              const ProfileOptions& options) {
  const ProfileSpec& profile_spec = SpecOf(profile);
  TRUC_RETURN_IF_ERROR(CheckSubject(profile, subject));
  const days validity = options.validity.value_or(profile_spec.validity);
  if (validity <= days(0)) {
    return InvalidArgumentError(
        fmt::format("a certificate must be valid for at least one day, not {}", validity.count()),
        "pki.bad_validity");
  }
  if (profile_spec.takes_subject_alt_names && options.subject_alt_names.empty()) {
    return InvalidArgumentError(
        fmt::format("profile {} needs at least one subjectAltName (DNS name or IP address) for "
                    "TLS peers to check",
                    profile_spec.name),
        "pki.subject_alt_names");
  }
  if (!profile_spec.takes_subject_alt_names && !options.subject_alt_names.empty()) {
    return InvalidArgumentError(
        fmt::format("profile {} takes no subjectAltNames (got {}); only gateway-tls does",
                    profile_spec.name, fmt::join(options.subject_alt_names, ", ")),
        "pki.subject_alt_names");
  }
  for (const std::string& name : options.subject_alt_names) {
    TRUC_RETURN_IF_ERROR(internal::CheckSubjectAltName(name));
  }

  CertificateTemplate spec;
  spec.subject = std::move(subject);
  spec.not_before = options.now - kClockSkewAllowance;
  spec.not_after = options.now + validity;
  spec.is_ca = profile_spec.is_ca;
  spec.path_length = profile_spec.path_length;
  spec.key_usage = profile_spec.key_usage;
  spec.extended_key_usage = profile_spec.extended_key_usage;
  spec.subject_alt_names = options.subject_alt_names;
  return spec;
}

CertificateUsage ReadUsage(const crypto::Certificate& certificate) {
  X509* cert = certificate.native_handle();
  CertificateUsage usage;
  const uint32_t flags = X509_get_extension_flags(cert);
  usage.is_ca = (flags & EXFLAG_CA) != 0;
  usage.path_length = usage.is_ca ? static_cast<int>(X509_get_pathlen(cert)) : -1;
  usage.self_signed = X509_self_signed(cert, /*verify_signature=*/1) == 1;
  crypto::ClearOpenSslErrors();  // A signature that does not verify just means "not self-signed".
  if ((flags & EXFLAG_KUSAGE) != 0) {
    const uint32_t bits = X509_get_key_usage(cert);
    for (const auto& [bit, name] : kKeyUsageBits) {
      if ((bits & bit) != 0) usage.key_usage.emplace_back(name);
    }
  }
  usage.key_usage_critical = IsCritical(cert, NID_key_usage);
  usage.extended_key_usage = ExtendedKeyUsageNames(cert);
  usage.extended_key_usage_critical = IsCritical(cert, NID_ext_key_usage);
  return usage;
}

std::optional<Profile> GuessProfile(const crypto::Certificate& certificate) {
  const CertificateUsage usage = ReadUsage(certificate);
  for (const ProfileSpec& spec : kProfiles) {
    if (Matches(spec, usage)) return spec.profile;
  }
  return std::nullopt;
}

StatusOr<ids::MemberId> MemberIdFromSigningCertificate(const crypto::Certificate& certificate) {
  const std::optional<Profile> profile = GuessProfile(certificate);
  if (profile != Profile::kMemberSigning) {
    return InvalidArgumentError(
        fmt::format("certificate '{}' is not a member signing certificate: its extensions are "
                    "those of {}",
                    certificate.subject(),
                    profile ? fmt::format("a {} certificate", ProfileName(*profile))
                            : std::string("no federation profile")),
        "pki.wrong_profile");
  }
  StatusOr<ids::MemberId> member = ids::MemberId::Parse(certificate.SubjectAttribute("CN"));
  if (!member.ok()) {
    return SubjectMismatch(Profile::kMemberSigning, member.status().message())
        .Annotate(fmt::format("certificate '{}'", certificate.subject()));
  }
  return member;
}

}  // namespace truc::pki
