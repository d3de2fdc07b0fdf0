#include "core/pki/certificate_profiles.h"

#include <catch2/catch.hpp>

#include "core/pki/certificate_authority.h"
#include "tests/core/pki/federation_ca.h"

namespace truc::pki {
namespace {

using testing::kIssuedAt;

constexpr Profile kAllProfiles[] = {
    Profile::kRootCa,     Profile::kIntermediateCa,       Profile::kTimestampAuthority,
    Profile::kGatewayTls, Profile::kConfigurationSigning, Profile::kMemberSigning};

DistinguishedName Subject(Profile profile, std::string_view holder,
                          std::string_view organization = "") {
  return SubjectForProfile(profile, holder, organization).value();
}

TEST_CASE("Profile names round-trip and unknown names are refused", "[pki]") {
  for (Profile profile : kAllProfiles) {
    CHECK(ParseProfile(ProfileName(profile)).value() == profile);
  }
  const Status status = ParseProfile("signing").status();
  CHECK(status.reason() == "pki.unknown_profile");
  CHECK(status.message() ==
        "unknown certificate profile 'signing'; the profiles are root-ca, intermediate-ca, tsa, "
        "config-signing, gateway-tls, member-signing");
}

TEST_CASE("Each profile issues the extensions it documents", "[pki]") {
  const testing::FederationCa ca = testing::MakeFederationCa();
  const DistinguishedName member =
      Subject(Profile::kMemberSigning, "VN/GOV/000100", "Population database");

  struct Expected {
    Profile profile;
    crypto::Certificate certificate;
    CertificateUsage usage;
  };
  const std::vector<Expected> cases = {
      {Profile::kRootCa, ca.root, {true, -1, true, {"keyCertSign", "cRLSign"}, true, {}, false}},
      {Profile::kIntermediateCa,
       ca.intermediate,
       {true, 0, false, {"keyCertSign", "cRLSign"}, true, {}, false}},
      {Profile::kTimestampAuthority,
       testing::IssueLeaf(ca, Profile::kTimestampAuthority, member),
       {false, -1, false, {"digitalSignature", "nonRepudiation"}, true, {"timeStamping"}, true}},
      {Profile::kConfigurationSigning,
       testing::IssueLeaf(ca, Profile::kConfigurationSigning, member),
       {false, -1, false, {"digitalSignature"}, true, {}, false}},
      {Profile::kGatewayTls,
       testing::IssueLeaf(ca, Profile::kGatewayTls,
                          Subject(Profile::kGatewayTls, "VN/GOV/000100/gw1"),
                          {"DNS:localhost", "IP:127.0.0.1"}),
       {false, -1, false, {"digitalSignature"}, true, {"serverAuth", "clientAuth"}, false}},
      {Profile::kMemberSigning,
       testing::IssueLeaf(ca, Profile::kMemberSigning, member),
       {false, -1, false, {"digitalSignature", "nonRepudiation"}, true, {}, false}},
  };
  for (const Expected& expected : cases) {
    INFO("profile " << ProfileName(expected.profile));
    const CertificateUsage usage = ReadUsage(expected.certificate);
    CHECK(usage.is_ca == expected.usage.is_ca);
    CHECK(usage.path_length == expected.usage.path_length);
    CHECK(usage.self_signed == expected.usage.self_signed);
    CHECK(usage.key_usage == expected.usage.key_usage);
    CHECK(usage.key_usage_critical == expected.usage.key_usage_critical);
    CHECK(usage.extended_key_usage == expected.usage.extended_key_usage);
    CHECK(usage.extended_key_usage_critical == expected.usage.extended_key_usage_critical);
    CHECK(GuessProfile(expected.certificate) == expected.profile);
    CHECK(expected.certificate.not_before() == kIssuedAt - kClockSkewAllowance);
    CHECK(expected.certificate.not_after() == kIssuedAt + DefaultValidity(expected.profile));
  }
}

TEST_CASE("Default validities follow the profile and can be overridden", "[pki]") {
  using std::chrono::days;
  CHECK(DefaultValidity(Profile::kRootCa) == days(7305));
  CHECK(DefaultValidity(Profile::kIntermediateCa) == days(3653));
  CHECK(DefaultValidity(Profile::kTimestampAuthority) == days(1826));
  CHECK(DefaultValidity(Profile::kMemberSigning) == days(730));

  const DistinguishedName subject = Subject(Profile::kMemberSigning, "VN/GOV/000100");
  SECTION("override") {
    const CertificateTemplate spec =
        ProfileTemplate(Profile::kMemberSigning, subject, {.now = kIssuedAt, .validity = days(30)})
            .value();
    CHECK(spec.not_after == kIssuedAt + days(30));
  }
  SECTION("a validity that is not positive") {
    const Status status =
        ProfileTemplate(Profile::kMemberSigning, subject, {.now = kIssuedAt, .validity = days(0)})
            .status();
    CHECK(status.reason() == "pki.bad_validity");
  }
}

TEST_CASE("Subjects must carry what the profile needs", "[pki]") {
  SECTION("member-signing needs a member identifier in the CN") {
    const Status status =
        CheckSubject(Profile::kMemberSigning, {{"O", "Bộ Công an"}, {"CN", "Population database"}});
    CHECK(status.reason() == "pki.subject_mismatch");
    CHECK(status.message() ==
          "profile member-signing needs a member identifier INSTANCE/CLASS/CODE in the subject "
          "CN: invalid member id 'Population database': expected the form INSTANCE/CLASS/CODE, "
          "got 1 parts");
  }
  SECTION("no CN at all") {
    CHECK(CheckSubject(Profile::kTimestampAuthority, {{"O", "TSA"}}).message() ==
          "profile tsa needs a member identifier INSTANCE/CLASS/CODE in the subject CN: the "
          "subject has no CN");
  }
  SECTION("two CNs are ambiguous") {
    CHECK(CheckSubject(Profile::kMemberSigning, {{"CN", "VN/GOV/000100"}, {"CN", "VN/GOV/2"}})
              .reason() == "pki.subject_mismatch");
  }
  SECTION("gateway-tls needs a server identifier") {
    CHECK_FALSE(
        CheckSubject(Profile::kGatewayTls, Subject(Profile::kMemberSigning, "VN/GOV/000100")).ok());
    CHECK(CheckSubject(Profile::kGatewayTls, Subject(Profile::kGatewayTls, "VN/GOV/000100/gw1"))
              .ok());
  }
  SECTION("a CA needs only a name") {
    CHECK(CheckSubject(Profile::kRootCa, {{"CN", "Trục Root CA"}}).ok());
    CHECK_FALSE(CheckSubject(Profile::kIntermediateCa, {{"CN", ""}}).ok());
  }
  SECTION("subjects built for a profile put the holder in the CN") {
    CHECK(SubjectForProfile(Profile::kMemberSigning, "VN/COM/0101%2F2025", "Công ty A").value() ==
          DistinguishedName{{"O", "Công ty A"}, {"CN", "VN/COM/0101%2F2025"}});
    CHECK(SubjectForProfile(Profile::kGatewayTls, "VN/GOV/000100/gw1", "").value() ==
          DistinguishedName{{"CN", "VN/GOV/000100/gw1"}});
    CHECK(SubjectForProfile(Profile::kGatewayTls, "VN/GOV/000100", "").status().reason() ==
          "pki.subject_mismatch");
  }
}

TEST_CASE("Only gateway TLS certificates carry subjectAltNames", "[pki]") {
  const DistinguishedName gateway = Subject(Profile::kGatewayTls, "VN/GOV/000100/gw1");
  auto names_status = [&](Profile profile, const DistinguishedName& subject,
                          std::vector<std::string> names) {
    return ProfileTemplate(profile, subject,
                           {.now = kIssuedAt, .subject_alt_names = std::move(names)})
        .status();
  };
  CHECK(names_status(Profile::kGatewayTls, gateway, {}).message() ==
        "profile gateway-tls needs at least one subjectAltName (DNS name or IP address) for TLS "
        "peers to check");
  CHECK(names_status(Profile::kMemberSigning, Subject(Profile::kMemberSigning, "VN/GOV/000100"),
                     {"DNS:localhost"})
            .message() ==
        "profile member-signing takes no subjectAltNames (got DNS:localhost); only gateway-tls "
        "does");
  CHECK(names_status(Profile::kGatewayTls, gateway, {"DNS:bad_name"}).message() ==
        "subjectAltName 'DNS:bad_name' is not a valid DNS host name");
  CHECK(names_status(Profile::kGatewayTls, gateway, {"IP:300.1.1.1"}).reason() ==
        "pki.bad_subject_alt_name");
  CHECK(names_status(Profile::kGatewayTls, gateway, {"URI:https://gw1"}).reason() ==
        "pki.bad_subject_alt_name");
  CHECK(names_status(Profile::kGatewayTls, gateway, {"DNS:gw1.example.vn", "IP:::1"}).ok());
}

TEST_CASE("The member of a signing certificate reads back from its subject", "[pki]") {
  const testing::FederationCa ca = testing::MakeFederationCa();
  const ids::MemberId member = ids::MemberId::Parse("VN/COM/0101%2F2025").value();

  SECTION("member-signing") {
    const crypto::Certificate certificate =
        testing::IssueLeaf(ca, Profile::kMemberSigning,
                           Subject(Profile::kMemberSigning, member.ToString(), "Công ty A"));
    CHECK(MemberIdFromSigningCertificate(certificate).value() == member);
  }
  SECTION("a timestamping certificate does not identify a signing member") {
    const crypto::Certificate certificate = testing::IssueLeaf(
        ca, Profile::kTimestampAuthority, Subject(Profile::kTimestampAuthority, member.ToString()));
    const Status status = MemberIdFromSigningCertificate(certificate).status();
    CHECK(status.reason() == "pki.wrong_profile");
    CHECK(status.message() ==
          "certificate 'CN=VN/COM/0101%2F2025' is not a member signing certificate: its "
          "extensions are those of a tsa certificate");
  }
  SECTION("nor does a CA certificate") {
    CHECK(MemberIdFromSigningCertificate(ca.intermediate).status().reason() == "pki.wrong_profile");
  }
}

}  // namespace
}  // namespace truc::pki
