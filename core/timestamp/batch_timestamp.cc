#include "core/timestamp/batch_timestamp.h"

#include <fmt/format.h>

#include "core/merkle/batch_tree.h"
#include "core/merkle/hash.h"
#include "core/merkle/verify.h"

namespace truc::timestamp {

StatusOr<std::vector<BatchTimestampProof>> TimestampBatch(
    Timestamper& timestamper, std::span<const std::string> item_digests) {
  if (item_digests.empty()) {
    return InvalidArgumentError("nothing to timestamp", "timestamp.empty_batch");
  }
  std::vector<std::string> leaves;
  leaves.reserve(item_digests.size());
  for (size_t i = 0; i < item_digests.size(); ++i) {
    if (item_digests[i].size() != 32) {
      return InvalidArgumentError(
          fmt::format("item {} is a {}-byte digest; SHA-256 digests have 32", i,
                      item_digests[i].size()),
          "timestamp.bad_digest");
    }
    leaves.push_back(merkle::HashLeaf(item_digests[i]));
  }
  const merkle::BatchTree tree(std::move(leaves));
  TRUC_ASSIGN_OR_RETURN(TimestampToken token, timestamper.Timestamp(tree.root()));
  const auto shared_token = std::make_shared<const TimestampToken>(std::move(token));
  std::vector<BatchTimestampProof> proofs(item_digests.size());
  for (uint64_t i = 0; i < tree.size(); ++i) {
    BatchTimestampProof& proof = proofs[i];
    proof.leaf_index = i;
    proof.tree_size = tree.size();
    TRUC_ASSIGN_OR_RETURN(proof.path, tree.InclusionPath(i));
    proof.root = tree.root();
    proof.token = shared_token;
  }
  return proofs;
}

Status VerifyBatchInclusion(std::string_view item_digest, const BatchTimestampProof& proof) {
  return merkle::VerifyInclusion(merkle::HashLeaf(item_digest), proof.leaf_index, proof.tree_size,
                                 proof.path, proof.root)
      .Annotate("item is not in the timestamped batch");
}

StatusOr<TimestampInfo> VerifyBatchItem(const TimestampVerifier& verifier,
                                        std::string_view item_digest,
                                        const BatchTimestampProof& proof) {
  if (proof.token == nullptr) {
    return InvalidArgumentError("the proof carries no timestamp token", "timestamp.malformed");
  }
  TRUC_RETURN_IF_ERROR(VerifyBatchInclusion(item_digest, proof));
  return verifier.VerifyToken(proof.token->der, proof.root);
}

TimestampBatcher::TimestampBatcher(Timestamper& timestamper, Options options)
    : timestamper_(timestamper), options_(options), thread_([this] { Run(); }) {}

TimestampBatcher::~TimestampBatcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::future<StatusOr<BatchTimestampProof>> TimestampBatcher::Submit(std::string item_digest) {
  Pending pending{std::move(item_digest), {}};
  std::future<StatusOr<BatchTimestampProof>> result = pending.promise.get_future();
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(pending));
  }
  wake_.notify_all();
  return result;
}

uint64_t TimestampBatcher::batches() const {
  std::lock_guard lock(mu_);
  return batches_;
}

void TimestampBatcher::Run() {
  while (true) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // Stopping with nothing left.
      // The first item opens a batch; wait for more until it is full or old enough.
      const auto deadline = std::chrono::steady_clock::now() + options_.max_delay;
      wake_.wait_until(lock, deadline,
                       [this] { return stopping_ || queue_.size() >= options_.max_batch; });
      const size_t take = std::min(queue_.size(), options_.max_batch);
      for (size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      ++batches_;
    }
    std::vector<std::string> digests;
    digests.reserve(batch.size());
    for (const Pending& pending : batch) digests.push_back(pending.digest);
    StatusOr<std::vector<BatchTimestampProof>> proofs = TimestampBatch(timestamper_, digests);
    for (size_t i = 0; i < batch.size(); ++i) {
      if (proofs.ok()) {
        batch[i].promise.set_value(std::move((*proofs)[i]));
      } else {
        batch[i].promise.set_value(proofs.status());
      }
    }
  }
}

}  // namespace truc::timestamp
