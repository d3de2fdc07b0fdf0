#include "core/timestamp/batch_timestamp.h"

#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "core/crypto/digest.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/test_tsa.h"

namespace truc::timestamp {
namespace {

// Counts the calls that reach the real timestamper behind it.
class CountingTimestamper final : public Timestamper {
 public:
  explicit CountingTimestamper(Timestamper& inner) : inner_(inner) {}
  StatusOr<TimestampToken> Timestamp(std::string_view digest) override {
    ++calls;
    return inner_.Timestamp(digest);
  }
  std::atomic<int> calls{0};

 private:
  Timestamper& inner_;
};

std::vector<std::string> Digests(int count) {
  std::vector<std::string> digests;
  for (int i = 0; i < count; ++i)
    digests.push_back(crypto::Sha256("exchange " + std::to_string(i)));
  return digests;
}

TEST_CASE("10,000 digests share one timestamp and each proves itself alone", "[timestamp]") {
  testing::FakeClock clock;
  const testing::TestTsa tsa(clock);
  LocalTimestamper local(*tsa.authority, tsa.Verifier());
  CountingTimestamper counting(local);
  const TimestampVerifier verifier = tsa.Verifier();
  const std::vector<std::string> digests = Digests(10'000);

  const std::vector<BatchTimestampProof> proofs = TimestampBatch(counting, digests).value();
  CHECK(counting.calls == 1);
  REQUIRE(proofs.size() == digests.size());
  // One token for the whole batch: verify it once, then every item's path to its root.
  CHECK(verifier.VerifyToken(proofs[0].commitment->der, proofs[0].root).ok());
  int included = 0;
  for (size_t i = 0; i < digests.size(); ++i) {
    CHECK(proofs[i].commitment == proofs[0].commitment);
    included += VerifyBatchInclusion(digests[i], proofs[i]).ok() ? 1 : 0;
  }
  CHECK(included == 10'000);
  // And a sample of items verified whole, as a third party holding one item would.
  for (size_t i = 0; i < digests.size(); i += 997) {
    CHECK(VerifyBatchItem(verifier, digests[i], proofs[i]).ok());
  }
  CHECK(VerifyBatchItem(verifier, digests[42], proofs[42]).value().gen_time == clock.Now());

  SECTION("a flipped bit in the item fails") {
    std::string flipped = digests[7];
    flipped[3] ^= 0x10;
    CHECK(VerifyBatchItem(verifier, flipped, proofs[7]).status().reason() ==
          "merkle.root_mismatch");
  }
  SECTION("a flipped bit in the path fails") {
    BatchTimestampProof proof = proofs[9999];
    proof.path[5][0] ^= 0x01;
    CHECK(VerifyBatchItem(verifier, digests[9999], proof).status().reason() ==
          "merkle.root_mismatch");
  }
  SECTION("another item's proof fails") {
    CHECK_FALSE(VerifyBatchItem(verifier, digests[1], proofs[2]).ok());
  }
  SECTION("a root the token does not cover fails") {
    BatchTimestampProof proof = proofs[0];
    proof.root[0] ^= 0x01;
    CHECK_FALSE(VerifyBatchItem(verifier, digests[0], proof).ok());
  }
}

TEST_CASE("Malformed batches are refused", "[timestamp]") {
  testing::FakeClock clock;
  const testing::TestTsa tsa(clock);
  LocalTimestamper local(*tsa.authority, tsa.Verifier());
  CHECK(TimestampBatch(local, {}).status().reason() == "timestamp.empty_batch");
  const std::vector<std::string> bad = {crypto::Sha256("a"), "short"};
  CHECK(TimestampBatch(local, bad).status().message() ==
        "item 1 is a 5-byte digest; SHA-256 digests have 32");
}

TEST_CASE("Concurrent submissions are batched into few TSA calls", "[timestamp]") {
  testing::FakeClock clock;
  const testing::TestTsa tsa(clock);
  LocalTimestamper local(*tsa.authority, tsa.Verifier());
  CountingTimestamper counting(local);
  const TimestampVerifier verifier = tsa.Verifier();
  std::atomic<int> verified{0};
  uint64_t batches = 0;
  {
    TimestampBatcher batcher(counting,
                             {.max_batch = 10'000, .max_delay = std::chrono::milliseconds(100)});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        std::vector<std::pair<std::string, std::future<StatusOr<BatchTimestampProof>>>> mine;
        for (const std::string& digest : Digests(250)) {
          std::string item = crypto::Sha256(digest + std::to_string(t));
          auto future = batcher.Submit(item);
          mine.emplace_back(std::move(item), std::move(future));
        }
        for (auto& [item, future] : mine) {
          StatusOr<BatchTimestampProof> proof = future.get();
          if (proof.ok() && VerifyBatchItem(verifier, item, *proof).ok()) ++verified;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    batches = batcher.batches();
  }
  CHECK(verified == 1000);
  CHECK(batches == static_cast<uint64_t>(counting.calls.load()));
  CHECK(counting.calls <= 4);  // 1,000 items, a handful of TSA calls.
}

TEST_CASE("A full batch is sent without waiting for the delay", "[timestamp]") {
  testing::FakeClock clock;
  const testing::TestTsa tsa(clock);
  LocalTimestamper local(*tsa.authority, tsa.Verifier());
  CountingTimestamper counting(local);
  TimestampBatcher batcher(counting, {.max_batch = 100, .max_delay = std::chrono::hours(1)});
  std::vector<std::future<StatusOr<BatchTimestampProof>>> futures;
  for (const std::string& digest : Digests(100)) futures.push_back(batcher.Submit(digest));
  for (auto& future : futures) CHECK(future.get().ok());
  CHECK(counting.calls == 1);
}

}  // namespace
}  // namespace truc::timestamp
