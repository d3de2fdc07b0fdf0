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
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>

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
  // The signer for `signature`'s chain, verified at `at`.
  StatusOr<std::shared_ptr<const VerifiedSigner>> Signer(const v1::BatchSignature& signature,
                                                         const std::string& chain_key, TimePoint at,
                                                         const crypto::TrustStore& trust,
                                                         uint64_t generation);
  // Forgets everything when `generation` is newer than the current one; call with mu_ held
  // exclusively.
  void Renew(uint64_t generation);

  const VerificationCacheOptions options_;
  mutable std::shared_mutex mu_;
  uint64_t generation_ = 0;  // Guarded by mu_; 0 before the first call.
  // SHA-256 of the chain's certificates -> the signer it verified as.
  std::map<std::string, std::shared_ptr<const VerifiedSigner>> chains_;  // Guarded by mu_.
  // SHA-256 of (chain, root, signing time, signature) of batch roots whose signature verified.
  std::set<std::string> roots_;  // Guarded by mu_.
  std::atomic<uint64_t> chain_hits_{0}, chain_misses_{0}, root_hits_{0}, root_misses_{0};
};

}  // namespace truc::evidence
