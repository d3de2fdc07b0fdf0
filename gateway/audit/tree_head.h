// Signed, timestamped tree heads of a gateway's audit log.
//
// The audit log is an RFC 9162 Merkle tree over the gateway's exchange records. A tree head (size
// and root) is signed with the gateway's member signing key and timestamped by an approved TSA;
// inclusion proofs for records and consistency proofs between heads are then checked against
// signed heads (core/merkle/verify.h). What is signed is plain text, so that an auditor needs
// nothing but openssl (docs/evidence.md, "Tree heads").
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/crypto/trust_store.h"
#include "core/ids/identifiers.h"
#include "core/timestamp/timestamp_token.h"
#include "truc/v1/tree_head.pb.h"

namespace truc::gateway::audit {

// kInvalidArgument: a head whose root is not 32 bytes, or a signed head lacking its signing time,
// certificate chain or timestamp token.
inline constexpr std::string_view kMalformedTreeHead = "audit.malformed_tree_head";
// kUnauthenticated: the head was signed by another member than the one expected.
inline constexpr std::string_view kWrongSigner = "audit.wrong_signer";

// The text a tree head signature signs and its timestamp covers:
//   "truc.v1.tree-head\n<size, decimal>\n<root, lower-case hex>\n<signed_at, RFC 3339 UTC with
//   milliseconds>\n".
std::string TreeHeadPayload(const v1::TreeHead& head, TimePoint signed_at);

// SHA-256 of `signed_head`'s payload: the message imprint of its timestamp token.
std::string TreeHeadDigest(const v1::SignedTreeHead& signed_head);

// Signs `head` with `signer` at the clock's now (to the millisecond). `chain` is the signing
// certificate, then its issuers; it is copied into the result. The result has no timestamp token
// yet: timestamp TreeHeadDigest(result) and set it. Errors: kMalformedTreeHead, the signer's.
// Thread-safe as far as `signer` and `clock` are.
StatusOr<v1::SignedTreeHead> SignTreeHead(const v1::TreeHead& head, const crypto::Signer& signer,
                                          std::span<const crypto::Certificate> chain,
                                          const Clock& clock);

// Verifies that `signed_head` was signed by member `signer` and timestamped, and returns the
// token's genTime. Checks, in this order, each failure with its own reason:
//   1. the fields are present and well formed (kMalformedTreeHead; the certificates parse);
//   2. the signature verifies over the payload with the chain's leaf (crypto.signature_mismatch
//      for a changed head, time or signature value; crypto.wrong_key);
//   3. the token is valid and covers TreeHeadDigest (`timestamps`' timestamp.* reasons, e.g.
//      timestamp.imprint_mismatch for a token over other data);
//   4. the chain leads to an approved CA in `trust` and is unrevoked and valid at the token's
//      genTime, the time the signature is proven to have existed by (crypto.cert_* reasons);
//   5. the leaf is a member signing certificate (pki.wrong_profile) of `signer` (kWrongSigner).
// Thread-safe.
StatusOr<TimePoint> VerifySignedTreeHead(const v1::SignedTreeHead& signed_head,
                                         const ids::MemberId& signer,
                                         const crypto::TrustStore& trust,
                                         const timestamp::TimestampVerifier& timestamps);

}  // namespace truc::gateway::audit
