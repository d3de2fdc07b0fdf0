// Batch timestamping: many digests go into one Merkle tree (RFC 9162 hashing) and only its root
// is timestamped, so the TSA's load does not grow with traffic. Every item keeps its inclusion
// path, so that one item can be proven on its own: leaf = HashLeaf(item digest), path to the
// root, and the root is the message imprint of the token.
#pragma once

#include <future>
#include <span>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/merkle/root_batcher.h"
#include "core/timestamp/timestamper.h"

namespace truc::timestamp {

// The proof that one item was timestamped; `commitment` is the token over `root`.
using BatchTimestampProof = merkle::BatchProof<TimestampToken>;

// Timestamps `item_digests` (32-byte SHA-256 digests) with one call to `timestamper`. Returns one
// proof per item, in order. InvalidArgument for an empty batch or a digest of the wrong size;
// otherwise the timestamper's errors.
StatusOr<std::vector<BatchTimestampProof>> TimestampBatch(Timestamper& timestamper,
                                                          std::span<const std::string> item_digests);

// Checks only that `item_digest`'s inclusion path leads to the proof's root (merkle.* reasons
// otherwise). Cheap: for checking many items of one batch whose token was verified once.
Status VerifyBatchInclusion(std::string_view item_digest, const BatchTimestampProof& proof);

// Verifies that `item_digest` was timestamped: VerifyBatchInclusion, then the token over the root
// (the verifier's reasons).
StatusOr<TimestampInfo> VerifyBatchItem(const TimestampVerifier& verifier,
                                        std::string_view item_digest,
                                        const BatchTimestampProof& proof);

// Gathers digests submitted concurrently into batches, each timestamped with one call (see
// merkle::RootBatcher). Thread-safe.
class TimestampBatcher {
 public:
  // `timestamper` must outlive the batcher.
  TimestampBatcher(Timestamper& timestamper, merkle::BatcherOptions options);

  // The proof for `item_digest` (32 bytes), once its batch is timestamped, or the batch's error.
  std::future<StatusOr<BatchTimestampProof>> Submit(std::string item_digest);

  // How many batches (TSA calls) have been made.
  uint64_t batches() const { return batcher_.batches(); }

 private:
  merkle::RootBatcher<TimestampToken> batcher_;
};

}  // namespace truc::timestamp
