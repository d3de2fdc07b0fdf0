// What the tree head tests share: a log in memory, a TSA that can be taken down, and a gateway's
// member signing certificate from a test federation.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/ids/identifiers.h"
#include "core/merkle/hash.h"
#include "core/merkle/tree.h"
#include "core/timestamp/timestamper.h"
#include "gateway/audit/tree_head_sealer.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/test_federation.h"
#include "tests/support/test_tsa.h"

namespace truc::gateway::audit {

inline const ids::MemberId kGatewayOwner = ids::MemberId::Parse("VN/GOV/000900").value();

// An audit log that keeps its leaf hashes in memory. Thread-safe.
class FakeLog final : public TreeHeadSource {
 public:
  // Appends `count` new records and returns the log's new size.
  uint64_t Append(int count) {
    std::lock_guard<std::mutex> lock(mu_);
    for (int i = 0; i < count; ++i) {
      leaves_.push_back(merkle::HashLeaf(fmt::format("record {}", appended_++)));
    }
    return leaves_.size();
  }

  // Forgets every record from `size` on, as a log restored from an old backup would.
  void Truncate(uint64_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    leaves_.resize(size);
  }

  std::vector<std::string> LeafHashes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return leaves_;
  }

  StatusOr<v1::TreeHead> Head() const override {
    std::lock_guard<std::mutex> lock(mu_);
    v1::TreeHead head;
    head.set_size(leaves_.size());
    head.set_root_hash(merkle::RootFromLeafHashes(leaves_));
    return head;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> leaves_;  // Guarded by mu_.
  int appended_ = 0;                 // Ever, so that no two records are alike. Guarded by mu_.
};

// A real TSA in the process that counts the calls made to it and can be taken down.
class SwitchableTimestamper final : public timestamp::Timestamper {
 public:
  explicit SwitchableTimestamper(const testing::TestTsa& tsa)
      : tsa_(*tsa.authority, tsa.Verifier()) {}

  StatusOr<timestamp::TimestampToken> Timestamp(std::string_view sha256_digest) override {
    ++calls;
    if (down) return UnavailableError("the TSA does not answer", "timestamp.unavailable");
    return tsa_.Timestamp(sha256_digest);
  }

  std::atomic<bool> down{false};
  std::atomic<int> calls{0};

 private:
  timestamp::LocalTimestamper tsa_;
};

struct SealingFixture {
  // Certificates are valid around `now`; openssl tests pass the real time.
  explicit SealingFixture(TimePoint now = testing::kFakeClockStart)
      : clock(now),
        federation(now),
        signing(federation.Issue(pki::Profile::kMemberSigning, kGatewayOwner.ToString())),
        trust(crypto::TrustStore::Create({federation.root().certificate}).value()),
        tsa(clock),
        timestamper(tsa) {}

  std::unique_ptr<TreeHeadSealer> MakeSealer(storage::KeyValueStore& store,
                                             TreeHeadSealerOptions options = {}) {
    return TreeHeadSealer::Create(log, signing.key, {signing.certificate}, timestamper, store,
                                  clock, options)
        .value();
  }

  testing::FakeClock clock;
  testing::TestFederation federation;
  testing::KeyAndCertificate signing;
  crypto::TrustStore trust;
  testing::TestTsa tsa;
  SwitchableTimestamper timestamper;
  FakeLog log;
};

}  // namespace truc::gateway::audit
