#include "core/timestamp/timestamp_authority.h"

#include <catch2/catch.hpp>

#include "core/crypto/digest.h"
#include "core/timestamp/timestamp_token.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/test_tsa.h"

namespace truc::timestamp {
namespace {

const std::string kNonce = "\x01\x02\x03\x04\x05\x06\x07\x08";

TEST_CASE("Our TSA's replies verify with our client", "[timestamp]") {
  testing::FakeClock clock;
  const testing::TestTsa tsa(clock);
  const TimestampVerifier verifier = tsa.Verifier();
  const std::string digest = crypto::Sha256("exchange record");

  const std::string reply =
      tsa.authority->Respond(MakeTimestampQuery(digest, kNonce).value()).value();
  const TimestampToken token = verifier.VerifyReply(reply, digest, kNonce).value();
  CHECK(token.info.gen_time == clock.Now());
  CHECK(token.info.policy_oid == testing::kTestPolicyOid);
  CHECK(token.info.imprint == digest);
  CHECK(token.info.tsa_subject == tsa.tsa_certificate.certificate.subject());
  // The token alone verifies later, as evidence does.
  CHECK(verifier.VerifyToken(token.der, digest).ok());

  clock.Advance(std::chrono::seconds(5));
  const std::string second =
      tsa.authority->Respond(MakeTimestampQuery(digest, kNonce).value()).value();
  const TimestampToken later = verifier.VerifyReply(second, digest, kNonce).value();
  CHECK(later.info.serial_hex > token.info.serial_hex);
  CHECK(later.info.gen_time == clock.Now());
}

TEST_CASE("Bad replies are rejected with distinct errors", "[timestamp]") {
  testing::FakeClock clock;
  const testing::TestTsa tsa(clock);
  const TimestampVerifier verifier = tsa.Verifier();
  const std::string digest = crypto::Sha256("exchange record");
  const std::string reply =
      tsa.authority->Respond(MakeTimestampQuery(digest, kNonce).value()).value();

  SECTION("a tampered signature") {
    std::string tampered = reply;
    tampered[tampered.size() - 5] ^= 0x01;  // Inside the ECDSA signature value at the end.
    const Status status = verifier.VerifyReply(tampered, digest, kNonce).status();
    CHECK(status.code() == StatusCode::kUnauthenticated);
    CHECK(status.reason() == kBadSignature);
  }
  SECTION("tampered signed content: the time") {
    const TimestampToken token = verifier.VerifyReply(reply, digest, kNonce).value();
    const std::string gen_time = "20260101000000";
    std::string tampered = token.der;
    const size_t at = tampered.find(gen_time);
    REQUIRE(at != std::string::npos);
    tampered[at + 3] = '7';  // 2026 -> 2027
    CHECK(verifier.VerifyToken(tampered, digest).status().reason() == kBadSignature);
  }
  SECTION("a reply signed by a TSA the federation did not approve") {
    const testing::TestTsa rogue(clock, "Rogue TSA");
    const std::string rogue_reply =
        rogue.authority->Respond(MakeTimestampQuery(digest, kNonce).value()).value();
    const Status status = verifier.VerifyReply(rogue_reply, digest, kNonce).status();
    CHECK(status.reason() == kUnapprovedTsa);
    CHECK(status.message().find("which is not an approved timestamp authority") !=
          std::string::npos);
  }
  SECTION("a reply for another digest") {
    const Status status =
        verifier.VerifyReply(reply, crypto::Sha256("another record"), kNonce).status();
    CHECK(status.reason() == kImprintMismatch);
    CHECK(status.message().starts_with("timestamp token covers SHA256 digest "));
  }
  SECTION("a reply with another nonce") {
    CHECK(verifier.VerifyReply(reply, digest, "\x09\x09").status().reason() == kNonceMismatch);
  }
  SECTION("garbage") {
    CHECK(verifier.VerifyReply("not DER", digest, kNonce).status().reason() == kMalformed);
    CHECK(verifier.VerifyToken("not DER", digest).status().reason() == kMalformed);
  }
  SECTION("a TSA certificate that has expired by the token's time") {
    clock.Advance(std::chrono::hours(24 * 365));
    const std::string late =
        tsa.authority->Respond(MakeTimestampQuery(digest, kNonce).value()).value();
    CHECK(verifier.VerifyReply(late, digest, kNonce).status().reason() == crypto::kCertExpired);
  }
  SECTION("a revoked TSA certificate") {
    const TimestampVerifier revoking =
        TimestampVerifier::Create(
            {tsa.tsa_certificate.certificate},
            crypto::TrustStore::Create({tsa.root.certificate},
                                       {tsa.tsa_certificate.certificate.Fingerprint()})
                .value())
            .value();
    CHECK(revoking.VerifyReply(reply, digest, kNonce).status().reason() == crypto::kCertRevoked);
  }
}

TEST_CASE("Malformed and unsupported queries get RFC 3161 rejections", "[timestamp]") {
  testing::FakeClock clock;
  const testing::TestTsa tsa(clock);
  const TimestampVerifier verifier = tsa.Verifier();
  const std::string digest = crypto::Sha256("x");
  const Status status =
      verifier.VerifyReply(tsa.authority->Respond("garbage").value(), digest, "").status();
  CHECK(status.reason() == kRejected);
  CHECK(status.message().starts_with("timestamp authority refused (status 2)"));
}

TEST_CASE("A TSA needs a timestamping certificate and a policy", "[timestamp]") {
  testing::FakeClock clock;
  testing::TempDir dir;
  const testing::KeyAndCertificate root = testing::MakeRootCa("Root");
  const testing::KeyAndCertificate plain = testing::Issue(root, testing::LeafTemplate("not a TSA"));
  TsaOptions options;
  options.policy_oid = testing::kTestPolicyOid;
  const auto create = [&](TsaOptions tsa_options) {
    return TimestampAuthority::Create(
               std::move(tsa_options), crypto::PrivateKey::FromPem(plain.key.ToPem()).value(),
               {plain.certificate}, SerialCounter::Open(dir.File("serial")).value(), clock)
        .status();
  };
  CHECK(create(options).reason() == "tsa.not_a_tsa_certificate");
  CHECK(create(TsaOptions{}).message() == "a TSA policy OID is required");
  options.policy_oid = "not.an.oid";
  CHECK(create(options).message() == "TSA policy 'not.an.oid' is not a dotted OID");
}

}  // namespace
}  // namespace truc::timestamp
