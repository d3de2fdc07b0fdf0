// KeyValueStore on an embedded RocksDB database: nothing external to install.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/storage/key_value_store.h"

namespace truc::storage {

struct RocksDbOptions {
  bool create_if_missing = true;
  // Verify checksums on every read, so on-disk corruption is reported instead of returned.
  bool paranoid_checks = true;
  // Opens a snapshot of the database for reading, which works while another process has it
  // open for writing; Write then fails.
  bool read_only = false;
  // Writes that store anything are refused (kResourceExhausted, "storage.low_space") while the
  // file system holding the database has less free space than this: the store stops short of a
  // full disk, where RocksDB 7.8 leaves its writers in a state that its next sync aborts the
  // process on, and keeps room for its memtable flushes and compactions. Batches that only
  // delete always pass (they are how space is freed). 0: no reserve.
  uint64_t min_free_bytes = 256 << 20;
  // The memtable's size before it is flushed to a table file (RocksDB's default is 64 MiB, with
  // two of them: up to 128 MiB of a gateway's memory under steady writes). The audit log only
  // appends, so a smaller memtable costs little more than more frequent flushes.
  size_t memtable_bytes = 8 << 20;
  // Key prefixes kept in partitions of their own (RocksDB column families), for keys written in
  // increasing order, such as a log's positions. A partition's table files then never overlap,
  // so RocksDB moves them down its levels instead of rewriting them: interleaved with keys
  // written in random order (an index), every file overlaps every other, and each compaction
  // rewrites all of the level below. No prefix may be a prefix of another. Keys with a listed
  // prefix found outside its partition (a database written before the partition existed) are
  // moved into it when the store is opened for writing, in synchronous batches: an interrupted
  // move resumes at the next open. Partitions the database already has are used whether listed
  // or not. Invisible to users of the store: Get, Write and Scan see one ordered key space.
  std::vector<std::string> partitions;
};

class RocksDbStore final : public KeyValueStore {
 public:
  // Opens (or creates) the database in directory `path`. kUnavailable if it cannot be opened
  // (held by another process, permissions), kDataLoss if it is corrupt; messages name the path.
  static StatusOr<std::unique_ptr<RocksDbStore>> Open(const std::string& path,
                                                      const RocksDbOptions& options = {});
  ~RocksDbStore() override;

  // Reads every table file of the database through and checks its block checksums and its
  // whole-file checksum (kept for files written since checksums were enabled). kDataLoss naming
  // the file (and offset, for a block) of the first corruption.
  Status VerifyChecksums() const;

  // Writes every memtable to table files and waits for that (the write-ahead log then holds
  // nothing that tables lack).
  Status Flush();
  // The bytes of the table files of each partition, by prefix ("" for the keys outside every
  // partition): what the store keeps once its memtables are flushed.
  std::map<std::string, uint64_t> TableBytes() const;

  StatusOr<std::optional<std::string>> Get(std::string_view key) const override;
  Status Write(const WriteBatch& batch, bool sync) override;
  // kResourceExhausted ("storage.low_space") while less than options.min_free_bytes are free,
  // as seen at most 100 ms ago (Write itself always looks).
  Status CheckSpace() const override;
  Status Scan(std::string_view prefix, std::string_view start,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override;

 private:
  struct Impl;
  // CheckSpace, looking now.
  Status CheckSpaceNow() const;
  Status SpaceStatus(uint64_t free_bytes) const;
  explicit RocksDbStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace truc::storage
