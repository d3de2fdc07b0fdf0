#include "core/storage/key_value_store.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rocksdb/db.h>

#include "core/storage/memory_store.h"
#include "core/storage/rocksdb_store.h"
#include "tests/support/temp_dir.h"

namespace truc::storage {
namespace {

// The contract, checked on both implementations.
void CheckContract(KeyValueStore& store) {
  WriteBatch batch;
  batch.Put("member/VN/GOV/1", "population");
  batch.Put("member/VN/GOV/2", "land");
  batch.Put("member/VN/GOV/3", "enterprise");
  batch.Put("service/x", "y");
  REQUIRE(store.Write(batch, /*sync=*/true).ok());
  CHECK(store.Get("member/VN/GOV/2").value() == "land");
  CHECK_FALSE(store.Get("member/VN/GOV/9").value().has_value());

  std::vector<std::string> seen;
  REQUIRE(store
              .Scan("member/", "",
                    [&](std::string_view key, std::string_view value) {
                      seen.push_back(std::string(key) + "=" + std::string(value));
                      return true;
                    })
              .ok());
  CHECK(seen == std::vector<std::string>{"member/VN/GOV/1=population", "member/VN/GOV/2=land",
                                         "member/VN/GOV/3=enterprise"});
  seen.clear();
  REQUIRE(store
              .Scan("member/", "member/VN/GOV/2",
                    [&](std::string_view key, std::string_view) {
                      seen.emplace_back(key);
                      return seen.size() < 1;
                    })
              .ok());
  CHECK(seen == std::vector<std::string>{"member/VN/GOV/2"});

  WriteBatch removal;
  removal.Delete("member/VN/GOV/1");
  REQUIRE(store.Write(removal, true).ok());
  CHECK_FALSE(store.Get("member/VN/GOV/1").value().has_value());
}

TEST_CASE("The in-memory store keeps the contract and can fail on demand", "[storage]") {
  MemoryStore store;
  CheckContract(store);
  store.FailWrites(Status(StatusCode::kResourceExhausted, "disk full", "storage.no_space"));
  WriteBatch batch;
  batch.Put("a", "b");
  CHECK(store.Write(batch, true).reason() == "storage.no_space");
  CHECK_FALSE(store.Get("a").value().has_value());
}

TEST_CASE("RocksDB keeps the contract and what it wrote survives reopening", "[storage]") {
  testing::TempDir dir;
  const std::string path = dir.File("db");
  {
    auto store = RocksDbStore::Open(path).value();
    CheckContract(*store);
  }
  auto reopened = RocksDbStore::Open(path).value();
  CHECK(reopened->Get("member/VN/GOV/3").value() == "enterprise");
}

TEST_CASE("RocksDB writes stop short of a full disk; deletions still pass", "[storage]") {
  testing::TempDir dir;
  const std::string path = dir.File("db");
  auto store = RocksDbStore::Open(path).value();
  WriteBatch put;
  put.Put("a", "1");
  REQUIRE(store->Write(put, true).ok());
  store.reset();
  // A reserve no file system here has free: every write that stores something is refused.
  store = RocksDbStore::Open(path, {.min_free_bytes = uint64_t{1} << 60}).value();
  const Status space = store->CheckSpace();
  CHECK(space.code() == StatusCode::kResourceExhausted);
  CHECK(space.reason() == "storage.low_space");
  CHECK(space.message().find("are free on the file system of " + path) != std::string::npos);
  WriteBatch more;
  more.Put("b", "2");
  CHECK(store->Write(more, true).reason() == "storage.low_space");
  CHECK_FALSE(store->Get("b").value().has_value());
  WriteBatch erase;
  erase.Delete("a");
  CHECK(store->Write(erase, true).ok());
  CHECK_FALSE(store->Get("a").value().has_value());
}

// Every key and value of `store`, in order, as "key=value".
std::vector<std::string> Everything(const KeyValueStore& store, std::string_view prefix = "") {
  std::vector<std::string> seen;
  REQUIRE(store
              .Scan(prefix, "",
                    [&](std::string_view key, std::string_view value) {
                      seen.push_back(std::string(key) + "=" + std::string(value));
                      return true;
                    })
              .ok());
  return seen;
}

TEST_CASE("RocksDB partitions are invisible: one ordered key space across them", "[storage]") {
  testing::TempDir dir;
  const std::string path = dir.File("db");
  const RocksDbOptions options{.partitions = {"member/", "service/"}};
  {
    auto store = RocksDbStore::Open(path, options).value();
    CheckContract(*store);
    WriteBatch batch;
    batch.Put("a", "1");
    batch.Put("member/", "2");
    batch.Put("memo", "3");
    batch.Put("service/z", "4");
    batch.Put("z", "5");
    REQUIRE(store->Write(batch, true).ok());
    const std::vector<std::string> all = {
        "a=1",    "member/=2",   "member/VN/GOV/2=land", "member/VN/GOV/3=enterprise",
        "memo=3", "service/x=y", "service/z=4",          "z=5"};
    CHECK(Everything(*store) == all);
    CHECK(Everything(*store, "mem") == std::vector<std::string>(all.begin() + 1, all.begin() + 5));
    CHECK(Everything(*store, "member/VN/") ==
          std::vector<std::string>(all.begin() + 2, all.begin() + 4));
    // From a start key inside one partition, across the others.
    std::vector<std::string> from;
    REQUIRE(store
                ->Scan("", "member/VN/GOV/3",
                       [&](std::string_view key, std::string_view) {
                         from.emplace_back(key);
                         return true;
                       })
                .ok());
    CHECK(from ==
          std::vector<std::string>{"member/VN/GOV/3", "memo", "service/x", "service/z", "z"});
  }
  // Reopened, and read-only without naming the partitions: the database knows them.
  auto reopened = RocksDbStore::Open(path, {.read_only = true}).value();
  CHECK(reopened->Get("member/VN/GOV/3").value() == "enterprise");
  CHECK(Everything(*reopened).size() == 8);
  CHECK(RocksDbStore::Open(dir.File("other"), {.partitions = {"a/", "a/b/"}}).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(RocksDbStore::Open(dir.File("other"), {.partitions = {""}}).status().code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("A database written before its partitions existed has its keys moved into them",
          "[storage]") {
  testing::TempDir dir;
  const std::string path = dir.File("db");
  std::vector<std::string> before;
  {
    auto store = RocksDbStore::Open(path).value();
    WriteBatch batch;
    for (int i = 0; i < 3000; ++i) batch.Put(fmt::format("log/{:06d}", i), std::to_string(i));
    batch.Put("index/x", "1");
    batch.Put("state", "2");
    REQUIRE(store->Write(batch, true).ok());
    before = Everything(*store);
  }
  // Read-only, the old layout reads as it is.
  CHECK(Everything(*RocksDbStore::Open(path, {.read_only = true}).value()) == before);
  {
    auto store = RocksDbStore::Open(path, {.partitions = {"log/"}}).value();
    CHECK(Everything(*store) == before);
    CHECK(store->Get("log/002999").value() == "2999");
  }
  // The keys are in the partition, none left behind.
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  REQUIRE(rocksdb::DB::OpenForReadOnly(
              rocksdb::Options(), path,
              {{rocksdb::kDefaultColumnFamilyName, {}}, {"partition:log/", {}}}, &handles, &raw)
              .ok());
  std::unique_ptr<rocksdb::Iterator> left(raw->NewIterator({}, handles[0]));
  left->Seek("log/");
  CHECK_FALSE((left->Valid() && left->key().starts_with("log/")));
  std::string value;
  CHECK(raw->Get({}, handles[1], "log/001234", &value).ok());
  CHECK(value == "1234");
  left.reset();
  for (rocksdb::ColumnFamilyHandle* handle : handles) raw->DestroyColumnFamilyHandle(handle);
  delete raw;
}

TEST_CASE("A move into a partition cut short is finished by the next writer, refused by readers",
          "[storage]") {
  testing::TempDir dir;
  const std::string path = dir.File("db");
  {
    // What an interrupted move leaves: the partition exists, and some keys are still outside it.
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    rocksdb::DB* raw = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    REQUIRE(rocksdb::DB::Open(options, path,
                              {{rocksdb::kDefaultColumnFamilyName, {}}, {"partition:log/", {}}},
                              &handles, &raw)
                .ok());
    REQUIRE(raw->Put({}, handles[1], "log/1", "moved").ok());
    REQUIRE(raw->Put({}, handles[0], "log/2", "not yet").ok());
    for (rocksdb::ColumnFamilyHandle* handle : handles) raw->DestroyColumnFamilyHandle(handle);
    delete raw;
  }
  const Status refused = RocksDbStore::Open(path, {.read_only = true}).status();
  CHECK(refused.code() == StatusCode::kFailedPrecondition);
  CHECK(refused.message().find("open it once for writing") != std::string::npos);
  {
    auto store = RocksDbStore::Open(path).value();  // Its partitions, though not named.
    CHECK(Everything(*store) == std::vector<std::string>{"log/1=moved", "log/2=not yet"});
  }
  CHECK(Everything(*RocksDbStore::Open(path, {.read_only = true}).value()) ==
        std::vector<std::string>{"log/1=moved", "log/2=not yet"});
}

TEST_CASE("A database that cannot be opened is reported with its path", "[storage]") {
  testing::TempDir dir;
  const std::string path = dir.File("db");
  auto first = RocksDbStore::Open(path).value();
  const Status second = RocksDbStore::Open(path).status();  // Locked by the first.
  CHECK(second.code() == StatusCode::kUnavailable);
  CHECK(second.message().starts_with("cannot open database " + path));
}

}  // namespace
}  // namespace truc::storage
