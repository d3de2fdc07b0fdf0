#include "core/globalconf/signed_configuration.h"

#include <catch2/catch.hpp>
#include <google/protobuf/util/message_differencer.h>

#include "tests/core/globalconf/test_federation.h"

namespace truc::globalconf {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::kFakeClockStart;

TEST_CASE("A signed configuration verifies and round-trips", "[globalconf]") {
  const TestFederation federation;
  const v1::GlobalConfiguration configuration = federation.Configuration(7);
  const std::string signed_bytes = federation.Sign(configuration);

  const VerifiedConfiguration verified =
      VerifyConfiguration(signed_bytes, federation.anchors, kFakeClockStart).value();
  CHECK(google::protobuf::util::MessageDifferencer::Equals(verified.configuration, configuration));
  CHECK(verified.info.version == 7);
  CHECK(verified.info.issued_at == kIssuedAt);
  CHECK(verified.info.expires_at == kIssuedAt + kValidity);
  CHECK(verified.signed_bytes == signed_bytes);

  // What is signed is the configuration exactly as serialized, with the signer's chain.
  v1::SignedGlobalConfiguration envelope;
  REQUIRE(envelope.ParseFromString(signed_bytes));
  CHECK(envelope.configuration() == configuration.SerializeAsString());
  CHECK(envelope.signature().key_id() == federation.config_signer.key.key_id());
  REQUIRE(envelope.signer_certificate_chain_size() == 1);
  CHECK(envelope.signer_certificate_chain(0) == federation.config_signer.certificate.ToDer());
}

TEST_CASE("One flipped byte anywhere in a signed configuration is refused", "[globalconf]") {
  const TestFederation federation;
  const std::string signed_bytes = federation.Sign(federation.Configuration(1));
  for (const unsigned char mask : {0x01, 0x80, 0xff}) {
    for (size_t i = 0; i < signed_bytes.size(); ++i) {
      std::string tampered = signed_bytes;
      tampered[i] = static_cast<char>(tampered[i] ^ mask);
      INFO("byte " << i << " of " << signed_bytes.size() << " xor " << int{mask});
      CHECK_FALSE(VerifyConfiguration(tampered, federation.anchors, kFakeClockStart).ok());
    }
  }
}

TEST_CASE("A configuration is refused outside its validity period", "[globalconf]") {
  const TestFederation federation;
  const std::string signed_bytes = federation.Sign(federation.Configuration(3));
  const TimePoint expires_at = kIssuedAt + kValidity;

  CHECK(VerifyConfiguration(signed_bytes, federation.anchors, kIssuedAt).ok());
  CHECK(VerifyConfiguration(signed_bytes, federation.anchors, expires_at - seconds(1)).ok());

  SECTION("expired") {
    const Status status =
        VerifyConfiguration(signed_bytes, federation.anchors, expires_at).status();
    CHECK(status.code() == StatusCode::kUnavailable);
    CHECK(status.reason() == kExpired);
    CHECK(status.message() ==
          "global configuration version 3 expired at 2026-01-07T23:00:00.000Z; checked at "
          "2026-01-07T23:00:00.000Z");
  }
  SECTION("expired long ago, after its signer's certificate expired too") {
    const Status status =
        VerifyConfiguration(signed_bytes, federation.anchors, kFakeClockStart + hours(24 * 365))
            .status();
    CHECK(status.reason() == kExpired);
  }
  SECTION("not yet valid") {
    const Status status =
        VerifyConfiguration(signed_bytes, federation.anchors, kIssuedAt - seconds(1)).status();
    CHECK(status.code() == StatusCode::kUnavailable);
    CHECK(status.reason() == kNotYetValid);
    CHECK(status.message() ==
          "global configuration version 3 is not valid before 2025-12-31T23:00:00.000Z; checked "
          "at 2025-12-31T22:59:59.000Z");
  }
  SECTION("accepted whatever its period by VerifyConfigurationAnyPeriod") {
    const VerifiedConfiguration expired =
        VerifyConfigurationAnyPeriod(signed_bytes, federation.anchors,
                                     kFakeClockStart + hours(24 * 365))
            .value();
    CHECK(expired.info.version == 3);
    CHECK(expired.info.CheckCurrent(kFakeClockStart + hours(24 * 365)).reason() == kExpired);
  }
}

TEST_CASE("Only a configuration-signing certificate under the anchors may sign", "[globalconf]") {
  const TestFederation federation;
  const v1::GlobalConfiguration configuration = federation.Configuration(1);
  const auto verify_signed_by = [&](const testing::KeyAndCertificate& signer) {
    const std::string signed_bytes =
        SignConfiguration(configuration, signer.key, {signer.certificate}).value();
    return VerifyConfiguration(signed_bytes, federation.anchors, kFakeClockStart).status();
  };

  SECTION("a signer from an untrusted CA") {
    const testing::KeyAndCertificate rogue_root = testing::MakeRootCa("Federation Root CA");
    const Status status = verify_signed_by(
        testing::Issue(rogue_root, testing::ConfigSigningTemplate("VN/GOV/000001")));
    CHECK(status.code() == StatusCode::kUnauthenticated);
    CHECK(status.reason() == crypto::kCertUntrusted);
    CHECK(status.message().starts_with("configuration signer: certificate 'CN=VN/GOV/000001"));
  }
  SECTION("a CA certificate") {
    const Status status =
        verify_signed_by(testing::Issue(federation.root, testing::CaTemplate("Issuing CA")));
    CHECK(status.code() == StatusCode::kUnauthenticated);
    CHECK(status.reason() == kNotConfigurationSigner);
    CHECK(status.message() ==
          "certificate 'CN=Issuing CA,O=Trục test,C=VN' is a CA certificate: it is not a "
          "configuration-signing certificate");
  }
  SECTION("the root CA itself") {
    CHECK(verify_signed_by(federation.root).reason() == kNotConfigurationSigner);
  }
  SECTION("a member's signing certificate") {
    CHECK(verify_signed_by(federation.member_signing).reason() == kNotConfigurationSigner);
  }
  SECTION("a TSA certificate") {
    CHECK(verify_signed_by(federation.tsa).reason() == kNotConfigurationSigner);
  }
  SECTION("an expired configuration-signing certificate") {
    pki::CertificateTemplate spec = testing::ConfigSigningTemplate("VN/GOV/000001");
    spec.not_after = kFakeClockStart - seconds(1);
    spec.not_before = kFakeClockStart - hours(48);
    CHECK(verify_signed_by(testing::Issue(federation.root, spec)).reason() == crypto::kCertExpired);
  }
  SECTION("a revoked configuration-signing certificate") {
    const crypto::TrustStore revoking =
        crypto::TrustStore::Create({federation.root.certificate},
                                   {federation.config_signer.certificate.Fingerprint()})
            .value();
    CHECK(VerifyConfiguration(federation.Sign(configuration), revoking, kFakeClockStart)
              .status()
              .reason() == crypto::kCertRevoked);
  }
  SECTION("a signer whose chain includes an intermediate CA") {
    pki::CertificateTemplate ca_spec = testing::CaTemplate("Issuing CA");
    ca_spec.path_length = 0;
    const testing::KeyAndCertificate issuing_ca = testing::Issue(federation.root, ca_spec);
    const testing::KeyAndCertificate signer =
        testing::Issue(issuing_ca, testing::ConfigSigningTemplate("VN/GOV/000001"));
    const std::string signed_bytes =
        SignConfiguration(configuration, signer.key, {signer.certificate, issuing_ca.certificate})
            .value();
    CHECK(VerifyConfiguration(signed_bytes, federation.anchors, kFakeClockStart).ok());
    // Without the intermediate, the signer cannot be traced to the root.
    CHECK(verify_signed_by(signer).reason() == crypto::kCertUntrusted);
  }
}

TEST_CASE("Signatures by another key than the leaf's are refused", "[globalconf]") {
  const TestFederation federation;
  v1::SignedGlobalConfiguration envelope;
  REQUIRE(envelope.ParseFromString(federation.Sign(federation.Configuration(1))));
  // A member's valid signature over the same bytes, presented with the signer's certificate.
  const crypto::Signature other =
      federation.member_signing.key.Sign(envelope.configuration()).value();
  envelope.mutable_signature()->set_key_id(other.key_id);
  envelope.mutable_signature()->set_value(other.value);
  const Status status =
      VerifyConfiguration(envelope.SerializeAsString(), federation.anchors, kFakeClockStart)
          .status();
  CHECK(status.code() == StatusCode::kUnauthenticated);
  CHECK(status.reason() == kBadSignature);
}

TEST_CASE("Malformed signed configurations are refused", "[globalconf]") {
  const TestFederation federation;
  const auto verify = [&](const std::string& bytes) {
    return VerifyConfiguration(bytes, federation.anchors, kFakeClockStart).status();
  };
  CHECK(verify("").reason() == kMalformed);
  CHECK(verify("not a protobuf message at all").reason() == kMalformed);
  CHECK(verify("not a protobuf message at all").code() == StatusCode::kInvalidArgument);

  v1::SignedGlobalConfiguration envelope;
  REQUIRE(envelope.ParseFromString(federation.Sign(federation.Configuration(1))));
  SECTION("no signer certificate") {
    envelope.clear_signer_certificate_chain();
    CHECK(verify(envelope.SerializeAsString()).reason() == kMalformed);
  }
  SECTION("a signer certificate that is not DER") {
    envelope.set_signer_certificate_chain(0, "not DER");
    const Status status = verify(envelope.SerializeAsString());
    CHECK(status.reason() == kMalformed);
    CHECK(status.message().starts_with("signer certificate 0: not a DER certificate"));
  }
  SECTION("signed bytes that are not a configuration") {
    envelope.set_configuration("\xff\xff\xff");
    const crypto::Signature signature =
        federation.config_signer.key.Sign(envelope.configuration()).value();
    envelope.mutable_signature()->set_value(signature.value);
    CHECK(verify(envelope.SerializeAsString()).reason() == kMalformed);
  }
}

TEST_CASE("Signing refuses what could never verify", "[globalconf]") {
  const TestFederation federation;
  v1::GlobalConfiguration configuration = federation.Configuration(1);
  const crypto::PrivateKey& key = federation.config_signer.key;
  const std::vector<crypto::Certificate> chain = {federation.config_signer.certificate};

  SECTION("a chain that does not start with the signer's certificate") {
    CHECK(SignConfiguration(configuration, key, {}).status().reason() == kSignerMismatch);
    CHECK(SignConfiguration(configuration, key, {federation.root.certificate}).status().reason() ==
          kSignerMismatch);
  }
  SECTION("no expiry") {
    configuration.clear_expires_at();
    CHECK(SignConfiguration(configuration, key, chain).status().reason() == kMalformed);
  }
  SECTION("an expiry before the issue time") {
    SetTime(configuration.mutable_expires_at(), kIssuedAt - seconds(1));
    const Status status = SignConfiguration(configuration, key, chain).status();
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.message() ==
          "the configuration expires at 2025-12-31T22:59:59.000Z, not after it was issued at "
          "2025-12-31T23:00:00.000Z");
  }
  SECTION("a time out of range") {
    configuration.mutable_issued_at()->set_nanos(1'000'000'000);
    CHECK(SignConfiguration(configuration, key, chain).status().message() ==
          "issued_at out of range (1767222000 s, 1000000000 ns)");
    configuration.mutable_issued_at()->set_nanos(0);
    configuration.mutable_expires_at()->set_seconds(INT64_MAX);
    CHECK(SignConfiguration(configuration, key, chain).status().reason() == kMalformed);
  }
}

}  // namespace
}  // namespace truc::globalconf
