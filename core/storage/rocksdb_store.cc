#include "core/storage/rocksdb_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <limits>
#include <mutex>

#include <fmt/format.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/file_checksum.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <sys/statvfs.h>

#include "core/log/log.h"

namespace truc::storage {
namespace {

Status FromRocksDb(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return OkStatus();
  const std::string message = fmt::format("{}: {}", what, status.ToString());
  if (status.IsCorruption()) return DataLossError(message, "storage.corrupt");
  if (status.IsNoSpace())
    return Status(StatusCode::kResourceExhausted, message, "storage.no_space");
  if (status.IsIOError() && status.subcode() == rocksdb::Status::kNoSpace) {
    return Status(StatusCode::kResourceExhausted, message, "storage.no_space");
  }
  return UnavailableError(message, "storage.io_error");
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// RocksDB's own log: its errors and corruption reports go to the daemon's log (a LOG file in the
// data directory is where nobody looks, and a read-only open must not touch the directory). It
// keeps the last corruption RocksDB reported, which names the file and how much of it was dropped
// ("/…/000004.log: dropping 19509 bytes; Corruption: checksum mismatch").
class RocksDbLogger final : public rocksdb::Logger {
 public:
  RocksDbLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  using rocksdb::Logger::Logv;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char buffer[1024];
    std::vsnprintf(buffer, sizeof(buffer), format, ap);
    const std::string_view text(buffer);
    const bool corruption = text.find("Corruption") != std::string_view::npos;
    // Its warnings are mostly routine ("Error when reading <dir>" as it creates a database);
    // errors and corruption are not.
    if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL || corruption) {
      logger_.Warning("rocksdb", {{"message", text}});
    }
    if (corruption && text.find("DB::Open() failed") == std::string_view::npos) {
      std::lock_guard lock(mu_);
      last_corruption_ = text;
    }
  }

  std::string last_corruption() const {
    std::lock_guard lock(mu_);
    return last_corruption_;
  }

 private:
  const log::Logger logger_{"storage"};
  mutable std::mutex mu_;
  std::string last_corruption_;  // Guarded by mu_.
};

}  // namespace

// The name of the column family that holds the keys starting with `prefix`.
constexpr std::string_view kPartitionPrefix = "partition:";
// Keys moved into a partition per synchronous write when an older database is opened.
constexpr size_t kMoveChunk = 1024;
// How long CheckSpace answers from the free space last seen.
constexpr int64_t kSpaceCheckInterval =
    std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::milliseconds(100))
        .count();

struct RocksDbStore::Impl {
  struct Partition {
    std::string prefix;
    rocksdb::ColumnFamilyHandle* handle = nullptr;
  };

  ~Impl() {
    if (db == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      if (handle != db->DefaultColumnFamily()) db->DestroyColumnFamilyHandle(handle);
    }
    db.reset();
  }

  // The column family that holds `key`.
  rocksdb::ColumnFamilyHandle* For(std::string_view key) const {
    for (const Partition& partition : partitions) {
      if (key.starts_with(partition.prefix)) return partition.handle;
    }
    return db->DefaultColumnFamily();
  }

