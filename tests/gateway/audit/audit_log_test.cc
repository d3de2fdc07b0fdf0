#include "gateway/audit/audit_log.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/base/encoding.h"
#include "core/base/file.h"
#include "core/crypto/digest.h"
#include "core/merkle/hash.h"
#include "core/merkle/tree.h"
#include "core/merkle/verify.h"
#include "core/storage/memory_store.h"
#include "core/storage/rocksdb_store.h"
#include "proto/deterministic_serialization.h"
#include "proto/utf8_fields.h"
#include "tests/gateway/audit/test_exchanges.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace truc::gateway::audit {
namespace {

using Side = ExchangeRecord::Side;

std::vector<ExchangeRecord> Prepare(testing::TestExchanges& exchanges, int count) {
  std::vector<ExchangeRecord> prepared;
  prepared.reserve(count);
  for (int i = 0; i < count; ++i) {
    prepared.push_back(i % 3 == 2 ? exchanges.Failed(Side::kProvider, fmt::format("m-{}", i))
                                  : exchanges.Answered(Side::kConsumer, fmt::format("m-{}", i)));
  }
  return prepared;
}

// Appends each exchange from `threads` threads at once; the results in order.
std::vector<Status> AppendConcurrently(AuditLog& log, const std::vector<ExchangeRecord>& exchanges,
                                       size_t threads) {
  std::vector<Status> results(exchanges.size());
  std::vector<std::thread> workers;
  for (size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (size_t i = t; i < exchanges.size(); i += threads) results[i] = log.Append(exchanges[i]);
    });
  }
  for (std::thread& worker : workers) worker.join();
  return results;
}

std::vector<StoredRecord> ReadAll(const AuditLog& log) {
  std::vector<StoredRecord> records;
  REQUIRE(log.Scan(0, UINT64_MAX,
                   [&](const StoredRecord& record) {
                     records.push_back(record);
                     return true;
                   })
              .ok());
  return records;
}

std::vector<std::string> LeafHashes(const std::vector<StoredRecord>& records) {
  std::vector<std::string> leaves;
  leaves.reserve(records.size());
  for (const StoredRecord& record : records) leaves.push_back(merkle::HashLeaf(record.bytes));
  return leaves;
}

std::string StoredValue(const storage::KeyValueStore& store, const std::string& key) {
  const std::optional<std::string> value = store.Get(key).value();
  REQUIRE(value.has_value());
  return *value;
}

void Put(storage::KeyValueStore& store, const std::string& key, std::string value) {
  storage::WriteBatch batch;
  batch.Put(key, std::move(value));
  REQUIRE(store.Write(batch, /*sync=*/false).ok());
}

TEST_CASE("Appends from many threads are all durable, numbered without gaps, in the tree",
          "[audit]") {
  testing::TestExchanges exchanges;
  const std::vector<ExchangeRecord> prepared = Prepare(exchanges, 120);
  storage::MemoryStore store;
  std::vector<TreeHead> reported;
  AuditLogOptions options;
  options.on_durable = [&](const TreeHead& head) { reported.push_back(head); };
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, std::move(options)).value();

  for (const Status& result : AppendConcurrently(*log, prepared, 16)) CHECK(result.ok());

  const TreeHead head = log->Head();
  CHECK(head.size == 240);
  const std::vector<StoredRecord> records = ReadAll(*log);
  REQUIRE(records.size() == 240);
  std::set<std::string> logged;
  for (size_t i = 0; i < records.size(); ++i) {
    CHECK(records[i].record.sequence() == i);
    // An exchange's records are adjacent: its request, then its response or failure.
    if (i % 2 == 0) {
      CHECK(records[i].record.kind() == v1::AuditRecord::KIND_REQUEST);
      CHECK(records[i + 1].record.kind() != v1::AuditRecord::KIND_REQUEST);
      CHECK(records[i + 1].record.request_id() == records[i].record.request_id());
      logged.insert(records[i].record.message_id());
    }
  }
  CHECK(logged.size() == prepared.size());
  CHECK(head.root == merkle::RootFromLeafHashes(LeafHashes(records)));
  CHECK(log->Verify().ok());

  // The committer told of every batch, in order, ending with the head.
  REQUIRE(!reported.empty());
  CHECK(reported.size() <= prepared.size());
  for (size_t i = 1; i < reported.size(); ++i) CHECK(reported[i - 1].size < reported[i].size);
  CHECK(reported.back().root == head.root);

  log.reset();
  CHECK(AuditLog::Open(store, {}).value()->Head().root == head.root);
}

