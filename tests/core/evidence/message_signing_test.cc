#include "core/evidence/message_signing.h"

#include <catch2/catch.hpp>

#include "core/base/file.h"
#include "core/ids/id_proto.h"
#include "tests/core/evidence/test_requests.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_federation.h"

namespace truc::evidence {
namespace {

using pki::Profile;
using testing::KeyAndCertificate;

const ids::MemberId kPortal = ids::MemberId::Parse("VN/GOV/000900").value();
const ids::MemberId kPopulation = ids::MemberId::Parse("VN/GOV/000100").value();

constexpr auto Request = TestRequest;

struct Fixture {
  Fixture()
      : signing(federation.Issue(Profile::kMemberSigning, kPortal.ToString())),
        trust(crypto::TrustStore::Create({federation.root().certificate}).value()) {}

  v1::BatchSignature SignOne(const v1::MessageEvidence& evidence) {
    BatchSigner signer(signing.key, {signing.certificate}, clock,
                       {.max_batch = 1, .max_delay = std::chrono::milliseconds(1)});
    return signer.Sign(evidence).get().value();
  }

  testing::FakeClock clock;
  testing::TestFederation federation;
  KeyAndCertificate signing;
  crypto::TrustStore trust;
};

TEST_CASE("Header digests ignore name case and field order across names", "[evidence]") {
  const std::string a = HeadersDigest({{"Content-Type", "application/json"}, {"X-A", "1"}});
  const std::string b = HeadersDigest({{"x-a", "1"}, {"content-type", "application/json"}});
  CHECK(a == b);
  CHECK(a != HeadersDigest({{"Content-Type", "application/json"}, {"X-A", "2"}}));
  // Repeated fields keep their order: the last X-Road-Client counts, so order is meaning.
  CHECK(HeadersDigest({{"X-B", "1"}, {"X-B", "2"}}) != HeadersDigest({{"X-B", "2"}, {"X-B", "1"}}));
}

TEST_CASE("Concurrent messages share one signature and each verifies alone", "[evidence]") {
  Fixture f;
  BatchSigner signer(f.signing.key, {f.signing.certificate}, f.clock,
                     {.max_batch = 3, .max_delay = std::chrono::seconds(5)});
  std::vector<v1::MessageEvidence> messages = {Request("m1", "{}"), Request("m2", "{\"id\":1}"),
                                               Request("m3", "")};
  std::vector<std::future<StatusOr<v1::BatchSignature>>> futures;
  for (const auto& message : messages) futures.push_back(signer.Sign(message));
  std::vector<v1::BatchSignature> signatures;
  for (auto& future : futures) signatures.push_back(future.get().value());
  CHECK(signer.batches() == 1);
  for (size_t i = 0; i < messages.size(); ++i) {
    CHECK(signatures[i].signature().value() == signatures[0].signature().value());
    CHECK(VerifyMessageSignature(messages[i], signatures[i], kPortal, f.trust).value() ==
          f.clock.Now());
  }
}

TEST_CASE("Forged, misattributed and revoked signatures are refused", "[evidence]") {
  Fixture f;
  const v1::MessageEvidence message = Request("m1", "{\"id\":\"079123456789\"}");
  const v1::BatchSignature signature = f.SignOne(message);
  REQUIRE(VerifyMessageSignature(message, signature, kPortal, f.trust).ok());

  SECTION("a changed body digest") {
    v1::MessageEvidence changed = message;
    *changed.mutable_digests() = DigestMessage({}, "{\"id\":\"079999999999\"}");
    CHECK(VerifyMessageSignature(changed, signature, kPortal, f.trust).status().reason() ==
          "merkle.root_mismatch");
  }
  SECTION("a tampered signature value") {
    v1::BatchSignature tampered = signature;
    tampered.mutable_signature()->mutable_value()->back() ^= 0x01;
    CHECK(VerifyMessageSignature(message, tampered, kPortal, f.trust).status().reason() ==
          "crypto.signature_mismatch");
  }
  SECTION("a tampered signing time") {
    v1::BatchSignature tampered = signature;
    tampered.mutable_signed_at()->set_seconds(signature.signed_at().seconds() + 60);
    CHECK(VerifyMessageSignature(message, tampered, kPortal, f.trust).status().reason() ==
          "crypto.signature_mismatch");
  }
  SECTION("claimed for another member") {
    const Status status = VerifyMessageSignature(message, signature, kPopulation, f.trust).status();
    CHECK(status.reason() == "evidence.wrong_signer");
    CHECK(status.message() == "the message was signed by VN/GOV/000900, not by VN/GOV/000100");
  }
  SECTION("signed with a TLS key instead of a signing key") {
    const KeyAndCertificate tls =
        f.federation.Issue(Profile::kGatewayTls, "VN/GOV/000900/gw1", {"IP:127.0.0.1"});
    BatchSigner signer(tls.key, {tls.certificate}, f.clock, {.max_batch = 1});
    const v1::BatchSignature wrong = signer.Sign(message).get().value();
    CHECK(VerifyMessageSignature(message, wrong, kPortal, f.trust).status().reason() ==
          "evidence.wrong_profile");
  }
  SECTION("a revoked signing certificate") {
    const crypto::TrustStore revoking =
        crypto::TrustStore::Create({f.federation.root().certificate},
                                   {f.signing.certificate.Fingerprint()})
            .value();
    CHECK(VerifyMessageSignature(message, signature, kPortal, revoking).status().reason() ==
          crypto::kCertRevoked);
  }
  SECTION("a certificate from outside the federation") {
    const testing::TestFederation rogue;
    const crypto::TrustStore other = crypto::TrustStore::Create({rogue.root().certificate}).value();
    CHECK(VerifyMessageSignature(message, signature, kPortal, other).status().reason() ==
          crypto::kCertUntrusted);
  }
}

TEST_CASE("A response is bound to its exact request", "[evidence]") {
  const v1::MessageEvidence request = Request("m1", "{}");
  v1::MessageEvidence other = request;
  other.set_message_id("m2");
  CHECK(RequestHash(request).size() == 64);
  CHECK(RequestHash(request) == RequestHash(Request("m1", "{}")));
  CHECK(RequestHash(request) != RequestHash(other));
}

TEST_CASE("openssl verifies a batch signature from the evidence alone", "[evidence][interop]") {
  Fixture f;
  const v1::MessageEvidence message = Request("m1", "{}");
  const v1::BatchSignature signature = f.SignOne(message);
  testing::TempDir dir;
  const TimePoint signed_at = VerifyMessageSignature(message, signature, kPortal, f.trust).value();
  REQUIRE(WriteFileAtomically(dir.File("payload.txt"),
                              BatchRootPayload(signature.merkle_root(), signed_at), 0644)
              .ok());
  REQUIRE(WriteFileAtomically(dir.File("signature.der"), signature.signature().value(), 0644).ok());
  REQUIRE(WriteFileAtomically(dir.File("signer.pem"), f.signing.certificate.ToPem(), 0644).ok());
  const testing::CommandResult result = testing::RunCommand(
      "cd " + dir.path() +
      " && openssl x509 -in signer.pem -pubkey -noout > signer.pub && openssl dgst -sha256 "
      "-verify signer.pub -signature signature.der payload.txt");
  INFO(result.output);
  CHECK(result.output.find("Verified OK") != std::string::npos);
}

}  // namespace
}  // namespace truc::evidence
