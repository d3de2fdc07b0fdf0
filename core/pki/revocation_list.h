// The federation's revocation list: the certificates its CA has revoked, kept as a text file that
// the registry publishes and every gateway feeds to crypto::TrustStore.
//
// File format (docs/pki.md has the full specification): UTF-8 text, one revoked certificate per
// line, five fields separated by single spaces:
//
//   FINGERPRINT SERIAL REVOKED-AT REASON SUBJECT
//
// FINGERPRINT is the lower-case hex SHA-256 of the certificate's DER encoding (64 digits), SERIAL
// its serial number in lower-case hex, REVOKED-AT an RFC 3339 UTC time ("2026-11-23T16:40:50Z",
// fractional seconds allowed), REASON one of the RFC 5280 reason names below, and SUBJECT the
// subject in RFC 2253 form, which runs to the end of the line and may contain spaces. Lines that
// are empty or start with '#' are comments. A fingerprint appears at most once.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/crypto/certificate.h"

namespace truc::pki {

// RFC 5280 CRLReason values that apply to the federation's certificates.
enum class RevocationReason {
  kUnspecified,
  kKeyCompromise,
  kCaCompromise,
  kAffiliationChanged,
  kSuperseded,
  kCessationOfOperation,
};

// "unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
// "cessationOfOperation": RFC 5280's names, as OpenSSL spells them.
std::string_view RevocationReasonName(RevocationReason reason);
// The inverse of RevocationReasonName. InvalidArgument ("pki.unknown_reason") listing the names.
StatusOr<RevocationReason> ParseRevocationReason(std::string_view name);

struct RevocationEntry {
  std::string fingerprint;  // Certificate::Fingerprint(): SHA-256, 32 raw bytes.
  std::string serial_hex;
  std::string subject;
  RevocationReason reason = RevocationReason::kUnspecified;
  TimePoint revoked_at;
};

// A revocation list in memory. A value type; not thread-safe for concurrent modification.
class RevocationList {
 public:
  // An empty list.
  RevocationList() = default;

  // Parses the file format. InvalidArgument ("pki.bad_revocation_list") naming the line and what
  // is wrong with it.
  static StatusOr<RevocationList> Parse(std::string_view text);
  // Parse on the file at `path`; NotFound when it does not exist; errors name the path.
  static StatusOr<RevocationList> LoadFile(const std::string& path);

  // Adds `certificate`, revoked at `at` for `reason`, and returns the new entry. AlreadyExists
  // ("pki.already_revoked") when the certificate is already on the list; the message says since
  // when and why.
  StatusOr<RevocationEntry> Add(const crypto::Certificate& certificate, RevocationReason reason,
                                TimePoint at);

  // The file format, with a comment header; Parse(Serialize()) gives back the same entries.
  std::string Serialize() const;

  const std::vector<RevocationEntry>& entries() const { return entries_; }
  // The fingerprints of all entries, as crypto::TrustStore::Create takes them.
  std::set<std::string> Fingerprints() const;

 private:
  std::vector<RevocationEntry> entries_;
};

// Revokes `certificate` in the list file at `path`: loads it (a missing file is an empty list),
// adds the entry and replaces the file atomically (WriteFileAtomically, mode 0644), so readers
// see the old list or the new one, never half of it. Errors as LoadFile, RevocationList::Add and
// WriteFileAtomically. Two processes revoking into the same file at once may lose one of the
// entries: callers serialise revocations (the CA operator runs one `truc pki revoke` at a time).
StatusOr<RevocationEntry> RevokeInFile(const std::string& path,
                                       const crypto::Certificate& certificate,
                                       RevocationReason reason, TimePoint at);

}  // namespace truc::pki
