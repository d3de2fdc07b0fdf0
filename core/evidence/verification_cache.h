// What a gateway has verified of its peers' signatures, so that each thing is verified once:
// a signer's certificate chain is parsed and verified once (not for every message it signs), and
// a batch root's signature once for all the messages of the batch (each message's inclusion path
// is still checked).
//
// Results hold for one trust store (one global configuration): the caller names it with a
// generation that grows with each new one (the configuration's version), and everything learnt
// is forgotten when a newer generation is seen, so that a revocation or a new CA takes effect
// with the configuration that brings it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/evidence/message_signing.h"

namespace truc::evidence {

struct VerificationCacheOptions {
  // Entries kept of each kind; when full, the cache starts afresh (a bounded cost for a peer
  // that sends endless distinct chains or batches).
  size_t max_chains = 1024;
  size_t max_roots = 16384;
};

// Thread-safe.
class VerificationCache {
 public:
  explicit VerificationCache(VerificationCacheOptions options = {}) : options_(options) {}

  // As evidence::VerifyMessageSignature, with the same errors, for `trust` of `generation`.
  StatusOr<TimePoint> VerifyMessageSignature(const v1::MessageEvidence& evidence,
                                             const v1::BatchSignature& signature,
                                             const ids::MemberId& signer,
                                             const crypto::TrustStore& trust, uint64_t generation);

  struct Counts {
    uint64_t chain_hits = 0, chain_misses = 0, root_hits = 0, root_misses = 0;
  };
  Counts counts() const;

 private:
  // A verified chain, and the number it was given when it was verified (never reused).
  struct Chain {
    std::shared_ptr<const VerifiedSigner> signer;
    uint64_t id = 0;
  };
  // The signer for `signature`'s chain (whose key is `chain_key`), verified at `at`.
  StatusOr<Chain> Signer(const v1::BatchSignature& signature, const std::string& chain_key,
                         TimePoint at, const crypto::TrustStore& trust, uint64_t generation);
  // Forgets everything when `generation` is newer than the current one; call with mu_ held
  // exclusively.
  void Renew(uint64_t generation);

  const VerificationCacheOptions options_;
  mutable std::shared_mutex mu_;
  uint64_t generation_ = 0;  // Guarded by mu_; 0 before the first call.
  // Keys are the very bytes compared (each part length-prefixed), not digests of them: a lookup
  // hashes them with the table's fast hash and compares them whole, which costs less than a
  // SHA-256 of a certificate chain for every message.
  // The chain's certificates -> the signer it verified as.
  std::unordered_map<std::string, Chain> chains_;  // Guarded by mu_.
  uint64_t next_chain_id_ = 1;                     // Guarded by mu_.
  // (chain id, root, signing time, signature) of batch roots whose signature verified.
  std::unordered_set<std::string> roots_;  // Guarded by mu_.
  std::atomic<uint64_t> chain_hits_{0}, chain_misses_{0}, root_hits_{0}, root_misses_{0};
};

}  // namespace truc::evidence