  // Moves the keys with `partition`'s prefix that are outside it into it.
  Status MoveInto(const Partition& partition) {
    const rocksdb::Slice prefix = ToSlice(partition.prefix);
    while (true) {
      rocksdb::WriteBatch batch;
      size_t moved = 0;
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && moved < kMoveChunk;
           it->Next(), ++moved) {
        batch.Put(partition.handle, it->key(), it->value());
        batch.Delete(db->DefaultColumnFamily(), it->key());
      }
      TRUC_RETURN_IF_ERROR(FromRocksDb(it->status(), fmt::format("scan of {}", path)));
      if (moved == 0) return OkStatus();
      rocksdb::WriteOptions write_options;
      write_options.sync = true;
      TRUC_RETURN_IF_ERROR(FromRocksDb(
          db->Write(write_options, &batch),
          fmt::format("moving keys {}... of {} into their partition", partition.prefix, path)));
    }
  }

  // Whether keys with `partition`'s prefix are left outside it.
  StatusOr<bool> Unmoved(const Partition& partition) const {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    it->Seek(ToSlice(partition.prefix));
    const bool found = it->Valid() && it->key().starts_with(ToSlice(partition.prefix));
    TRUC_RETURN_IF_ERROR(FromRocksDb(it->status(), fmt::format("scan of {}", path)));
    return found;
  }

  std::string path;
  uint64_t min_free_bytes = 0;
  std::shared_ptr<RocksDbLogger> logger;  // Before db, which uses it.
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // Every column family's, the default's too.
  std::vector<Partition> partitions;
  // The free space last seen, and when (steady_clock ticks): CheckSpace's cache.
  mutable std::atomic<uint64_t> free_bytes{0};
  mutable std::atomic<int64_t> space_checked_at{std::numeric_limits<int64_t>::min() / 2};
};

RocksDbStore::RocksDbStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksDbStore::~RocksDbStore() = default;

StatusOr<std::unique_ptr<RocksDbStore>> RocksDbStore::Open(const std::string& path,
                                                           const RocksDbOptions& options) {
  for (const std::string& prefix : options.partitions) {
    for (const std::string& other : options.partitions) {
      if (prefix.empty() || (&prefix != &other && other.starts_with(prefix))) {
        return InvalidArgumentError(
            fmt::format("the partitions of database {} overlap or are empty: \"{}\" and \"{}\"",
                        path, prefix, other));
      }
    }
  }
  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.paranoid_checks = options.paranoid_checks;
  auto logger = std::make_shared<RocksDbLogger>();
  db_options.info_log = logger;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // A CRC32C of every table file as a whole, kept in the manifest: VerifyChecksums then finds a
  // changed byte anywhere in a table file, even where no block checksum reaches (footer padding).
  db_options.file_checksum_gen_factory = rocksdb::GetFileChecksumGenCrc32cFactory();
  // Every write we acknowledge is synced, so only the very last record of a write-ahead log may
  // be incomplete (a crash while writing it); anything else that does not check out is
  // corruption, and opening fails saying so. (RocksDB's default would replay up to the corrupt
  // record and silently drop everything after it.)
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_options.write_buffer_size = options.memtable_bytes;
  // The memtables of all partitions together stay within what one would take alone; and a
  // partition written rarely is flushed once the write-ahead log grows, so that old log files
  // can go.
  db_options.db_write_buffer_size = 2 * options.memtable_bytes;
  db_options.max_total_wal_size = 4 * options.memtable_bytes;
  db_options.create_missing_column_families = true;

  // Every column family the database has must be opened; partitions are those named for a
  // prefix.
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(db_options, path, &names).ok()) {
    names = {rocksdb::kDefaultColumnFamilyName};  // A new database (Open reports other faults).
  }
  if (!options.read_only) {
    for (const std::string& prefix : options.partitions) {
      const std::string name = fmt::format("{}{}", kPartitionPrefix, prefix);
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  const rocksdb::ColumnFamilyOptions family_options(db_options);
  // A partition's table files are written once, when its memtable is flushed, and then moved
  // down unchanged: their compression is final. zstd at its fastest level packs the audit log's
  // records tighter than Snappy (the default) for about the same cost.
  rocksdb::ColumnFamilyOptions partition_options = family_options;
  if (const std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
      std::find(supported.begin(), supported.end(), rocksdb::kZSTD) != supported.end()) {
    partition_options.compression = rocksdb::kZSTD;
    partition_options.compression_opts.level = 1;
  }
  // Blocks of 16 KiB rather than 4: a block of the audit log then holds about ten records, whose
  // identifiers, header fields and certificates' digests repeat from one to the next, and
  // compresses to about 60 % of what 4 KiB blocks give. A point read decompresses 16 KiB
  // (tens of microseconds).
  rocksdb::BlockBasedTableOptions partition_tables;
  partition_tables.block_size = 16 << 10;
  partition_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(partition_tables));
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) {
    if (!name.starts_with(kPartitionPrefix)) {
      families.emplace_back(name, family_options);
      continue;
    }
    // A partition's keys share its prefix and are mostly written in increasing order (the audit
    // log's records and tree entries): the memtable keeps where the last one went and inserts the
    // next from there, instead of searching its skip list from the top for each key.
    rocksdb::ColumnFamilyOptions hinted = partition_options;
    hinted.memtable_insert_with_hint_prefix_extractor.reset(
        rocksdb::NewFixedPrefixTransform(name.size() - kPartitionPrefix.size()));
    families.emplace_back(name, std::move(hinted));
  }

  auto impl = std::make_unique<Impl>();
  rocksdb::DB* db = nullptr;
  const rocksdb::Status opened =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, path, families, &impl->handles, &db)
          : rocksdb::DB::Open(db_options, path, families, &impl->handles, &db);
  if (const std::string detail = logger->last_corruption(); !opened.ok() && !detail.empty()) {
    return FromRocksDb(opened, fmt::format("cannot open database {} ({})", path, detail));
  }
  TRUC_RETURN_IF_ERROR(FromRocksDb(opened, fmt::format("cannot open database {}", path)));
  impl->path = path;
  impl->min_free_bytes = options.min_free_bytes;
  impl->logger = std::move(logger);
  impl->db.reset(db);
  for (rocksdb::ColumnFamilyHandle* handle : impl->handles) {
    const std::string& name = handle->GetName();
    if (name.starts_with(kPartitionPrefix)) {
      impl->partitions.push_back({name.substr(kPartitionPrefix.size()), handle});
    }
  }
  for (const Impl::Partition& partition : impl->partitions) {
    if (!options.read_only) {
      TRUC_RETURN_IF_ERROR(impl->MoveInto(partition));
      continue;
    }
    TRUC_ASSIGN_OR_RETURN(const bool unmoved, impl->Unmoved(partition));
    if (unmoved) {
      return FailedPreconditionError(fmt::format(
          "database {} is part-way through moving its keys {}... into a partition of their "
          "own; open it once for writing (start its gateway) to finish, then read it",
          path, partition.prefix));
    }
  }
  return std::unique_ptr<RocksDbStore>(new RocksDbStore(std::move(impl)));
}

