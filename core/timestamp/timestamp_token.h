// RFC 3161 timestamp tokens: requesting them, and verifying them against the federation's
// approved timestamp authorities, online (a fresh reply) or offline (a token kept as evidence).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/crypto/certificate.h"
#include "core/crypto/trust_store.h"

namespace truc::timestamp {

// Reasons for failures, all distinct so that callers and auditors can tell them apart.
inline constexpr std::string_view kMalformed = "timestamp.malformed";
inline constexpr std::string_view kRejected = "timestamp.rejected";
inline constexpr std::string_view kBadSignature = "timestamp.bad_signature";
inline constexpr std::string_view kUnapprovedTsa = "timestamp.unapproved_tsa";
inline constexpr std::string_view kImprintMismatch = "timestamp.imprint_mismatch";
inline constexpr std::string_view kNonceMismatch = "timestamp.nonce_mismatch";

// What a verified token says.
struct TimestampInfo {
  TimePoint gen_time;
  std::string serial_hex;
  std::string policy_oid;
  std::string imprint;  // The SHA-256 digest the token covers, raw bytes.
  std::string tsa_subject;
};

// A token (DER CMS SignedData, what `openssl ts -reply -token_out` gives) and what it says.
struct TimestampToken {
  std::string der;
  TimestampInfo info;
};

// A DER TimeStampReq for a SHA-256 digest, asking for the TSA's certificate, with `nonce`
// (raw big-endian bytes; empty for none).
StatusOr<std::string> MakeTimestampQuery(std::string_view sha256_digest, std::string_view nonce);

// Verifies tokens against the approved TSAs. Immutable; thread-safe.
class TimestampVerifier {
 public:
  // `approved_tsas`: the TSA certificates the federation approves; `ca_store`: the approved CAs
  // their chains must lead to (and the revocations to honour).
  static StatusOr<TimestampVerifier> Create(std::vector<crypto::Certificate> approved_tsas,
                                            crypto::TrustStore ca_store);

  // Verifies a DER token over `sha256_digest`: signed by an approved, unrevoked TSA whose chain
  // is valid at the token's genTime, and covering exactly that digest. Errors carry the reasons
  // above (kUnauthenticated, or kInvalidArgument for kMalformed).
  StatusOr<TimestampInfo> VerifyToken(std::string_view token_der,
                                      std::string_view sha256_digest) const;

  // Checks a DER TimeStampResp to a query made with MakeTimestampQuery(digest, nonce): granted
  // (else kRejected with the TSA's status text), matching nonce, then VerifyToken.
  StatusOr<TimestampToken> VerifyReply(std::string_view reply_der, std::string_view sha256_digest,
                                       std::string_view nonce) const;

 private:
  TimestampVerifier(std::vector<crypto::Certificate> approved, crypto::TrustStore store)
      : approved_(std::move(approved)), store_(std::move(store)) {}

  std::vector<crypto::Certificate> approved_;
  crypto::TrustStore store_;
};

}  // namespace truc::timestamp
