#include "core/storage/rocksdb_store.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <mutex>

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/file_checksum.h>
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

struct RocksDbStore::Impl {
  std::string path;
  uint64_t min_free_bytes = 0;
  std::shared_ptr<RocksDbLogger> logger;  // Before db, which uses it.
  std::unique_ptr<rocksdb::DB> db;
};

RocksDbStore::RocksDbStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksDbStore::~RocksDbStore() = default;

StatusOr<std::unique_ptr<RocksDbStore>> RocksDbStore::Open(const std::string& path,
                                                           const RocksDbOptions& options) {
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
  rocksdb::DB* db = nullptr;
  const rocksdb::Status opened = options.read_only
                                     ? rocksdb::DB::OpenForReadOnly(db_options, path, &db)
                                     : rocksdb::DB::Open(db_options, path, &db);
  if (const std::string detail = logger->last_corruption(); !opened.ok() && !detail.empty()) {
    return FromRocksDb(opened, fmt::format("cannot open database {} ({})", path, detail));
  }
  TRUC_RETURN_IF_ERROR(FromRocksDb(opened, fmt::format("cannot open database {}", path)));
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->min_free_bytes = options.min_free_bytes;
  impl->logger = std::move(logger);
  impl->db.reset(db);
  return std::unique_ptr<RocksDbStore>(new RocksDbStore(std::move(impl)));
}

StatusOr<std::optional<std::string>> RocksDbStore::Get(std::string_view key) const {
  rocksdb::ReadOptions read_options;
  read_options.verify_checksums = true;
  std::string value;
  const rocksdb::Status status = impl_->db->Get(read_options, ToSlice(key), &value);
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
  struct statvfs space {};
  if (impl_->min_free_bytes == 0 || statvfs(impl_->path.c_str(), &space) != 0) return OkStatus();
  const uint64_t free_bytes = static_cast<uint64_t>(space.f_bavail) * space.f_frsize;
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
  if (stores) TRUC_RETURN_IF_ERROR(CheckSpace());
  rocksdb::WriteBatch native;
  for (const WriteBatch::Op& op : batch.ops()) {
    if (op.value) {
      native.Put(ToSlice(op.key), ToSlice(*op.value));
    } else {
      native.Delete(ToSlice(op.key));
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
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(read_options));
  for (it->Seek(ToSlice(start.empty() ? prefix : start)); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (!key.starts_with(prefix)) break;
    if (!visit(key, std::string_view(it->value().data(), it->value().size()))) break;
  }
  return FromRocksDb(it->status(), fmt::format("scan of {}", impl_->path));
}

}  // namespace truc::storage
