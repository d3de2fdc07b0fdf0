#include "core/pki/revocation_list.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/base/encoding.h"
#include "core/base/file.h"
#include "core/crypto/trust_store.h"
#include "tests/core/pki/federation_ca.h"
#include "tests/support/temp_dir.h"

namespace truc::pki {
namespace {

using testing::kIssuedAt;

DistinguishedName Member(std::string_view code) { return {{"CN", fmt::format("VN/GOV/{}", code)}}; }

TEST_CASE("Revocation reasons use RFC 5280's names", "[pki]") {
  for (RevocationReason reason :
       {RevocationReason::kUnspecified, RevocationReason::kKeyCompromise,
        RevocationReason::kCaCompromise, RevocationReason::kAffiliationChanged,
        RevocationReason::kSuperseded, RevocationReason::kCessationOfOperation}) {
    CHECK(ParseRevocationReason(RevocationReasonName(reason)).value() == reason);
  }
  CHECK(RevocationReasonName(RevocationReason::kKeyCompromise) == "keyCompromise");
  CHECK(ParseRevocationReason("stolen").status().reason() == "pki.unknown_reason");
}

TEST_CASE("A revocation list round-trips through its file format", "[pki]") {
  const testing::FederationCa ca = testing::MakeFederationCa();
  const crypto::Certificate first =
      testing::IssueLeaf(ca, Profile::kMemberSigning, Member("000100"));
  const crypto::Certificate second =
      testing::IssueLeaf(ca, Profile::kMemberSigning, Member("000200"));

  RevocationList list;
  const RevocationEntry entry =
      list.Add(first, RevocationReason::kKeyCompromise, kIssuedAt + std::chrono::milliseconds(1500))
          .value();
  CHECK(entry.fingerprint == first.Fingerprint());
  CHECK(entry.serial_hex == first.serial_hex());
  CHECK(entry.subject == "CN=VN/GOV/000100");
  CHECK(entry.revoked_at == kIssuedAt + std::chrono::seconds(1));
  REQUIRE(list.Add(second, RevocationReason::kSuperseded, kIssuedAt).ok());

  const std::string text = list.Serialize();
  CHECK(text.find(fmt::format("{} {} 2026-01-01T00:00:01.000Z keyCompromise CN=VN/GOV/000100\n",
                              HexEncode(first.Fingerprint()), first.serial_hex())) !=
        std::string::npos);
  const RevocationList parsed = RevocationList::Parse(text).value();
  REQUIRE(parsed.entries().size() == 2);
  CHECK(parsed.entries()[0].fingerprint == first.Fingerprint());
  CHECK(parsed.entries()[0].revoked_at == entry.revoked_at);
  CHECK(parsed.entries()[1].reason == RevocationReason::kSuperseded);
  CHECK(parsed.Fingerprints() == std::set<std::string>{first.Fingerprint(), second.Fingerprint()});
  CHECK(parsed.Serialize() == text);
}

TEST_CASE("Revoking into a file adds entries and refuses duplicates", "[pki]") {
  const testing::FederationCa ca = testing::MakeFederationCa();
  const crypto::Certificate first =
      testing::IssueLeaf(ca, Profile::kMemberSigning, Member("000100"));
  const crypto::Certificate second =
      testing::IssueLeaf(ca, Profile::kMemberSigning, Member("000200"));
  const truc::testing::TempDir dir;
  const std::string path = dir.File("revoked.txt");

  REQUIRE(RevokeInFile(path, first, RevocationReason::kKeyCompromise, kIssuedAt).ok());
  REQUIRE(RevokeInFile(path, second, RevocationReason::kCessationOfOperation, kIssuedAt).ok());
  CHECK(RevocationList::LoadFile(path).value().entries().size() == 2);
  CHECK(FilePermissions(path).value() == 0644);

  const Status again = RevokeInFile(path, first, RevocationReason::kSuperseded, kIssuedAt).status();
  CHECK(again.code() == StatusCode::kAlreadyExists);
  CHECK(again.message() == fmt::format("certificate 'CN=VN/GOV/000100' (serial {}) is already "
                                       "revoked, since 2026-01-01T00:00:00.000Z (keyCompromise)",
                                       first.serial_hex()));
  CHECK(RevocationList::LoadFile(path).value().entries().size() == 2);
}

TEST_CASE("The trust store refuses a certificate on the revocation list", "[pki]") {
  const testing::FederationCa ca = testing::MakeFederationCa();
  const crypto::Certificate revoked =
      testing::IssueLeaf(ca, Profile::kMemberSigning, Member("000100"));
  const crypto::Certificate good =
      testing::IssueLeaf(ca, Profile::kMemberSigning, Member("000200"));
  RevocationList list;
  REQUIRE(list.Add(revoked, RevocationReason::kKeyCompromise, kIssuedAt).ok());
  const RevocationList published = RevocationList::Parse(list.Serialize()).value();

  const crypto::TrustStore store =
      crypto::TrustStore::Create({ca.root}, published.Fingerprints()).value();
  const std::vector<crypto::Certificate> intermediates = {ca.intermediate};
  CHECK(store.VerifyChain(revoked, intermediates, kIssuedAt).status().reason() ==
        crypto::kCertRevoked);
  CHECK(store.VerifyChain(good, intermediates, kIssuedAt).ok());
}

TEST_CASE("A malformed revocation list names the line and the problem", "[pki]") {
  const std::string fingerprint(64, 'a');
  auto message = [](std::string_view text) {
    return RevocationList::Parse(text).status().message();
  };
  CHECK(RevocationList::Parse("# only a comment\n\n").value().entries().empty());
  CHECK(message("# header\nabc\n") ==
        "line 2: expected five fields: FINGERPRINT SERIAL REVOKED-AT REASON SUBJECT");
  CHECK(message("ABC 01 2026-01-01T00:00:00Z keyCompromise CN=x\n") ==
        "line 1: fingerprint 'ABC' is not 64 lower-case hex digits");
  CHECK(message(fingerprint + " 0x1 2026-01-01T00:00:00Z keyCompromise CN=x\n") ==
        "line 1: serial '0x1' is not lower-case hex");
  CHECK(message(fingerprint + " 01 2026-02-30T00:00:00Z keyCompromise CN=x\n") ==
        "line 1: '2026-02-30T00:00:00Z' is not an RFC 3339 UTC time like 2026-11-23T16:40:50Z");
  CHECK(message(fingerprint + " 01 2026-01-01T00:00:00Z stolen CN=x\n")
            .starts_with("line 1: unknown revocation reason 'stolen'"));
  const std::string line = fingerprint + " 01 2026-01-01T00:00:00Z keyCompromise CN=x y\n";
  CHECK(RevocationList::Parse(line).value().entries()[0].subject == "CN=x y");
  CHECK(message(line + line) ==
        "line 2: fingerprint " + fingerprint + " is already listed on line 1");
  CHECK(RevocationList::Parse(line + line).status().reason() == "pki.bad_revocation_list");
}

}  // namespace
}  // namespace truc::pki
