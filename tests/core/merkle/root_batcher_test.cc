#include "core/merkle/root_batcher.h"

#include <atomic>
#include <catch2/catch.hpp>

#include "core/merkle/hash.h"
#include "core/merkle/verify.h"

namespace truc::merkle {
namespace {

std::vector<std::string> Leaves(int count, const std::string& prefix) {
  std::vector<std::string> leaves;
  for (int i = 0; i < count; ++i) leaves.push_back(HashLeaf(prefix + std::to_string(i)));
  return leaves;
}

TEST_CASE("A committed batch gives every leaf a proof to the committed root", "[merkle]") {
  int commits = 0;
  const CommitFn<std::string> commit = [&](const std::string& root) -> StatusOr<std::string> {
    ++commits;
    return "signed:" + root;
  };
  const std::vector<std::string> leaves = Leaves(37, "leaf");
  const auto proofs = CommitBatch(leaves, commit).value();
  CHECK(commits == 1);
  REQUIRE(proofs.size() == 37);
  for (size_t i = 0; i < leaves.size(); ++i) {
    CHECK(*proofs[i].commitment == "signed:" + proofs[i].root);
    CHECK(VerifyInclusion(leaves[i], i, 37, proofs[i].path, proofs[i].root).ok());
  }
  CHECK(CommitBatch({}, commit).status().reason() == "merkle.empty_batch");
  const CommitFn<std::string> failing = [](const std::string&) -> StatusOr<std::string> {
    return UnavailableError("signer down");
  };
  CHECK(CommitBatch(leaves, failing).status().message() == "signer down");
}

TEST_CASE("The batcher commits concurrent submissions in few batches", "[merkle]") {
  std::atomic<int> commits{0};
  RootBatcher<std::string> batcher(
      [&](const std::string& root) -> StatusOr<std::string> {
        ++commits;
        return root;
      },
      {.max_batch = 1000, .max_delay = std::chrono::milliseconds(50)});
  std::vector<std::thread> threads;
  std::atomic<int> proven{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::pair<std::string, std::future<StatusOr<BatchProof<std::string>>>>> mine;
      for (const std::string& leaf : Leaves(100, "thread" + std::to_string(t) + "-")) {
        mine.emplace_back(leaf, batcher.Submit(leaf));
      }
      for (auto& [leaf, future] : mine) {
        const StatusOr<BatchProof<std::string>> proof = future.get();
        if (proof.ok() &&
            VerifyInclusion(leaf, proof->leaf_index, proof->tree_size, proof->path, proof->root)
                .ok()) {
          ++proven;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(proven == 400);
  CHECK(commits <= 4);
  CHECK(batcher.batches() == static_cast<uint64_t>(commits.load()));
}

}  // namespace
}  // namespace truc::merkle
