#include "core/evidence/verification_cache.h"

#include <mutex>

#include "core/crypto/digest.h"
#include "proto/timestamp_conversion.h"

namespace truc::evidence {
namespace {

// Each part length-prefixed, so that no two different sequences hash alike.
void AddPart(crypto::Hasher& hasher, std::string_view part) {
  const uint64_t size = part.size();
  char prefix[8];
  for (int i = 0; i < 8; ++i) prefix[i] = static_cast<char>(size >> (56 - 8 * i));
  hasher.Update(std::string_view(prefix, sizeof(prefix)));
  hasher.Update(part);
}

std::string ChainKey(const v1::BatchSignature& signature) {
  crypto::Hasher hasher(crypto::DigestAlgorithm::kSha256);
  for (const std::string& der : signature.certificate_chain()) AddPart(hasher, der);
  return hasher.Finish();
}

std::string RootKey(const std::string& chain_key, const v1::BatchSignature& signature) {
  crypto::Hasher hasher(crypto::DigestAlgorithm::kSha256);
  AddPart(hasher, chain_key);
  AddPart(hasher, signature.merkle_root());
  AddPart(hasher, signature.signed_at().SerializeAsString());
  AddPart(hasher, signature.signature().key_id());
  AddPart(hasher, signature.signature().value());
  return hasher.Finish();
}

}  // namespace

void VerificationCache::Renew(uint64_t generation) {
  // A call still working under an older configuration neither clears nor adds.
  if (generation <= generation_) return;
  generation_ = generation;
  chains_.clear();
  roots_.clear();
}

StatusOr<std::shared_ptr<const VerifiedSigner>> VerificationCache::Signer(
    const v1::BatchSignature& signature, const std::string& chain_key, TimePoint at,
    const crypto::TrustStore& trust, uint64_t generation) {
  {
    std::shared_lock lock(mu_);
    if (generation == generation_) {
      const auto found = chains_.find(chain_key);
      // Outside the window the chain may not hold: verify afresh, for the precise error.
      if (found != chains_.end() && at >= found->second->valid_from &&
          at <= found->second->valid_until) {
        ++chain_hits_;
        return found->second;
      }
    }
  }
  ++chain_misses_;
  TRUC_ASSIGN_OR_RETURN(VerifiedSigner verified,
                        VerifySignerChain(signature.certificate_chain(), at, trust));
  auto shared = std::make_shared<const VerifiedSigner>(std::move(verified));
  std::unique_lock lock(mu_);
  Renew(generation);
  if (generation == generation_) {
    if (chains_.size() >= options_.max_chains) chains_.clear();
    chains_[chain_key] = shared;
  }
  return shared;
}

StatusOr<TimePoint> VerificationCache::VerifyMessageSignature(const v1::MessageEvidence& evidence,
                                                              const v1::BatchSignature& signature,
                                                              const ids::MemberId& signer,
                                                              const crypto::TrustStore& trust,
                                                              uint64_t generation) {
  TRUC_RETURN_IF_ERROR(VerifyBatchInclusion(evidence, signature));
  const TimePoint signed_at = proto::FromProtoTimestamp(signature.signed_at());
  const std::string chain_key = ChainKey(signature);
  TRUC_ASSIGN_OR_RETURN(const std::shared_ptr<const VerifiedSigner> verified,
                        Signer(signature, chain_key, signed_at, trust, generation));
  TRUC_RETURN_IF_ERROR(CheckSignerIs(*verified, signer));
  const std::string root_key = RootKey(chain_key, signature);
  {
    std::shared_lock lock(mu_);
    if (generation == generation_ && roots_.contains(root_key)) {
      ++root_hits_;
      return signed_at;
    }
  }
  ++root_misses_;
  TRUC_RETURN_IF_ERROR(VerifyBatchRoot(signature, verified->key));
  std::unique_lock lock(mu_);
  Renew(generation);
  if (generation == generation_) {
    if (roots_.size() >= options_.max_roots) roots_.clear();
    roots_.insert(root_key);
  }
  return signed_at;
}

VerificationCache::Counts VerificationCache::counts() const {
  return {chain_hits_.load(), chain_misses_.load(), root_hits_.load(), root_misses_.load()};
}

}  // namespace truc::evidence
