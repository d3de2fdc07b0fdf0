#include "gateway/audit/tree_head.h"

#include <catch2/catch.hpp>

#include "core/base/encoding.h"
#include "core/base/file.h"
#include "proto/timestamp_conversion.h"
#include "tests/gateway/audit/sealing_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace truc::gateway::audit {
namespace {

const ids::MemberId kPopulation = ids::MemberId::Parse("VN/GOV/000100").value();

// Signs the head of `f.log` after appending `records`, with `signing`'s key, and has it
// timestamped by `timestamper`.
v1::SignedTreeHead SignAndTimestamp(SealingFixture& f, int records,
                                    const testing::KeyAndCertificate& signing,
                                    timestamp::Timestamper& timestamper) {
  f.log.Append(records);
  v1::SignedTreeHead sealed =
      SignTreeHead(f.log.Head().value(), signing.key, {&signing.certificate, 1}, f.clock).value();
  sealed.set_timestamp_token(timestamper.Timestamp(TreeHeadDigest(sealed)).value().der);
  return sealed;
}

v1::SignedTreeHead SignAndTimestamp(SealingFixture& f, int records) {
  return SignAndTimestamp(f, records, f.signing, f.timestamper);
}

TEST_CASE("The tree head payload is the documented text", "[audit]") {
  v1::TreeHead head;
  head.set_size(12);
  std::string root;
  for (int i = 0; i < 32; ++i) root.push_back(static_cast<char>(i));
  head.set_root_hash(root);
  CHECK(TreeHeadPayload(head, testing::kFakeClockStart + std::chrono::milliseconds(123)) ==
        "truc.v1.tree-head\n12\n"
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
        "2026-01-01T00:00:00.123Z\n");
}

TEST_CASE("A tree head's root must be a SHA-256 hash", "[audit]") {
  SealingFixture f;
  v1::TreeHead head;
  head.set_size(1);
  head.set_root_hash("not a hash");
  CHECK(SignTreeHead(head, f.signing.key, {&f.signing.certificate, 1}, f.clock).status().reason() ==
        kMalformedTreeHead);
}

TEST_CASE("A genuine tree head verifies; tampered or misattributed ones are refused", "[audit]") {
  SealingFixture f;
  const timestamp::TimestampVerifier timestamps = f.tsa.Verifier();
  const v1::SignedTreeHead sealed = SignAndTimestamp(f, 5);
  REQUIRE(VerifySignedTreeHead(sealed, kGatewayOwner, f.trust, timestamps).value() ==
          f.clock.Now());
  v1::SignedTreeHead changed = sealed;

  SECTION("a flipped bit in the root") {
    changed.mutable_head()->mutable_root_hash()->front() ^= 0x01;
    CHECK(VerifySignedTreeHead(changed, kGatewayOwner, f.trust, timestamps).status().reason() ==
          "crypto.signature_mismatch");
  }
  SECTION("a larger size") {
    changed.mutable_head()->set_size(6);
    CHECK(VerifySignedTreeHead(changed, kGatewayOwner, f.trust, timestamps).status().reason() ==
          "crypto.signature_mismatch");
  }
  SECTION("a flipped bit in the signature") {
    changed.mutable_signature()->mutable_value()->back() ^= 0x01;
    CHECK(VerifySignedTreeHead(changed, kGatewayOwner, f.trust, timestamps).status().reason() ==
          "crypto.signature_mismatch");
  }
  SECTION("the token of another tree head") {
    changed.set_timestamp_token(SignAndTimestamp(f, 1).timestamp_token());
    CHECK(VerifySignedTreeHead(changed, kGatewayOwner, f.trust, timestamps).status().reason() ==
          timestamp::kImprintMismatch);
  }
  SECTION("a token from a TSA the federation does not approve") {
    const testing::TestTsa rogue(f.clock, "Rogue TSA");
    timestamp::LocalTimestamper rogue_timestamper(*rogue.authority, rogue.Verifier());
    changed.set_timestamp_token(rogue_timestamper.Timestamp(TreeHeadDigest(sealed)).value().der);
    CHECK(VerifySignedTreeHead(changed, kGatewayOwner, f.trust, timestamps).status().reason() ==
          timestamp::kUnapprovedTsa);
  }
  SECTION("no token") {
    changed.clear_timestamp_token();
    CHECK(VerifySignedTreeHead(changed, kGatewayOwner, f.trust, timestamps).status().reason() ==
          kMalformedTreeHead);
  }
  SECTION("expected from another member") {
    const Status status = VerifySignedTreeHead(sealed, kPopulation, f.trust, timestamps).status();
    CHECK(status.reason() == kWrongSigner);
    CHECK(status.message() == "the tree head was signed by VN/GOV/000900, not by VN/GOV/000100");
  }
  SECTION("signed by another member's gateway") {
    const testing::KeyAndCertificate other =
        f.federation.Issue(pki::Profile::kMemberSigning, kPopulation.ToString());
    const v1::SignedTreeHead foreign = SignAndTimestamp(f, 1, other, f.timestamper);
    CHECK(VerifySignedTreeHead(foreign, kPopulation, f.trust, timestamps).ok());
    CHECK(VerifySignedTreeHead(foreign, kGatewayOwner, f.trust, timestamps).status().reason() ==
          kWrongSigner);
  }
  SECTION("signed with a TLS key instead of a signing key") {
    const testing::KeyAndCertificate tls =
        f.federation.Issue(pki::Profile::kGatewayTls, "VN/GOV/000900/gw1", {"IP:127.0.0.1"});
    const v1::SignedTreeHead wrong = SignAndTimestamp(f, 1, tls, f.timestamper);
    CHECK(VerifySignedTreeHead(wrong, kGatewayOwner, f.trust, timestamps).status().reason() ==
          "pki.wrong_profile");
  }
  SECTION("a revoked signing certificate") {
    const crypto::TrustStore revoking =
        crypto::TrustStore::Create({f.federation.root().certificate},
                                   {f.signing.certificate.Fingerprint()})
            .value();
    CHECK(VerifySignedTreeHead(sealed, kGatewayOwner, revoking, timestamps).status().reason() ==
          crypto::kCertRevoked);
  }
}

TEST_CASE("openssl verifies a tree head's signature and timestamp", "[audit][interop]") {
  // openssl judges certificates at the real time.
  SealingFixture f(SystemClock::Instance().Now());
  const v1::SignedTreeHead sealed = SignAndTimestamp(f, 7);
  testing::TempDir dir;
  const auto write = [&](const std::string& name, const std::string& content) {
    REQUIRE(WriteFileAtomically(dir.File(name), content, 0644).ok());
  };
  write("signature.der", sealed.signature().value());
  write("token.tst", sealed.timestamp_token());
  write("signer.pem", crypto::Certificate::FromDer(sealed.certificate_chain(0)).value().ToPem());
  write("root.pem", f.federation.root().certificate.ToPem());
  write("tsa.pem", f.tsa.tsa_certificate.certificate.ToPem());
  write("tsa-root.pem", f.tsa.root.certificate.ToPem());
  // The payload as an auditor writes it from the head's fields, following docs/evidence.md.
  const std::string payload_command =
      fmt::format(R"(printf 'truc.v1.tree-head\n%s\n%s\n%s\n' {} {} {})", sealed.head().size(),
                  HexEncode(sealed.head().root_hash()),
                  FormatRfc3339(proto::FromProtoTimestamp(sealed.signed_at())));

  // In a subshell, so that RunCommand captures the errors of every command.
  const testing::CommandResult result = testing::RunCommand(
      "(cd " + dir.path() + " && " + payload_command +
      " > payload.txt"
      " && openssl verify -CAfile root.pem signer.pem"
      " && openssl x509 -in signer.pem -noout -subject"
      " && openssl x509 -in signer.pem -pubkey -noout > signer.pub"
      " && openssl dgst -sha256 -verify signer.pub -signature signature.der payload.txt"
      " && openssl ts -verify -token_in -in token.tst -data payload.txt -CAfile tsa-root.pem"
      " -untrusted tsa.pem"
      " && openssl ts -reply -token_in -in token.tst -text | grep 'Time stamp')");
  INFO(result.output);
  CHECK(result.exit_code == 0);
  CHECK(result.output.find("signer.pem: OK") != std::string::npos);
  CHECK(result.output.find("CN = VN/GOV/000900") != std::string::npos);
  CHECK(result.output.find("Verified OK") != std::string::npos);
  CHECK(result.output.find("Verification: OK") != std::string::npos);
  // genTime, as openssl prints it: "Time stamp: Nov 23 20:23:13.123 2026 GMT".
  CHECK(result.output.find("Time stamp: ") != std::string::npos);

  // The token covers this payload and no other.
  const testing::CommandResult other = testing::RunCommand(
      "(cd " + dir.path() + " && " + payload_command +
      " | sed 's/^7$/8/' > other.txt && openssl ts -verify -token_in -in token.tst -data "
      "other.txt -CAfile tsa-root.pem -untrusted tsa.pem)");
  INFO(other.output);
  CHECK(other.exit_code != 0);
  CHECK(other.output.find("message imprint mismatch") != std::string::npos);
}

}  // namespace
}  // namespace truc::gateway::audit