Status RocksDbStore::Flush() {
  rocksdb::FlushOptions options;
  options.wait = true;
  return FromRocksDb(impl_->db->Flush(options, impl_->handles), "flushing the memtables");
}

std::map<std::string, uint64_t> RocksDbStore::TableBytes() const {
  std::map<std::string, uint64_t> bytes;
  for (rocksdb::ColumnFamilyHandle* handle : impl_->handles) {
    rocksdb::ColumnFamilyMetaData meta;
    impl_->db->GetColumnFamilyMetaData(handle, &meta);
    std::string name = handle->GetName();
    bytes[name.starts_with(kPartitionPrefix) ? name.substr(kPartitionPrefix.size()) : ""] +=
        meta.size;
  }
  return bytes;
}

StatusOr<std::optional<std::string>> RocksDbStore::Get(std::string_view key) const {
  rocksdb::ReadOptions read_options;
  read_options.verify_checksums = true;
  std::string value;
  const rocksdb::Status status =
      impl_->db->Get(read_options, impl_->For(key), ToSlice(key), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  TRUC_RETURN_IF_ERROR(FromRocksDb(status, fmt::format("read from {}", impl_->path)));
  return std::optional<std::string>(std::move(value));
}

Status RocksDbStore::VerifyChecksums() const {
  const std::string what = fmt::format("checking the files of database {}", impl_->path);
  TRUC_RETURN_IF_ERROR(FromRocksDb(impl_->db->VerifyChecksum(), what));
  return FromRocksDb(impl_->db->VerifyFileChecksums(rocksdb::ReadOptions()), what);
}

Status RocksDbStore::CheckSpace() const {
  if (impl_->min_free_bytes == 0) return OkStatus();
  // A system call per exchange is not cheap; the free space a tenth of a second ago is as good.
  const int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  if (now - impl_->space_checked_at.load(std::memory_order_relaxed) < kSpaceCheckInterval) {
    return SpaceStatus(impl_->free_bytes.load(std::memory_order_relaxed));
  }
  return CheckSpaceNow();
}

Status RocksDbStore::CheckSpaceNow() const {
  struct statvfs space {};
  if (impl_->min_free_bytes == 0 || statvfs(impl_->path.c_str(), &space) != 0) return OkStatus();
  const uint64_t free_bytes = static_cast<uint64_t>(space.f_bavail) * space.f_frsize;
  impl_->free_bytes.store(free_bytes, std::memory_order_relaxed);
  impl_->space_checked_at.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                                std::memory_order_relaxed);
  return SpaceStatus(free_bytes);
}

