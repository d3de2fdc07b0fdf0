#include "gateway/audit/tree_head_sealer.h"

#include <chrono>
#include <limits>
#include <thread>

#include <catch2/catch.hpp>

#include "core/merkle/verify.h"
#include "core/storage/memory_store.h"
#include "core/storage/rocksdb_store.h"
#include "gateway/audit/tree_head.h"
#include "tests/gateway/audit/sealing_fixture.h"
#include "tests/support/temp_dir.h"

namespace truc::gateway::audit {
namespace {

using std::chrono::seconds;

constexpr uint64_t kAnySize = std::numeric_limits<uint64_t>::max();

std::vector<uint64_t> SealedSizes(const TreeHeadSealer& sealer) {
  const std::vector<v1::SignedTreeHead> heads = sealer.SealedHeads(0, kAnySize, 100).value();
  std::vector<uint64_t> sizes;
  sizes.reserve(heads.size());
  for (const v1::SignedTreeHead& sealed : heads) {
    sizes.push_back(sealed.head().size());
  }
  return sizes;
}

TEST_CASE("One tree head is sealed per interval, however many records were appended", "[audit]") {
  SealingFixture f;
  storage::MemoryStore store;
  const std::unique_ptr<TreeHeadSealer> sealer = f.MakeSealer(store);
  CHECK_FALSE(sealer->Latest().has_value());
  REQUIRE(sealer->SealNow().ok());
  CHECK(f.timestamper.calls == 0);  // Nothing to seal in an empty log.

  for (int i = 0; i < 100; ++i) sealer->NotifyAppended(f.log.Append(1), f.clock.Now());
  REQUIRE(sealer->SealNow().ok());
  CHECK(f.timestamper.calls == 1);
  REQUIRE(sealer->Latest().has_value());
  CHECK(sealer->Latest()->head().SerializeAsString() == f.log.Head()->SerializeAsString());
  CHECK(VerifySignedTreeHead(*sealer->Latest(), kGatewayOwner, f.trust, f.tsa.Verifier()).ok());

  REQUIRE(sealer->SealNow().ok());
  CHECK(f.timestamper.calls == 1);  // The log did not grow: no new head, no TSA call.

  sealer->NotifyAppended(f.log.Append(3), f.clock.Now());
  REQUIRE(sealer->SealNow().ok());
  CHECK(f.timestamper.calls == 2);
  CHECK(SealedSizes(*sealer) == std::vector<uint64_t>{100, 103});
  CHECK(sealer->SealedHeads(101, kAnySize, 100)->size() == 1);
  CHECK(sealer->SealedHeads(0, 102, 100)->size() == 1);
  CHECK(sealer->SealedHeads(0, kAnySize, 1)->front().head().size() == 100);
}

TEST_CASE("The sealing thread makes at most one TSA call per interval", "[audit]") {
  SealingFixture f;
  storage::MemoryStore store;
  constexpr auto kInterval = std::chrono::milliseconds(20);
  const std::unique_ptr<TreeHeadSealer> sealer = f.MakeSealer(store, {.interval = kInterval});
  const auto started = std::chrono::steady_clock::now();
  sealer->Start();
  constexpr int kRecords = 200;
  for (int i = 0; i < kRecords; ++i) {
    sealer->NotifyAppended(f.log.Append(1), f.clock.Now());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (sealer->Latest().value_or(v1::SignedTreeHead()).head().size() < kRecords &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kInterval);
  }
  sealer->Stop();
  const auto elapsed = std::chrono::steady_clock::now() - started;
  REQUIRE(sealer->Latest().has_value());
  CHECK(sealer->Latest()->head().size() == kRecords);
  CHECK(f.timestamper.calls >= 1);
  CHECK(f.timestamper.calls <= elapsed / kInterval + 1);
  CHECK(f.timestamper.calls < kRecords);
}

TEST_CASE("A TSA outage past the tolerance fails closed until the backlog is sealed", "[audit]") {
  SealingFixture f;
  storage::MemoryStore store;
  const std::unique_ptr<TreeHeadSealer> sealer =
      f.MakeSealer(store, {.interval = seconds(1), .tolerance = seconds(30)});
  sealer->NotifyAppended(f.log.Append(5), f.clock.Now());
  REQUIRE(sealer->SealNow().ok());

  f.timestamper.down = true;
  const TimePoint outage_start = f.clock.Now();
  sealer->NotifyAppended(f.log.Append(3), f.clock.Now());
  CHECK(sealer->SealNow().reason() == "timestamp.unavailable");
  CHECK(sealer->CheckTimestamping().ok());  // Within the tolerance.
  f.clock.Advance(seconds(20));
  sealer->NotifyAppended(f.log.Append(4), f.clock.Now());
  CHECK(sealer->SealNow().reason() == "timestamp.unavailable");
  f.clock.Advance(seconds(10));
  CHECK(sealer->CheckTimestamping().ok());  // Exactly the tolerance.
  f.clock.Advance(seconds(1));

  const Status overdue = sealer->CheckTimestamping();
  CHECK(overdue.code() == StatusCode::kUnavailable);
  CHECK(overdue.reason() == kTimestampingOverdue);
  CHECK(overdue.message().find("since " + FormatRfc3339(outage_start)) != std::string::npos);
  CHECK(overdue.message().find("the TSA does not answer") != std::string::npos);
  CHECK(sealer->Latest()->head().size() == 5);
  CHECK(SealedSizes(*sealer) == std::vector<uint64_t>{5});  // Failed heads are not kept.

  f.timestamper.down = false;
  const int calls_before = f.timestamper.calls;
  REQUIRE(sealer->SealNow().ok());
  CHECK(f.timestamper.calls == calls_before + 1);  // One call covers the whole backlog.
  CHECK(sealer->CheckTimestamping().ok());
  CHECK(SealedSizes(*sealer) == std::vector<uint64_t>{5, 12});

  // The records of the outage are provably in the new head, and the old head is its prefix.
  const v1::SignedTreeHead sealed = *sealer->Latest();
  const v1::TreeHead old_head = sealer->SealedHeads(5, 5, 1)->front().head();
  REQUIRE(VerifySignedTreeHead(sealed, kGatewayOwner, f.trust, f.tsa.Verifier()).ok());
  const std::vector<std::string> leaves = f.log.LeafHashes();
  CHECK(merkle::VerifyInclusion(leaves[6], 6, sealed.head().size(),
                                merkle::InclusionPath(6, leaves).value(), sealed.head().root_hash())
            .ok());
  CHECK(merkle::VerifyConsistency(5, sealed.head().size(),
                                  merkle::ConsistencyProof(5, leaves).value(), old_head.root_hash(),
                                  sealed.head().root_hash())
            .ok());
}

TEST_CASE("Records appended after the last seal are overdue even when nothing was tried",
          "[audit]") {
  SealingFixture f;
  storage::MemoryStore store;
  const std::unique_ptr<TreeHeadSealer> sealer = f.MakeSealer(store, {.tolerance = seconds(30)});
  sealer->NotifyAppended(f.log.Append(2), f.clock.Now());
  f.clock.Advance(seconds(31));
  const Status overdue = sealer->CheckTimestamping();
  CHECK(overdue.reason() == kTimestampingOverdue);
  CHECK(overdue.message().find("last sealing error: none") != std::string::npos);
}

TEST_CASE("Sealed heads survive a restart", "[audit]") {
  SealingFixture f;
  testing::TempDir dir;
  {
    auto store = storage::RocksDbStore::Open(dir.File("db")).value();
    const std::unique_ptr<TreeHeadSealer> sealer = f.MakeSealer(*store);
    sealer->NotifyAppended(f.log.Append(3), f.clock.Now());
    REQUIRE(sealer->SealNow().ok());
    sealer->NotifyAppended(f.log.Append(4), f.clock.Now());
    REQUIRE(sealer->SealNow().ok());
  }
  auto store = storage::RocksDbStore::Open(dir.File("db")).value();

  SECTION("the log was sealed to its end") {
    const std::unique_ptr<TreeHeadSealer> sealer = f.MakeSealer(*store);
    REQUIRE(sealer->Latest().has_value());
    CHECK(sealer->Latest()->head().size() == 7);
    CHECK(SealedSizes(*sealer) == std::vector<uint64_t>{3, 7});
    CHECK(VerifySignedTreeHead(*sealer->Latest(), kGatewayOwner, f.trust, f.tsa.Verifier()).ok());
    f.clock.Advance(seconds(3600));
    CHECK(sealer->CheckTimestamping().ok());
  }
  SECTION("records were appended after the last seal") {
    f.log.Append(2);
    const std::unique_ptr<TreeHeadSealer> sealer = f.MakeSealer(*store, {.tolerance = seconds(30)});
    f.clock.Advance(seconds(31));  // Their tolerance started with the sealer.
    CHECK(sealer->CheckTimestamping().reason() == kTimestampingOverdue);
    REQUIRE(sealer->SealNow().ok());
    CHECK(sealer->CheckTimestamping().ok());
    CHECK(SealedSizes(*sealer) == std::vector<uint64_t>{3, 7, 9});
  }
  SECTION("the log lost records that were sealed") {
    f.log.Truncate(6);
    CHECK(TreeHeadSealer::Create(f.log, f.signing.key, {f.signing.certificate}, f.timestamper,
                                 *store, f.clock, {})
              .status()
              .reason() == kLogRewound);
  }
}

TEST_CASE("A log that loses sealed records is not sealed again", "[audit]") {
  SealingFixture f;
  storage::MemoryStore store;
  const std::unique_ptr<TreeHeadSealer> sealer = f.MakeSealer(store);
  sealer->NotifyAppended(f.log.Append(4), f.clock.Now());
  REQUIRE(sealer->SealNow().ok());
  f.log.Truncate(3);
  f.log.Append(1);  // Same size, another root.
  const Status rewound = sealer->SealNow();
  CHECK(rewound.code() == StatusCode::kDataLoss);
  CHECK(rewound.reason() == kLogRewound);
  CHECK(f.timestamper.calls == 1);
}

TEST_CASE("A sealed head that cannot be stored is not kept", "[audit]") {
  SealingFixture f;
  storage::MemoryStore store;
  const std::unique_ptr<TreeHeadSealer> sealer = f.MakeSealer(store, {.tolerance = seconds(30)});
  sealer->NotifyAppended(f.log.Append(4), f.clock.Now());
  store.FailWrites(Status(StatusCode::kResourceExhausted, "disk full"));
  CHECK(sealer->SealNow().code() == StatusCode::kResourceExhausted);
  CHECK_FALSE(sealer->Latest().has_value());
  f.clock.Advance(seconds(31));
  CHECK(sealer->CheckTimestamping().message().find("disk full") != std::string::npos);
  store.FailWrites(OkStatus());
  REQUIRE(sealer->SealNow().ok());
  CHECK(sealer->CheckTimestamping().ok());
}

TEST_CASE("The sealer refuses unusable options", "[audit]") {
  SealingFixture f;
  storage::MemoryStore store;
  const auto create = [&](std::vector<crypto::Certificate> chain, TreeHeadSealerOptions options) {
    return TreeHeadSealer::Create(f.log, f.signing.key, std::move(chain), f.timestamper, store,
                                  f.clock, options)
        .status()
        .reason();
  };
  CHECK(create({f.signing.certificate}, {.interval = seconds(0)}) == kInvalidSealerOptions);
  CHECK(create({f.signing.certificate}, {.tolerance = seconds(-1)}) == kInvalidSealerOptions);
  CHECK(create({}, {}) == kInvalidSealerOptions);
  CHECK(create({f.federation.root().certificate}, {}) == kInvalidSealerOptions);
}

}  // namespace
}  // namespace truc::gateway::audit
