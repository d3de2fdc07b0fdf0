// Committing to many leaves at once: the leaves go into one Merkle tree and only its root is
// committed to (timestamped, signed), once per batch; every leaf gets its inclusion path, so each
// can later be proven on its own. This is what keeps a TSA's load and the signing cost from
// growing with traffic.
//
// CommitBatch does it for leaves at hand. RootBatcher gathers leaves submitted concurrently (by
// request threads): a batch closes when it holds `max_batch` leaves or `max_delay` after its first
// leaf arrived, and is committed on the batcher's own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>

#include "core/base/status.h"
#include "core/merkle/batch_tree.h"

namespace truc::merkle {

// What proves that one leaf was in a committed batch.
template <typename Commitment>
struct BatchProof {
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  std::vector<std::string> path;  // Sibling hashes from the leaf up, as in RFC 9162.
  std::string root;
  // The commitment to `root`, shared by every leaf of the batch.
  std::shared_ptr<const Commitment> commitment;
};

template <typename Commitment>
using CommitFn = std::function<StatusOr<Commitment>(const std::string& root)>;

// Builds the tree over `leaf_hashes` (at least one), commits to its root with one call of
// `commit`, and returns one proof per leaf, in order. InvalidArgument for an empty batch;
// otherwise `commit`'s errors.
template <typename Commitment>
StatusOr<std::vector<BatchProof<Commitment>>> CommitBatch(std::vector<std::string> leaf_hashes,
                                                          const CommitFn<Commitment>& commit) {
  if (leaf_hashes.empty()) return InvalidArgumentError("empty batch", "merkle.empty_batch");
  const BatchTree tree(std::move(leaf_hashes));
  TRUC_ASSIGN_OR_RETURN(Commitment commitment, commit(tree.root()));
  const auto shared = std::make_shared<const Commitment>(std::move(commitment));
  std::vector<BatchProof<Commitment>> proofs(tree.size());
  for (uint64_t i = 0; i < tree.size(); ++i) {
    proofs[i].leaf_index = i;
    proofs[i].tree_size = tree.size();
    TRUC_ASSIGN_OR_RETURN(proofs[i].path, tree.InclusionPath(i));
    proofs[i].root = tree.root();
    proofs[i].commitment = shared;
  }
  return proofs;
}

struct BatcherOptions {
  size_t max_batch = 10'000;
  std::chrono::milliseconds max_delay{200};
};

// Thread-safe.
template <typename Commitment>
class RootBatcher {
 public:
  RootBatcher(CommitFn<Commitment> commit, BatcherOptions options)
      : commit_(std::move(commit)), options_(options), thread_([this] { Run(); }) {}
  RootBatcher(const RootBatcher&) = delete;
  RootBatcher& operator=(const RootBatcher&) = delete;

  // Commits what is queued, then stops.
  ~RootBatcher() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  using Done = std::function<void(StatusOr<BatchProof<Commitment>>)>;

  // Calls `done` with the proof for `leaf_hash` once its batch is committed (or with the batch's
  // error), on the batcher's thread: `done` must be quick and must not block.
  void Submit(std::string leaf_hash, Done done) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(Pending{std::move(leaf_hash), std::move(done)});
    }
    wake_.notify_all();
  }

  // The proof for `leaf_hash`, once its batch is committed (or the batch's error).
  std::future<StatusOr<BatchProof<Commitment>>> Submit(std::string leaf_hash) {
    auto promise = std::make_shared<std::promise<StatusOr<BatchProof<Commitment>>>>();
    auto result = promise->get_future();
    Submit(std::move(leaf_hash), [promise](StatusOr<BatchProof<Commitment>> proof) {
      promise->set_value(std::move(proof));
    });
    return result;
  }

  // How many batches have been committed (calls of `commit`).
  uint64_t batches() const {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  struct Pending {
    std::string leaf_hash;
    Done done;
  };

  void Run() {
    pthread_setname_np(pthread_self(), "root-batcher");
    while (true) {
      std::vector<Pending> batch;
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // Stopping with nothing left.
        // The first leaf opens a batch; wait for more until it is full or old enough.
        wake_.wait_until(lock, std::chrono::steady_clock::now() + options_.max_delay,
                         [this] { return stopping_ || queue_.size() >= options_.max_batch; });
        const size_t take = std::min(queue_.size(), options_.max_batch);
        for (size_t i = 0; i < take; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        ++batches_;
      }
      std::vector<std::string> leaves;
      leaves.reserve(batch.size());
      for (const Pending& pending : batch) leaves.push_back(pending.leaf_hash);
      StatusOr<std::vector<BatchProof<Commitment>>> proofs =
          CommitBatch(std::move(leaves), commit_);
      for (size_t i = 0; i < batch.size(); ++i) {
        if (proofs.ok()) {
          batch[i].done(std::move((*proofs)[i]));
        } else {
          batch[i].done(proofs.status());
        }
      }
    }
  }

  const CommitFn<Commitment> commit_;
  const BatcherOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;  // Guarded by mu_.
  bool stopping_ = false;      // Guarded by mu_.
  uint64_t batches_ = 0;       // Guarded by mu_.
  std::thread thread_;         // Last: started once everything above is ready.
};

}  // namespace truc::merkle