Status RocksDbStore::SpaceStatus(uint64_t free_bytes) const {
  if (free_bytes >= impl_->min_free_bytes) return OkStatus();
  return Status(StatusCode::kResourceExhausted,
                fmt::format("only {} MiB are free on the file system of {}; writes wait until at "
                            "least {} MiB are (the store's reserve)",
                            free_bytes >> 20, impl_->path, impl_->min_free_bytes >> 20),
                "storage.low_space");
}

Status RocksDbStore::Write(const WriteBatch& batch, bool sync) {
  const bool stores = std::any_of(batch.ops().begin(), batch.ops().end(),
                                  [](const WriteBatch::Op& op) { return op.value.has_value(); });
  if (stores) TRUC_RETURN_IF_ERROR(CheckSpaceNow());
  rocksdb::WriteBatch native;
  for (const WriteBatch::Op& op : batch.ops()) {
    if (op.value) {
      native.Put(impl_->For(op.key), ToSlice(op.key), ToSlice(*op.value));
    } else {
      native.Delete(impl_->For(op.key), ToSlice(op.key));
    }
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  return FromRocksDb(impl_->db->Write(write_options, &native),
                     fmt::format("write to {}", impl_->path));
}

Status RocksDbStore::Scan(
    std::string_view prefix, std::string_view start,
    const std::function<bool(std::string_view, std::string_view)>& visit) const {
  rocksdb::ReadOptions read_options;
  read_options.verify_checksums = true;
  // The column families that can hold keys with `prefix`: one partition when the prefix is
  // within it; else the default one and the partitions within the prefix. Every key is in
  // exactly one of them, so merging them in order gives the one ordered key space.
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  if (rocksdb::ColumnFamilyHandle* family = impl_->For(prefix);
      family != impl_->db->DefaultColumnFamily()) {
    families.push_back(family);
  } else {
    families.push_back(family);
    for (const Impl::Partition& partition : impl_->partitions) {
      if (std::string_view(partition.prefix).starts_with(prefix)) {
        families.push_back(partition.handle);
      }
    }
  }
  std::vector<std::unique_ptr<rocksdb::Iterator>> iterators;
  for (rocksdb::ColumnFamilyHandle* family : families) {
    iterators.emplace_back(impl_->db->NewIterator(read_options, family));
    iterators.back()->Seek(ToSlice(start.empty() ? prefix : start));
  }
  while (true) {
    rocksdb::Iterator* next = nullptr;
    for (const std::unique_ptr<rocksdb::Iterator>& it : iterators) {
      if (it->Valid() && (next == nullptr || it->key().compare(next->key()) < 0)) {
        next = it.get();
      }
    }
    if (next == nullptr) break;
    const std::string_view key(next->key().data(), next->key().size());
    if (!key.starts_with(prefix)) break;
    if (!visit(key, std::string_view(next->value().data(), next->value().size()))) break;
    next->Next();
  }
  for (const std::unique_ptr<rocksdb::Iterator>& it : iterators) {
    TRUC_RETURN_IF_ERROR(FromRocksDb(it->status(), fmt::format("scan of {}", impl_->path)));
  }
  return OkStatus();
}

}  // namespace truc::storage
