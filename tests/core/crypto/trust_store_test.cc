#include "core/crypto/trust_store.h"

#include <catch2/catch.hpp>

#include "tests/fakes/fake_clock.h"
#include "tests/support/test_pki.h"

namespace truc::crypto {
namespace {

using testing::Issue;
using testing::KeyAndCertificate;

TEST_CASE("Chains are verified against the trust anchors at a given time", "[crypto]") {
  const testing::FakeClock clock;
  const KeyAndCertificate root = testing::MakeRootCa("Federation Root CA");
  pki::CertificateTemplate intermediate_spec = testing::CaTemplate("Member CA");
  intermediate_spec.path_length = 0;
  const KeyAndCertificate intermediate = Issue(root, intermediate_spec);
  const KeyAndCertificate leaf = Issue(intermediate, testing::LeafTemplate("VN/GOV/0101"));
  const TrustStore store = TrustStore::Create({root.certificate}).value();
  const std::vector<Certificate> intermediates = {intermediate.certificate};

  SECTION("a valid chain") {
    const std::vector<Certificate> chain =
        store.VerifyChain(leaf.certificate, intermediates, clock.Now()).value();
    REQUIRE(chain.size() == 3);
    CHECK(chain[0] == leaf.certificate);
    CHECK(chain[2] == root.certificate);
  }
  SECTION("an expired certificate") {
    pki::CertificateTemplate spec = testing::LeafTemplate("expired");
    spec.not_after = clock.Now() - std::chrono::hours(1);
    const KeyAndCertificate expired = Issue(intermediate, spec);
    const Status status =
        store.VerifyChain(expired.certificate, intermediates, clock.Now()).status();
    CHECK(status.code() == StatusCode::kUnauthenticated);
    CHECK(status.reason() == kCertExpired);
    CHECK(status.message() ==
          "certificate 'CN=expired,O=Trục test,C=VN' expired at 2025-12-31T23:00:00.000Z; "
          "checked at 2026-01-01T00:00:00.000Z");
  }
  SECTION("the same chain checked at a time after its expiry") {
    const Status status = store
                              .VerifyChain(leaf.certificate, intermediates,
                                           clock.Now() + std::chrono::hours(24 * 365))
                              .status();
    CHECK(status.reason() == kCertExpired);
  }
  SECTION("a certificate not yet valid") {
    const Status status = store
                              .VerifyChain(leaf.certificate, intermediates,
                                           clock.Now() - std::chrono::hours(24 * 365))
                              .status();
    CHECK(status.reason() == kCertNotYetValid);
  }
  SECTION("a certificate from an untrusted CA") {
    const KeyAndCertificate rogue_root = testing::MakeRootCa("Rogue CA");
    const KeyAndCertificate rogue = Issue(rogue_root, testing::LeafTemplate("VN/GOV/0101"));
    const Status status = store.VerifyChain(rogue.certificate, {}, clock.Now()).status();
    CHECK(status.code() == StatusCode::kUnauthenticated);
    CHECK(status.reason() == kCertUntrusted);
    CHECK(status.message() ==
          "certificate 'CN=VN/GOV/0101,O=Trục test,C=VN' is not issued by a trusted CA "
          "(issuer 'CN=Rogue CA,O=Trục test,C=VN')");
  }
  SECTION("a missing intermediate") {
    CHECK(store.VerifyChain(leaf.certificate, {}, clock.Now()).status().reason() == kCertUntrusted);
  }
  SECTION("a revoked certificate") {
    const TrustStore revoking =
        TrustStore::Create({root.certificate}, {leaf.certificate.Fingerprint()}).value();
    const Status status =
        revoking.VerifyChain(leaf.certificate, intermediates, clock.Now()).status();
    CHECK(status.reason() == kCertRevoked);
    CHECK(status.message() == "certificate 'CN=VN/GOV/0101,O=Trục test,C=VN' (serial " +
                                  leaf.certificate.serial_hex() + ") is revoked");
  }
  SECTION("a revoked intermediate revokes what it issued") {
    const TrustStore revoking =
        TrustStore::Create({root.certificate}, {intermediate.certificate.Fingerprint()}).value();
    CHECK(revoking.VerifyChain(leaf.certificate, intermediates, clock.Now()).status().reason() ==
          kCertRevoked);
  }
  SECTION("an intermediate trusted on its own is enough") {
    const TrustStore partial = TrustStore::Create({intermediate.certificate}).value();
    CHECK(partial.VerifyChain(leaf.certificate, {}, clock.Now()).ok());
  }
}

TEST_CASE("A certificate whose issuer signature is forged is rejected", "[crypto]") {
  const testing::FakeClock clock;
  const KeyAndCertificate root = testing::MakeRootCa("Federation Root CA");
  const KeyAndCertificate leaf = Issue(root, testing::LeafTemplate("member"));
  std::string der = leaf.certificate.ToDer();
  der[der.size() - 3] ^= 0x01;  // Inside the signature value at the end of the DER.
  const Certificate forged = Certificate::FromDer(der).value();
  const TrustStore store = TrustStore::Create({root.certificate}).value();
  const Status status = store.VerifyChain(forged, {}, clock.Now()).status();
  CHECK(status.reason() == kCertBadSignature);
}

TEST_CASE("A trust store needs an anchor", "[crypto]") {
  CHECK(TrustStore::Create({}).status().reason() == "crypto.no_trust_anchor");
}

}  // namespace
}  // namespace truc::crypto