TEST_CASE("Concurrent appends share one synchronous write", "[audit]") {
  testing::TestExchanges exchanges;
  const std::vector<ExchangeRecord> prepared = Prepare(exchanges, 11);
  storage::MemoryStore store;
  std::promise<void> release;
  const std::shared_future<void> released = release.get_future().share();
  std::atomic<int> batches{0};
  AuditLogOptions options;
  // The first batch holds the committer until the other appends are queued behind it.
  options.on_durable = [&](const TreeHead&) {
    if (batches.fetch_add(1) == 0) released.wait();
  };
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, std::move(options)).value();

  Status first;
  std::thread first_thread([&] { first = log->Append(prepared[0]); });
  while (batches.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::vector<ExchangeRecord> rest(prepared.begin() + 1, prepared.end());
  auto appended =
      std::async(std::launch::async, [&] { return AppendConcurrently(*log, rest, rest.size()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  release.set_value();
  first_thread.join();
  CHECK(first.ok());
  for (const Status& result : appended.get()) CHECK(result.ok());
  CHECK(batches.load() == 2);
  CHECK(log->Head().size == 22);
}

TEST_CASE("Inclusion and consistency proofs from the log verify", "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, {}).value();
  std::vector<TreeHead> heads = {log->Head()};
  CHECK(heads[0].size == 0);
  CHECK(heads[0].root == merkle::EmptyRoot());
  for (const ExchangeRecord& exchange : Prepare(exchanges, 13)) {
    REQUIRE(log->Append(exchange).ok());
    heads.push_back(log->Head());
  }
  const std::vector<std::string> leaves = LeafHashes(ReadAll(*log));
  REQUIRE(leaves.size() == 26);

  for (uint64_t size = 1; size <= leaves.size(); ++size) {
    const std::span<const std::string> tree = std::span(leaves).first(size);
    const std::string root = merkle::RootFromLeafHashes(tree);
    if (size % 2 == 0) CHECK(heads[size / 2].root == root);
    for (uint64_t sequence = 0; sequence < size; ++sequence) {
      INFO("record " << sequence << " in a tree of " << size);
      const std::vector<std::string> path = log->InclusionProof(sequence, size).value();
      CHECK(path == merkle::InclusionPath(sequence, tree).value());
      CHECK(merkle::VerifyInclusion(leaves[sequence], sequence, size, path, root).ok());
    }
  }
  for (const TreeHead& older : heads) {
    for (const TreeHead& newer : heads) {
      if (older.size > newer.size) continue;
      INFO("from " << older.size << " to " << newer.size);
      const std::vector<std::string> proof = log->ConsistencyProof(older.size, newer.size).value();
      CHECK(merkle::VerifyConsistency(older.size, newer.size, proof, older.root, newer.root).ok());
    }
  }

  CHECK(log->InclusionProof(0, 27).status().reason() == merkle::kOutOfRange);
  CHECK(log->InclusionProof(26, 26).status().reason() == merkle::kOutOfRange);
  CHECK(log->ConsistencyProof(4, 2).status().reason() == merkle::kOutOfRange);
  CHECK(log->ConsistencyProof(2, 28).status().reason() == merkle::kOutOfRange);
  CHECK(log->Read(26).status().reason() == merkle::kOutOfRange);
  CHECK(log->Read(25).value().record.sequence() == 25);
}

TEST_CASE("A log on RocksDB resumes where it stopped", "[audit]") {
  testing::TestExchanges exchanges;
  const std::vector<ExchangeRecord> prepared = Prepare(exchanges, 6);
  truc::testing::TempDir dir;
  TreeHead before;
  {
    std::unique_ptr<storage::RocksDbStore> store =
        storage::RocksDbStore::Open(dir.File("db")).value();
    std::unique_ptr<AuditLog> log = AuditLog::Open(*store, {}).value();
    for (size_t i = 0; i < 3; ++i) REQUIRE(log->Append(prepared[i]).ok());
    before = log->Head();
  }
  std::unique_ptr<storage::RocksDbStore> store =
      storage::RocksDbStore::Open(dir.File("db")).value();
  std::unique_ptr<AuditLog> log = AuditLog::Open(*store, {}).value();
  CHECK(log->Head().size == before.size);
  CHECK(log->Head().root == before.root);
  for (size_t i = 3; i < prepared.size(); ++i) REQUIRE(log->Append(prepared[i]).ok());
  const TreeHead after = log->Head();
  CHECK(after.size == 12);
  CHECK(log->Read(6).value().record.message_id() == "m-3");
  CHECK(log->Verify().ok());
  CHECK(merkle::VerifyConsistency(before.size, after.size,
                                  log->ConsistencyProof(before.size, after.size).value(),
                                  before.root, after.root)
            .ok());
}

// What `truc audit --gateway-config ... verify` checks of a store: it opens, its files' checksums
// hold, and the log verifies against itself.
Status VerifyStoreAt(const std::string& path) {
  TRUC_ASSIGN_OR_RETURN(
      std::unique_ptr<storage::RocksDbStore> store,
      storage::RocksDbStore::Open(path, {.create_if_missing = false, .read_only = true}));
  TRUC_RETURN_IF_ERROR(store->VerifyChecksums());
  TRUC_ASSIGN_OR_RETURN(std::unique_ptr<AuditLog> log, AuditLog::Open(*store, {}));
  return log->Verify();
}

TEST_CASE("A flipped byte in the store's table files is found, with the file and offset",
          "[audit]") {
  testing::TestExchanges exchanges;
  const std::vector<ExchangeRecord> prepared = Prepare(exchanges, 12);
  truc::testing::TempDir dir;
  const std::string db = dir.File("db");
  {
    std::unique_ptr<storage::RocksDbStore> store = storage::RocksDbStore::Open(db).value();
    std::unique_ptr<AuditLog> log = AuditLog::Open(*store, {}).value();
    for (const ExchangeRecord& exchange : prepared) REQUIRE(log->Append(exchange).ok());
  }
  // Reopening replays the write-ahead log into a table file, where the records then live.
  storage::RocksDbStore::Open(db).value().reset();
  REQUIRE(VerifyStoreAt(db).ok());
  std::vector<std::filesystem::path> tables;
  for (const auto& entry : std::filesystem::directory_iterator(db)) {
    if (entry.path().extension() == ".sst") tables.push_back(entry.path());
  }
  REQUIRE_FALSE(tables.empty());
  for (const std::filesystem::path& table : tables) {
    const std::string original = ReadFile(table.string()).value();
    // Every byte would take long: one in every few, moving across blocks and fields, and every
    // byte of the footer, whose padding no block checksum covers.
    const size_t stride = std::max<size_t>(1, original.size() / 300) | 1;
    std::set<size_t> offsets;
    for (size_t offset = 0; offset < original.size(); offset += stride) offsets.insert(offset);
    for (size_t offset = original.size() - std::min<size_t>(64, original.size());
         offset < original.size(); ++offset) {
      offsets.insert(offset);
    }
    for (const size_t offset : offsets) {
      std::string altered = original;
      altered[offset] = static_cast<char>(altered[offset] ^ 0x01);
      REQUIRE(WriteFileAtomically(table.string(), altered, 0644).ok());
      const Status verified = VerifyStoreAt(db);
      INFO("byte " << offset << " of " << table.filename() << ": " << verified.ToString());
      REQUIRE_FALSE(verified.ok());
      // Where: the file (RocksDB names the table or the manifest that describes it), or the record.
      CHECK((verified.message().find(db) != std::string::npos ||
             verified.message().find("record ") != std::string::npos));
    }
    REQUIRE(WriteFileAtomically(table.string(), original, 0644).ok());
  }
  CHECK(VerifyStoreAt(db).ok());
}

TEST_CASE("A flipped byte in the write-ahead log is found, or loses nothing", "[audit]") {
  testing::TestExchanges exchanges;
  const std::vector<ExchangeRecord> prepared = Prepare(exchanges, 8);
  truc::testing::TempDir dir;
  const std::string db = dir.File("db");
  TreeHead head;
  {
    std::unique_ptr<storage::RocksDbStore> store = storage::RocksDbStore::Open(db).value();
    std::unique_ptr<AuditLog> log = AuditLog::Open(*store, {}).value();
    for (const ExchangeRecord& exchange : prepared) REQUIRE(log->Append(exchange).ok());
    head = log->Head();
  }
  // Closed without a flush: the records are in the write-ahead log only.
  std::vector<std::filesystem::path> wals;
  for (const auto& entry : std::filesystem::directory_iterator(db)) {
    if (entry.path().extension() == ".log" && entry.file_size() > 0) wals.push_back(entry.path());
  }
  REQUIRE(wals.size() == 1);
  const std::string original = ReadFile(wals[0].string()).value();
  // Where the log's last record begins: RocksDB's records (in one 32 KiB block here) have a
  // 7-byte header (CRC32C, length, type), then the payload.
  size_t last_record = 0;
  REQUIRE(original.size() < 32 * 1024);
  for (size_t at = 0; at + 7 <= original.size();) {
    const size_t length = static_cast<uint8_t>(original[at + 4]) |
                          (static_cast<size_t>(static_cast<uint8_t>(original[at + 5])) << 8);
    if (length == 0 && original[at + 6] == 0) break;  // Zero padding: the end.
    last_record = at;
    at += 7 + length;
  }
  REQUIRE(last_record > 0);
  const std::string copy = dir.File("copy");
  int refused = 0;
  int torn = 0;
  const size_t stride = std::max<size_t>(1, original.size() / 200) | 1;
  std::set<size_t> offsets;
  for (size_t offset = 0; offset < original.size(); offset += stride) offsets.insert(offset);
  // Every byte of the last record's header.
  for (size_t i = 0; i < 7; ++i) offsets.insert(last_record + i);
  for (const size_t offset : offsets) {
    std::filesystem::remove_all(copy);
    std::filesystem::copy(db, copy);
    std::string altered = original;
    // One bit. In the last record's length (header bytes 4 and 5, little-endian) a bit that
    // was 0: the length then reaches past the end of the file, as a write cut short leaves it.
    // (A length made shorter fails the record's checksum instead: refused.)
    uint8_t mask = 0x01;
    if (offset == last_record + 4 || offset == last_record + 5) {
      const auto byte = static_cast<uint8_t>(original[offset]);
      mask = static_cast<uint8_t>(~byte & (byte + 1));
      if (mask == 0) mask = 0x01;
    }
    altered[offset] = static_cast<char>(altered[offset] ^ mask);
    REQUIRE(WriteFileAtomically(copy + "/" + wals[0].filename().string(), altered, 0644).ok());
    StatusOr<std::unique_ptr<storage::RocksDbStore>> store =
        storage::RocksDbStore::Open(copy, {.create_if_missing = false});
    INFO("byte " << offset << " of " << original.size() << ": " << store.status().ToString());
    if (!store.ok()) {
      // Refused, saying where.
      CHECK(store.status().code() == StatusCode::kDataLoss);
      CHECK(store.status().message().find(wals[0].filename().string()) != std::string::npos);
      ++refused;
      continue;
    }
    std::unique_ptr<AuditLog> log = AuditLog::Open(**store, {}).value();
    CHECK(log->Verify().ok());
    if (offset >= last_record && offset < last_record + 7 && log->Head().size < head.size) {
      // The one damage RocksDB cannot tell from a crash while the last record was written: its
      // header. That record (the last exchange's batch) is dropped, as a torn write would be;
      // the rest is whole. A sealed head over it then tells (TreeHeadSealer: kLogRewound).
      CHECK(log->Head().size == head.size - 2);
      ++torn;
      continue;
    }
    // Else the flip must have changed nothing that counts: every record is there and verifies.
    CHECK(log->Head().size == head.size);
    CHECK(log->Head().root == head.root);
  }
  CHECK(refused > 0);
  // RocksDB took the longer lengths for a torn write, and the checksum's flips for corruption.
  CHECK(torn >= 1);
  CHECK(torn <= 2);
}

TEST_CASE("A failed write fails every append of its batch and leaves no gap", "[audit]") {
  testing::TestExchanges exchanges;
  const std::vector<ExchangeRecord> prepared = Prepare(exchanges, 10);
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, {}).value();
  REQUIRE(log->Append(prepared[0]).ok());
  const TreeHead before = log->Head();

  store.FailWrites(Status(StatusCode::kResourceExhausted, "disk full", "storage.no_space"));
  const std::vector<ExchangeRecord> failing(prepared.begin() + 1, prepared.begin() + 9);
  for (const Status& result : AppendConcurrently(*log, failing, 8)) {
    CHECK(result.reason() == "storage.no_space");
  }
  CHECK(log->Head().size == before.size);
  CHECK(log->Head().root == before.root);
  CHECK(!store.Get("audit/record/00000000000000000002").value().has_value());

  store.FailWrites(OkStatus());
  REQUIRE(log->Append(prepared[9]).ok());
  CHECK(log->Head().size == 4);
  CHECK(log->Read(2).value().record.message_id() == "m-9");
  CHECK(log->Verify().ok());
  log.reset();
  CHECK(AuditLog::Open(store, {}).value()->Head().size == 4);
}

TEST_CASE("Bodies lent to the log are logged and come back before done, on success and failure",
          "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, {}).value();
  // Appends `exchange` lending its bodies; returns the status, with the bodies as `done` saw them.
  const auto lend = [&](ExchangeRecord& exchange) {
    std::promise<std::pair<Status, std::string>> seen;
    log->AppendLendingBodies(exchange, [&](Status status) {
      seen.set_value({std::move(status), exchange.request.body() + "|" +
                                             (exchange.response ? exchange.response->body() : "")});
    });
    return seen.get_future().get();
  };
  ExchangeRecord answered = exchanges.Answered(Side::kConsumer, "m-lent");
  answered.request.set_body("request body");
  answered.response->set_body(std::string(100'000, 'r'));
  const auto [logged, bodies] = lend(answered);
  REQUIRE(logged.ok());
  CHECK(bodies == "request body|" + std::string(100'000, 'r'));
  CHECK(log->Read(0).value().record.body() == "request body");
  CHECK(log->Read(1).value().record.body() == std::string(100'000, 'r'));

  // A failed write, and a record refused before it is queued: the bodies come back all the same.
  store.FailWrites(Status(StatusCode::kResourceExhausted, "disk full", "storage.no_space"));
  ExchangeRecord unwritten = exchanges.Answered(Side::kConsumer, "m-unwritten");
  unwritten.response->set_body("kept by the caller");
  const auto [failed, unwritten_bodies] = lend(unwritten);
  CHECK(failed.reason() == "storage.no_space");
  CHECK(unwritten_bodies.ends_with("|kept by the caller"));
  store.FailWrites(OkStatus());
  ExchangeRecord poisoned = exchanges.Answered(Side::kConsumer, "m-poisoned");
  poisoned.request.add_headers()->set_value("Nguy\xean");
  poisoned.response->set_body("also kept");
  const auto [refused, poisoned_bodies] = lend(poisoned);
  CHECK(refused.reason() == kUnreadableRecord);
  CHECK(poisoned_bodies.ends_with("|also kept"));
  CHECK(log->Head().size == 2);
  CHECK(log->Verify().ok());
}

TEST_CASE("An exchange whose record would not read back is refused, and nothing is logged",
          "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, {}).value();
  REQUIRE(log->Append(exchanges.Answered(Side::kConsumer, "m-before")).ok());
  // A user id in Latin-1, as a client could send it before the gateways checked such fields:
  // protobuf writes the string but would refuse to parse it back.
  ExchangeRecord poisoned = exchanges.Answered(Side::kConsumer, "m-poisoned");
  v1::Header* header = poisoned.request.add_headers();
  header->set_name("x-road-userid");
  header->set_value("Nguy\xean");
  const Status appended = log->Append(poisoned);
  CHECK(appended.code() == StatusCode::kInvalidArgument);
  CHECK(appended.reason() == kUnreadableRecord);
  CHECK(appended.message().find("truc.v1.AuditRecord field user_id") != std::string::npos);
  CHECK(appended.message().find("is not valid UTF-8") != std::string::npos);
  REQUIRE(log->Append(exchanges.Answered(Side::kConsumer, "m-after")).ok());
  CHECK(log->Head().size == 4);
  CHECK(ReadAll(*log).size() == 4);
  CHECK(log->Verify().ok());
}

TEST_CASE("The UTF-8 check names the first field that is not UTF-8, nested or repeated",
          "[audit]") {
  v1::AuditRecord record;
  record.set_user_id("Nguyễn");
  record.add_subjects("079123456789");
  record.mutable_client()->mutable_member()->set_member_code("Sở Tư pháp");
  CHECK(proto::CheckUtf8Fields(record).ok());

  record.add_subjects("Nguy\xean");
  Status found = proto::CheckUtf8Fields(record);
  CHECK(found.reason() == "proto.invalid_utf8");
  CHECK(found.message() == "the truc.v1.AuditRecord field subjects[1] is not valid UTF-8");

  record.mutable_subjects()->RemoveLast();
  record.mutable_client()->mutable_member()->set_member_code("S\xef");
  found = proto::CheckUtf8Fields(record);
  CHECK(found.message() ==
        "the truc.v1.AuditRecord field client.member.member_code is not valid UTF-8");
}

TEST_CASE("A scan that is given a visitor for unreadable records reports and skips them",
          "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, {}).value();
  for (const ExchangeRecord& exchange : Prepare(exchanges, 3)) {
    REQUIRE(log->Append(exchange).ok());
  }
  // Record 2 as an older gateway could have written it: a string field that is not UTF-8.
  v1::AuditRecord unreadable = log->Read(2).value().record;
  unreadable.set_user_id("Nguy\xean");
  Put(store, "audit/record/00000000000000000002", unreadable.SerializeAsString());

  std::vector<uint64_t> visited;
  const auto visit = [&](const StoredRecord& stored) {
    visited.push_back(stored.record.sequence());
    return true;
  };
  const Status strict = log->Scan(0, UINT64_MAX, visit);
  CHECK(strict.reason() == kCorruptLog);
  CHECK(strict.message() == "record 2 (key audit/record/00000000000000000002) does not parse");

  visited.clear();
  std::vector<std::pair<uint64_t, std::string>> skipped;
  REQUIRE(log->Scan(0, UINT64_MAX, visit,
                    [&](uint64_t sequence, const Status& problem) {
                      skipped.emplace_back(sequence, problem.message());
                      return true;
                    })
              .ok());
  CHECK(visited == std::vector<uint64_t>{0, 1, 3, 4, 5});
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].first == 2);
  CHECK(skipped[0].second.ends_with("does not parse"));
}

TEST_CASE("Verify reports the first altered, missing or corrupt value with its position",
          "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, {}).value();
  for (const ExchangeRecord& exchange : Prepare(exchanges, 10)) {
    REQUIRE(log->Append(exchange).ok());
  }
  REQUIRE(log->Verify().ok());
  const std::string record_7 = "audit/record/00000000000000000007";
  // The record with another purpose: it still parses, but no longer hashes to its leaf.
  const auto altered = [&](const std::string& key) {
    std::string value = StoredValue(store, key);
    const size_t at = value.find(testing::kPurpose);
    REQUIRE(at != std::string::npos);
    value[at + testing::kPurpose.size() - 1] = '9';
    return value;
  };

  SECTION("an altered record") {
    Put(store, record_7, altered(record_7));
    const Status verified = log->Verify();
    CHECK(verified.code() == StatusCode::kDataLoss);
    CHECK(verified.reason() == kCorruptLog);
    CHECK(verified.message().starts_with("record 7 (key " + record_7 + ") hashes to "));
    CHECK(verified.message().find("its stored leaf hash (key audit/tree/00000000000000000007)") !=
          std::string::npos);
  }
  SECTION("an altered leaf hash") {
    std::string entry = StoredValue(store, "audit/tree/00000000000000000007");
    entry[0] ^= 1;
    Put(store, "audit/tree/00000000000000000007", entry);
    const Status verified = log->Verify();
    CHECK(verified.reason() == kCorruptLog);
    CHECK(verified.message().starts_with("record 7 (key " + record_7 + ")"));
  }
  SECTION("a record altered together with its leaf hash") {
    const std::string record_6 = "audit/record/00000000000000000006";
    Put(store, record_6, altered(record_6));
    // The leaf hash is of the record as logged, its certificate chain in place.
    const std::string leaf_6 = merkle::HashLeaf(log->Read(6).value().bytes);
    Put(store, "audit/tree/00000000000000000006", leaf_6);
    // Record 7's entry holds the hash of records 6 and 7, which no longer matches.
    CHECK(
        log->Verify().message() ==
        fmt::format(
            "the stored hash of records [6, 8) in the tree entry of record 7 (key "
            "audit/tree/00000000000000000007) is {}, but the records give {}",
            HexEncode(StoredValue(store, "audit/tree/00000000000000000007").substr(32, 32)),
            HexEncode(merkle::HashChildren(leaf_6, merkle::HashLeaf(log->Read(7).value().bytes)))));
  }
  SECTION("a removed record") {
    storage::WriteBatch batch;
    batch.Delete(record_7);
    REQUIRE(store.Write(batch, false).ok());
    CHECK(log->Verify().message() == "record 7 (key " + record_7 + ") is missing");
    CHECK(log->Read(7).status().message() == "record 7 (key " + record_7 + ") is missing");
  }
  SECTION("a removed last record") {
    storage::WriteBatch batch;
    batch.Delete("audit/record/00000000000000000019");
    REQUIRE(store.Write(batch, false).ok());
    CHECK(log->Verify().message() ==
          "record 19 (key audit/record/00000000000000000019) is missing");
  }
  SECTION("an unparseable record") {
    Put(store, "audit/record/00000000000000000003", "\xff\xff\xff");
    const Status verified = log->Verify();
    CHECK(verified.code() == StatusCode::kDataLoss);
    CHECK(verified.message() == "record 3 (key audit/record/00000000000000000003) does not parse");
    CHECK(log->Read(3).status().message() == verified.message());
  }
  SECTION("a record moved to another position") {
    Put(store, record_7, StoredValue(store, "audit/record/00000000000000000005"));
    CHECK(log->Verify().message() == "record 7 (key " + record_7 + ") holds sequence number 5");
  }
  SECTION("an altered tree state") {
    v1::AuditTreeState state;
    REQUIRE(state.ParseFromString(StoredValue(store, "audit/tree-state")));
    state.mutable_frontier(0)->at(0) ^= 1;
    Put(store, "audit/tree-state", state.SerializeAsString());
    CHECK(log->Verify().message().starts_with(
        "the tree state (key audit/tree-state) gives the root"));
  }
  SECTION("a failed check of a record") {
    const Status verified = log->Verify([](uint64_t sequence, const StoredRecord&) {
      return sequence == 5 ? UnauthenticatedError("the signature does not verify") : OkStatus();
    });
    CHECK(verified.code() == StatusCode::kUnauthenticated);
    CHECK(verified.message() ==
          "record 5 (key audit/record/00000000000000000005): the signature does not verify");
  }
}

// The keys of the store that start with `prefix`.
std::vector<std::string> KeysUnder(const storage::KeyValueStore& store, std::string_view prefix) {
  std::vector<std::string> keys;
  REQUIRE(store
              .Scan(prefix, "",
                    [&](std::string_view key, std::string_view) {
                      keys.emplace_back(key);
                      return true;
                    })
              .ok());
  return keys;
}

TEST_CASE("The store keeps each signer certificate once; records read back whole", "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, {}).value();
  for (const ExchangeRecord& exchange : Prepare(exchanges, 12)) {
    REQUIRE(log->Append(exchange).ok());
  }
  // Two signers (the portal's and the population registry's), one certificate each.
  const std::vector<std::string> certificates = KeysUnder(store, "audit/certificate/");
  REQUIRE(certificates.size() == 2);
  size_t signed_records = 0;
  for (uint64_t sequence = 0; sequence < log->Head().size; ++sequence) {
    const StoredRecord read = log->Read(sequence).value();
    // As logged: the chain in place, the digests gone, the leaf hash over exactly these bytes.
    CHECK(read.record.stored_chain_sha256().empty());
    CHECK(merkle::HashLeaf(read.bytes) == log->LeafHash(sequence).value());
    v1::AuditRecord stored;
    REQUIRE(
        stored.ParseFromString(StoredValue(store, fmt::format("audit/record/{:020d}", sequence))));
    CHECK(stored.signature().certificate_chain().empty());
    if (!read.record.has_signature()) continue;
    ++signed_records;
    REQUIRE(read.record.signature().certificate_chain_size() == 1);
    const std::string& der = read.record.signature().certificate_chain(0);
    REQUIRE(stored.stored_chain_sha256_size() == 1);
    CHECK(stored.stored_chain_sha256(0) == crypto::Sha256(der));
    CHECK(StoredValue(store, "audit/certificate/" + HexEncode(stored.stored_chain_sha256(0))) ==
          der);
  }
  CHECK(signed_records == 20);  // 8 answered exchanges, 4 failed ones (their requests).
  CHECK(log->Verify().ok());

  // The record as logged is put together on the wire from the stored bytes: exactly the
  // deterministic serialization of the record with its chain.
  const auto lookup = [&](std::string_view sha256) -> StatusOr<const std::string*> {
    static std::map<std::string, std::string> found;
    const std::string key = "audit/certificate/" + HexEncode(sha256);
    return &found.try_emplace(key, StoredValue(store, key)).first->second;
  };
  for (uint64_t sequence = 0; sequence < log->Head().size; ++sequence) {
    const std::string stored = StoredValue(store, fmt::format("audit/record/{:020d}", sequence));
    const StatusOr<std::optional<std::string>> logged = LoggedFromStored(stored, lookup);
    REQUIRE(logged.ok());
    const StoredRecord read = log->Read(sequence).value();
    if (!read.record.has_signature()) {
      CHECK_FALSE(logged->has_value());  // Nothing to put back.
      continue;
    }
    REQUIRE(logged->has_value());
    CHECK(**logged == proto::SerializeDeterministically(read.record).value());
    // A stored record that holds its chain as well as the digests, or bytes cut short.
    v1::AuditRecord both;
    REQUIRE(both.ParseFromString(stored));
    both.mutable_signature()->add_certificate_chain("der");
    const StatusOr<std::optional<std::string>> doubled =
        LoggedFromStored(proto::SerializeDeterministically(both).value(), lookup);
    CHECK(doubled.status().reason() == kCorruptLog);
    CHECK(doubled.status().message() == "holds both a certificate chain and its digests");
    const StatusOr<std::optional<std::string>> cut =
        LoggedFromStored(std::string_view(stored).substr(0, stored.size() - 1), lookup);
    CHECK(cut.status().message() == "does not parse");
  }

  // Another process reads the same store: it finds the certificates in it.
  std::unique_ptr<AuditLog> reader;
  log.reset();
  reader = AuditLog::Open(store, {}).value();
  CHECK(reader->Verify().ok());
  CHECK(reader->Read(1).value().record.signature().certificate_chain_size() == 1);

  SECTION("a missing certificate") {
    storage::WriteBatch batch;
    batch.Delete(certificates[0]);
    REQUIRE(store.Write(batch, false).ok());
    std::unique_ptr<AuditLog> fresh = (reader.reset(), AuditLog::Open(store, {}).value());
    const Status verified = fresh->Verify();
    CHECK(verified.code() == StatusCode::kDataLoss);
    CHECK(verified.reason() == kCorruptLog);
    CHECK(verified.message().find("names the signer certificate " + certificates[0] +
                                  ", which is missing") != std::string::npos);
  }
  SECTION("an altered certificate") {
    std::string der = StoredValue(store, certificates[1]);
    der[der.size() / 2] ^= 1;
    Put(store, certificates[1], der);
    std::unique_ptr<AuditLog> fresh = (reader.reset(), AuditLog::Open(store, {}).value());
    const Status verified = fresh->Verify();
    CHECK(verified.reason() == kCorruptLog);
    CHECK(verified.message().find("the certificate under " + certificates[1] +
                                  " (named by record ") != std::string::npos);
  }
}

TEST_CASE("A log written before certificates were stored apart still reads and verifies",
          "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, {}).value();
  for (const ExchangeRecord& exchange : Prepare(exchanges, 6)) {
    REQUIRE(log->Append(exchange).ok());
  }
  const uint64_t size = log->Head().size;
  const TreeHead head = log->Head();
  // The earlier format: every record holds its chain itself, and no certificate is stored apart.
  std::vector<std::string> logged;
  {
    storage::WriteBatch batch;
    for (uint64_t sequence = 0; sequence < size; ++sequence) {
      logged.push_back(log->Read(sequence).value().bytes);
      batch.Put(fmt::format("audit/record/{:020d}", sequence), logged.back());
    }
    for (const std::string& key : KeysUnder(store, "audit/certificate/")) batch.Delete(key);
    REQUIRE(store.Write(batch, false).ok());
  }
  log.reset();
  log = AuditLog::Open(store, {}).value();
  CHECK(log->Verify().ok());
  for (uint64_t sequence = 0; sequence < size; ++sequence) {
    CHECK(log->Read(sequence).value().bytes == logged[sequence]);
  }
  // New records join it in the new format, and the whole still verifies.
  for (const ExchangeRecord& exchange : Prepare(exchanges, 3)) {
    REQUIRE(log->Append(exchange).ok());
  }
  CHECK(KeysUnder(store, "audit/certificate/").size() == 2);
  CHECK(log->Verify().ok());
  const std::vector<std::string> consistency =
      log->ConsistencyProof(size, log->Head().size).value();
  CHECK(merkle::VerifyConsistency(size, log->Head().size, consistency, head.root, log->Head().root)
            .ok());
}

TEST_CASE("A log whose records lost their tree state is not opened", "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  REQUIRE(AuditLog::Open(store, {}).value()->Append(exchanges.Answered(Side::kConsumer, "m")).ok());
  storage::WriteBatch batch;
  batch.Delete("audit/tree-state");
  REQUIRE(store.Write(batch, false).ok());
  const Status opened = AuditLog::Open(store, {}).status();
  CHECK(opened.code() == StatusCode::kDataLoss);
  CHECK(opened.reason() == kCorruptLog);

  Put(store, "audit/tree-state", "\xff");
  CHECK(AuditLog::Open(store, {}).status().message() ==
        "the audit log's tree state (key audit/tree-state) does not parse");
}

TEST_CASE("A log that encrypts bodies needs its key", "[audit]") {
  storage::MemoryStore store;
  AuditLogOptions options;
  options.bodies.default_policy = v1::BODY_POLICY_ENCRYPT;
  const Status opened = AuditLog::Open(store, std::move(options)).status();
  CHECK(opened.reason() == kNoBodyKey);
}

TEST_CASE("A log killed with SIGKILL keeps every acknowledged exchange", "[audit]") {
  truc::testing::TempDir dir;
  const std::string acks_file = dir.File("acks");
  std::unique_ptr<truc::testing::ChildProcess> writer = truc::testing::ChildProcess::Start(
      {TRUC_AUDIT_CRASH_WRITER, dir.File("db"), acks_file}, dir.File("writer.log"));
  // Kill it in the middle of its appends, once it has acknowledged a few hundred.
  std::string acks;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::count(acks.begin(), acks.end(), '\n') < 300 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    acks = ReadFile(acks_file).value_or("");
  }
  CHECK(writer->Stop(SIGKILL) == 128 + SIGKILL);
  acks = ReadFile(acks_file).value_or("");
  REQUIRE(std::count(acks.begin(), acks.end(), '\n') >= 300);

  std::unique_ptr<storage::RocksDbStore> store =
      storage::RocksDbStore::Open(dir.File("db")).value();
  std::unique_ptr<AuditLog> log = AuditLog::Open(*store, {}).value();
  CHECK(log->Verify().ok());
  // Every exchange is whole: its request and its end share one atomic write.
  CHECK(log->Head().size % 2 == 0);
  std::set<std::string> logged;
  for (const StoredRecord& stored : ReadAll(*log)) logged.insert(stored.record.message_id());
  size_t missing = 0;
  for (size_t start = 0, end; (end = acks.find('\n', start)) != std::string::npos;
       start = end + 1) {
    missing += logged.count(acks.substr(start, end - start)) == 0 ? 1 : 0;
  }
  CHECK(missing == 0);
  testing::TestExchanges exchanges;
  CHECK(log->Append(exchanges.Answered(Side::kConsumer, "after-restart")).ok());
  CHECK(log->Verify().ok());
}

}  // namespace
}  // namespace truc::gateway::audit
