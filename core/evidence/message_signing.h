// Signing and verifying the evidence of exchanged messages.
//
// Every request and response is vouched for by its sender's member signing key. The sender
// describes the message in a MessageEvidence (ids, digests of the headers and of the body kept
// apart, and for a response the hash of its request); its deterministic serialization is a leaf
// of a Merkle tree over all messages signed in the same moment, and one signature covers the
// root (BatchSigner). Each message carries its BatchSignature: root, inclusion path, signature,
// time and the signer's certificate chain. A receiver or an auditor checks one message on its own
// (VerifyMessageSignature). Formats: docs/evidence.md.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/crypto/trust_store.h"
#include "core/ids/identifiers.h"
#include "core/merkle/root_batcher.h"
#include "truc/v1/evidence.pb.h"
#include "truc/v1/service_api.pb.h"

namespace truc::evidence {

using HeaderFields = std::vector<std::pair<std::string, std::string>>;

// `headers` (the header fields of a message on the wire, or of a logged record) in order.
HeaderFields HeaderFieldsOf(const google::protobuf::RepeatedPtrField<v1::Header>& headers);

// SHA-256 over the canonical form of `headers`: fields ordered by lower-cased name (fields with
// the same name keep their order), each written "name:value\n" with the name lower-cased and the
// value as is.
std::string HeadersDigest(const HeaderFields& headers);

// Both digests of a message.
v1::MessageDigests DigestMessage(const HeaderFields& headers, std::string_view body);

// The deterministic serialization of `evidence`: the bytes a leaf is made of.
std::string SerializeEvidence(const v1::MessageEvidence& evidence);

// SHA-512 of the request's serialized evidence: what a response carries in request_hash (and the
// REST interface in X-Road-Request-Hash, base64).
std::string RequestHash(const v1::MessageEvidence& request);

// The text a batch signature signs (see evidence.proto).
std::string BatchRootPayload(std::string_view root, TimePoint signed_at);

// Signs evidence in batches (merkle::RootBatcher): concurrent messages share one signature.
// Thread-safe. Signing runs on the batcher's thread, never the caller's.
class BatchSigner {
 public:
  // `signer` and `clock` must outlive this; `chain` is the signing certificate, then its issuers.
  BatchSigner(const crypto::Signer& signer, std::vector<crypto::Certificate> chain,
              const Clock& clock, merkle::BatcherOptions options);

  // The signature for `evidence`, once its batch is signed, or the signer's error. The future
  // must be waited on while this BatchSigner exists (it is satisfied by the batcher).
  std::future<StatusOr<v1::BatchSignature>> Sign(const v1::MessageEvidence& evidence);

  using Done = std::function<void(StatusOr<v1::BatchSignature>)>;
  // Calls `done` with the signature for `evidence` once its batch is signed (or the signer's
  // error), on the batcher's thread: `done` must be quick and must not block.
  void Sign(const v1::MessageEvidence& evidence, Done done);

  uint64_t batches() const { return batcher_.batches(); }

 private:
  struct SignedRoot {
    crypto::Signature signature;
    TimePoint signed_at;
  };

  StatusOr<SignedRoot> SignRoot(const std::string& root) const;

  const crypto::Signer& signer_;
  // Shared with the futures Sign hands out, which may outlive a moment of this object.
  const std::shared_ptr<const std::vector<std::string>> chain_der_;
  const Clock& clock_;
  merkle::RootBatcher<SignedRoot> batcher_;  // Last: its thread uses the members above.
};

// Verifies that `evidence` was signed by member `signer`: the evidence is in the signed batch
// (merkle.* reasons), the signer's certificate chains to `trust` (approved CAs and revocations)
// at the signing time (crypto.cert_* reasons), is a member signing certificate of `signer`
// ("evidence.wrong_profile", "evidence.wrong_signer"), and the signature verifies
// (crypto.signature_mismatch, crypto.wrong_key). Returns the signing time. Thread-safe.
StatusOr<TimePoint> VerifyMessageSignature(const v1::MessageEvidence& evidence,
                                           const v1::BatchSignature& signature,
                                           const ids::MemberId& signer,
                                           const crypto::TrustStore& trust);

// The steps of VerifyMessageSignature, for callers that keep what they verified
// (VerificationCache).

// Checks that `evidence` is the leaf the inclusion proof of `signature` leads from to its root.
Status VerifyBatchInclusion(const v1::MessageEvidence& evidence,
                            const v1::BatchSignature& signature);

// Who a verified certificate chain vouches for.
struct VerifiedSigner {
  crypto::PublicKey key;  // The leaf's.
  ids::MemberId member;   // The member its signing certificate names.
  // The chain, as verified, holds for any time in [valid_from, valid_until]: the intersection
  // of its certificates' validity periods (revocation is a matter of the trust store).
  TimePoint valid_from;
  TimePoint valid_until;
};

// Parses `chain_der` (leaf first) and verifies it as VerifyMessageSignature does: it chains to
// `trust` at `at`, and its leaf is a member signing certificate.
StatusOr<VerifiedSigner> VerifySignerChain(
    const google::protobuf::RepeatedPtrField<std::string>& chain_der, TimePoint at,
    const crypto::TrustStore& trust);

// "evidence.wrong_signer" unless `verified` is a certificate of member `signer`.
Status CheckSignerIs(const VerifiedSigner& verified, const ids::MemberId& signer);

// Checks that `key` made the signature of `signature`'s batch root at its signing time.
Status VerifyBatchRoot(const v1::BatchSignature& signature, const crypto::PublicKey& key);

}  // namespace truc::evidence
