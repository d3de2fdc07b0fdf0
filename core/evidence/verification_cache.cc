#include "core/evidence/verification_cache.h"

#include <mutex>

#include "proto/timestamp_conversion.h"

namespace truc::evidence {
namespace {

// Eight bytes, big-endian.
void AddNumber(std::string& key, uint64_t number) {
  for (int i = 0; i < 8; ++i) key.push_back(static_cast<char>(number >> (56 - 8 * i)));
}

// Each part length-prefixed, so that no two different sequences give the same key.
void AddPart(std::string& key, std::string_view part) {
  AddNumber(key, part.size());
  key.append(part);
}

std::string ChainKey(const v1::BatchSignature& signature) {
  size_t size = 0;
  for (const std::string& der : signature.certificate_chain()) size += 8 + der.size();
  std::string key;
  key.reserve(size);
  for (const std::string& der : signature.certificate_chain()) AddPart(key, der);
  return key;
}

std::string RootKey(uint64_t chain_id, const v1::BatchSignature& signature) {
  std::string key;
  key.reserve(8 * 6 + signature.merkle_root().size() + signature.signature().key_id().size() +
              signature.signature().value().size());
  AddNumber(key, chain_id);
  AddPart(key, signature.merkle_root());
  AddNumber(key, static_cast<uint64_t>(signature.signed_at().seconds()));
  AddNumber(key, static_cast<uint64_t>(signature.signed_at().nanos()));
  AddPart(key, signature.signature().key_id());
  AddPart(key, signature.signature().value());
  return key;
}

}  // namespace

void VerificationCache::Renew(uint64_t generation) {
  // A call still working under an older configuration neither clears nor adds.
  if (generation <= generation_) return;
  generation_ = generation;
  chains_.clear();
  roots_.clear();
}

StatusOr<VerificationCache::Chain> VerificationCache::Signer(const v1::BatchSignature& signature,
                                                             const std::string& chain_key,
                                                             TimePoint at,
                                                             const crypto::TrustStore& trust,
                                                             uint64_t generation) {
  {
    std::shared_lock lock(mu_);
    if (generation == generation_) {
      const auto found = chains_.find(chain_key);
      // Outside the window the chain may not hold: verify afresh, for the precise error.
      if (found != chains_.end() && at >= found->second.signer->valid_from &&
          at <= found->second.signer->valid_until) {
        ++chain_hits_;
        return found->second;
      }
    }
  }
  ++chain_misses_;
  TRUC_ASSIGN_OR_RETURN(VerifiedSigner verified,
                        VerifySignerChain(signature.certificate_chain(), at, trust));
  Chain chain{std::make_shared<const VerifiedSigner>(std::move(verified)), 0};
  std::unique_lock lock(mu_);
  // Numbered even when not kept, so that a root verified under it is never taken for another's.
  chain.id = next_chain_id_++;
  Renew(generation);
  if (generation == generation_) {
    if (chains_.size() >= options_.max_chains) chains_.clear();
    chains_[chain_key] = chain;
  }
  return chain;
}

StatusOr<TimePoint> VerificationCache::VerifyMessageSignature(const v1::MessageEvidence& evidence,
                                                              const v1::BatchSignature& signature,
                                                              const ids::MemberId& signer,
                                                              const crypto::TrustStore& trust,
                                                              uint64_t generation) {
  TRUC_RETURN_IF_ERROR(VerifyBatchInclusion(evidence, signature));
  const TimePoint signed_at = proto::FromProtoTimestamp(signature.signed_at());
  const std::string chain_key = ChainKey(signature);
  TRUC_ASSIGN_OR_RETURN(const Chain chain,
                        Signer(signature, chain_key, signed_at, trust, generation));
  TRUC_RETURN_IF_ERROR(CheckSignerIs(*chain.signer, signer));
  const std::string root_key = RootKey(chain.id, signature);
  {
    std::shared_lock lock(mu_);
    if (generation == generation_ && roots_.contains(root_key)) {
      ++root_hits_;
      return signed_at;
    }
  }
  ++root_misses_;
  TRUC_RETURN_IF_ERROR(VerifyBatchRoot(signature, chain.signer->key));
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
