#include "core/storage/key_value_store.h"

#include <catch2/catch.hpp>

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
