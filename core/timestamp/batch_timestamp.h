// Batch timestamping: many digests go into one Merkle tree (RFC 9162 hashing) and only its root
// is timestamped, so the TSA's load does not grow with traffic. Every item keeps its inclusion
// path, so that one item can be proven on its own: leaf = HashLeaf(item digest), path to the
// root, and the root is the message imprint of the token.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/base/status.h"
#include "core/timestamp/timestamper.h"

namespace truc::timestamp {

// What proves that one item was timestamped as part of a batch.
struct BatchTimestampProof {
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  std::vector<std::string> path;  // Sibling hashes from the leaf up, as in RFC 9162.
  std::string root;               // The Merkle root: the token's message imprint.
  // The token over `root`, shared by every item of the batch.
  std::shared_ptr<const TimestampToken> token;
};

// Timestamps `item_digests` (32-byte SHA-256 digests) with one call to `timestamper`. Returns one
// proof per item, in order. InvalidArgument for an empty batch or a digest of the wrong size;
// otherwise the timestamper's errors.
StatusOr<std::vector<BatchTimestampProof>> TimestampBatch(
    Timestamper& timestamper, std::span<const std::string> item_digests);

// Checks only that `item_digest`'s inclusion path leads to the proof's root (merkle.* reasons
// otherwise). Cheap: for checking many items of one batch whose token was verified once.
Status VerifyBatchInclusion(std::string_view item_digest, const BatchTimestampProof& proof);

// Verifies that `item_digest` was timestamped: VerifyBatchInclusion, then the token over the root
// (the verifier's reasons).
StatusOr<TimestampInfo> VerifyBatchItem(const TimestampVerifier& verifier,
                                        std::string_view item_digest,
                                        const BatchTimestampProof& proof);

// Gathers digests submitted concurrently (by request threads) into batches: a batch is closed
// when it holds `max_batch` items or `max_delay` after its first item arrived, then timestamped
// with one call on the batcher's own thread. Thread-safe.
class TimestampBatcher {
 public:
  struct Options {
    size_t max_batch = 10'000;
    std::chrono::milliseconds max_delay{200};
  };

  // `timestamper` must outlive the batcher.
  TimestampBatcher(Timestamper& timestamper, Options options);
  TimestampBatcher(const TimestampBatcher&) = delete;
  TimestampBatcher& operator=(const TimestampBatcher&) = delete;
  // Timestamps what is queued, then stops.
  ~TimestampBatcher();

  // The proof for `item_digest`, once its batch is timestamped (or the batch's error).
  std::future<StatusOr<BatchTimestampProof>> Submit(std::string item_digest);

  // How many batches (TSA calls) have been made.
  uint64_t batches() const;

 private:
  struct Pending {
    std::string digest;
    std::promise<StatusOr<BatchTimestampProof>> promise;
  };

  void Run();

  Timestamper& timestamper_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;  // Guarded by mu_.
  bool stopping_ = false;      // Guarded by mu_.
  uint64_t batches_ = 0;       // Guarded by mu_.
  std::thread thread_;
};

}  // namespace truc::timestamp
