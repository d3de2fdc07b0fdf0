#include "core/evidence/verification_cache.h"

#include <catch2/catch.hpp>

#include "core/ids/id_proto.h"
#include "tests/core/evidence/test_requests.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/test_federation.h"

namespace truc::evidence {
namespace {

using pki::Profile;

const ids::MemberId kPortal = ids::MemberId::Parse("VN/GOV/000900").value();
const ids::MemberId kPopulation = ids::MemberId::Parse("VN/GOV/000100").value();

constexpr auto Request = TestRequest;

// Three messages signed as one batch by the portal's member.
struct Batch {
  Batch() {
    BatchSigner signer(signing.key, {signing.certificate}, clock,
                       {.max_batch = 3, .max_delay = std::chrono::seconds(5)});
    std::vector<std::future<StatusOr<v1::BatchSignature>>> futures;
    for (const char* id : {"m1", "m2", "m3"}) {
      messages.push_back(Request(id, id));
      futures.push_back(signer.Sign(messages.back()));
    }
    for (auto& future : futures) signatures.push_back(future.get().value());
  }

  testing::FakeClock clock;
  testing::TestFederation federation;
  testing::KeyAndCertificate signing =
      federation.Issue(Profile::kMemberSigning, kPortal.ToString());
  crypto::TrustStore trust = crypto::TrustStore::Create({federation.root().certificate}).value();
  std::vector<v1::MessageEvidence> messages;
  std::vector<v1::BatchSignature> signatures;
};

TEST_CASE("A batch costs one chain and one root verification; each message is still checked",
          "[evidence]") {
  Batch batch;
  VerificationCache cache;
  for (int i = 0; i < 3; ++i) {
    CHECK(
        cache
            .VerifyMessageSignature(batch.messages[i], batch.signatures[i], kPortal, batch.trust, 1)
            .value() == batch.clock.Now());
  }
  VerificationCache::Counts counts = cache.counts();
  CHECK(counts.chain_misses == 1);
  CHECK(counts.chain_hits == 2);
  CHECK(counts.root_misses == 1);
  CHECK(counts.root_hits == 2);

  // With the root known good, a message that is not in the batch, or is claimed to be another
  // member's, is refused all the same.
  v1::MessageEvidence altered = batch.messages[1];
  altered.set_message_id("m2-altered");
  CHECK(cache.VerifyMessageSignature(altered, batch.signatures[1], kPortal, batch.trust, 1)
            .status()
            .reason()
            .starts_with("merkle."));
  CHECK(cache
            .VerifyMessageSignature(batch.messages[1], batch.signatures[1], kPopulation,
                                    batch.trust, 1)
            .status()
            .reason() == "evidence.wrong_signer");
  // A forged signature value is not the root that verified.
  v1::BatchSignature forged = batch.signatures[2];
  std::string value = forged.signature().value();
  value[value.size() / 2] ^= 1;
  forged.mutable_signature()->set_value(value);
  CHECK(!cache.VerifyMessageSignature(batch.messages[2], forged, kPortal, batch.trust, 1).ok());
}

TEST_CASE("A root verified under one signer's chain is not taken as verified under another's",
          "[evidence]") {
  Batch batch;
  VerificationCache cache;
  REQUIRE(
      cache.VerifyMessageSignature(batch.messages[0], batch.signatures[0], kPortal, batch.trust, 1)
          .ok());
  // The same root, time and signature bytes, presented with another certificate of the same
  // member (another key): the root's signature must be verified against that key, and fails.
  const testing::KeyAndCertificate other =
      batch.federation.Issue(Profile::kMemberSigning, kPortal.ToString());
  v1::BatchSignature swapped = batch.signatures[1];
  swapped.clear_certificate_chain();
  swapped.add_certificate_chain(other.certificate.ToDer());
  swapped.mutable_signature()->set_key_id(batch.signatures[1].signature().key_id());
  const StatusOr<TimePoint> verified =
      cache.VerifyMessageSignature(batch.messages[1], swapped, kPortal, batch.trust, 1);
  CHECK(!verified.ok());
  CHECK(cache.counts().root_misses == 2);
  // The chain table full: it starts afresh, and roots verified before are not mistaken for
  // roots of the chains verified after.
  VerificationCache small({.max_chains = 1, .max_roots = 16});
  REQUIRE(
      small.VerifyMessageSignature(batch.messages[0], batch.signatures[0], kPortal, batch.trust, 1)
          .ok());
  CHECK(!small.VerifyMessageSignature(batch.messages[1], swapped, kPortal, batch.trust, 1).ok());
  CHECK(
      small.VerifyMessageSignature(batch.messages[2], batch.signatures[2], kPortal, batch.trust, 1)
          .ok());
  CHECK(small.counts().chain_misses == 3);
  CHECK(small.counts().root_misses == 3);
}

TEST_CASE("A newer configuration's revocation applies at once; an older one's call clears nothing",
          "[evidence]") {
  Batch batch;
  VerificationCache cache;
  REQUIRE(
      cache.VerifyMessageSignature(batch.messages[0], batch.signatures[0], kPortal, batch.trust, 5)
          .ok());
  const crypto::TrustStore revoking =
      crypto::TrustStore::Create({batch.federation.root().certificate},
                                 {batch.signing.certificate.Fingerprint()})
          .value();
  CHECK(cache.VerifyMessageSignature(batch.messages[1], batch.signatures[1], kPortal, revoking, 6)
            .status()
            .reason() == crypto::kCertRevoked);
  // A call still under version 5 verifies against its own trust store, and adds nothing that a
  // version 6 call could use.
  CHECK(
      cache.VerifyMessageSignature(batch.messages[1], batch.signatures[1], kPortal, batch.trust, 5)
          .ok());
  CHECK(cache.VerifyMessageSignature(batch.messages[2], batch.signatures[2], kPortal, revoking, 6)
            .status()
            .reason() == crypto::kCertRevoked);
}

TEST_CASE("A chain verified once is verified afresh for a signing time outside its validity",
          "[evidence]") {
  Batch batch;
  VerificationCache cache;
  REQUIRE(
      cache.VerifyMessageSignature(batch.messages[0], batch.signatures[0], kPortal, batch.trust, 1)
          .ok());
  // The same certificate, signing two years on, when it has expired.
  batch.clock.Advance(std::chrono::days(800));
  BatchSigner late(batch.signing.key, {batch.signing.certificate}, batch.clock,
                   {.max_batch = 1, .max_delay = std::chrono::milliseconds(1)});
  const v1::MessageEvidence message = Request("late", "late");
  const v1::BatchSignature signature = late.Sign(message).get().value();
  CHECK(
      cache.VerifyMessageSignature(message, signature, kPortal, batch.trust, 1).status().reason() ==
      crypto::kCertExpired);
}

}  // namespace
}  // namespace truc::evidence
