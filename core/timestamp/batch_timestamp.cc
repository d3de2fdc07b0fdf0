#include "core/timestamp/batch_timestamp.h"

#include <fmt/format.h>

#include "core/merkle/hash.h"
#include "core/merkle/verify.h"

namespace truc::timestamp {
namespace {

Status CheckDigest(std::string_view digest, size_t index) {
  if (digest.size() == 32) return OkStatus();
  return InvalidArgumentError(
      fmt::format("item {} is a {}-byte digest; SHA-256 digests have 32", index, digest.size()),
      "timestamp.bad_digest");
}

merkle::CommitFn<TimestampToken> TimestampRoot(Timestamper& timestamper) {
  return [&timestamper](const std::string& root) { return timestamper.Timestamp(root); };
}

}  // namespace

StatusOr<std::vector<BatchTimestampProof>> TimestampBatch(
    Timestamper& timestamper, std::span<const std::string> item_digests) {
  if (item_digests.empty()) {
    return InvalidArgumentError("nothing to timestamp", "timestamp.empty_batch");
  }
  std::vector<std::string> leaves;
  leaves.reserve(item_digests.size());
  for (size_t i = 0; i < item_digests.size(); ++i) {
    TRUC_RETURN_IF_ERROR(CheckDigest(item_digests[i], i));
    leaves.push_back(merkle::HashLeaf(item_digests[i]));
  }
  return merkle::CommitBatch(std::move(leaves), TimestampRoot(timestamper));
}

Status VerifyBatchInclusion(std::string_view item_digest, const BatchTimestampProof& proof) {
  return merkle::VerifyInclusion(merkle::HashLeaf(item_digest), proof.leaf_index, proof.tree_size,
                                 proof.path, proof.root)
      .Annotate("item is not in the timestamped batch");
}

StatusOr<TimestampInfo> VerifyBatchItem(const TimestampVerifier& verifier,
                                        std::string_view item_digest,
                                        const BatchTimestampProof& proof) {
  if (proof.commitment == nullptr) {
    return InvalidArgumentError("the proof carries no timestamp token", "timestamp.malformed");
  }
  TRUC_RETURN_IF_ERROR(VerifyBatchInclusion(item_digest, proof));
  return verifier.VerifyToken(proof.commitment->der, proof.root);
}

TimestampBatcher::TimestampBatcher(Timestamper& timestamper, merkle::BatcherOptions options)
    : batcher_(TimestampRoot(timestamper), options) {}

std::future<StatusOr<BatchTimestampProof>> TimestampBatcher::Submit(std::string item_digest) {
  if (Status valid = CheckDigest(item_digest, 0); !valid.ok()) {
    std::promise<StatusOr<BatchTimestampProof>> refused;
    refused.set_value(std::move(valid));
    return refused.get_future();
  }
  return batcher_.Submit(merkle::HashLeaf(item_digest));
}

}  // namespace truc::timestamp
