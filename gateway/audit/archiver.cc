#include "gateway/audit/archiver.h"

#include <charconv>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "gateway/audit/archive.h"
#include "proto/timestamp_conversion.h"

namespace truc::gateway::audit {
namespace {

constexpr std::string_view kArchivedEndKey = "audit/archived-end";

// A file written through a temporary name and made durable under its own on Commit; removed if
// Commit was not reached.
class DurableFile {
 public:
  static StatusOr<DurableFile> Create(std::string path) {
    std::string temporary = path + ".partial";
    const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
      return UnavailableError(fmt::format("cannot create {}: {}", temporary, std::strerror(errno)));
    }
    return DurableFile(std::move(path), std::move(temporary), fd);
  }
  DurableFile(DurableFile&& other) noexcept
      : path_(std::move(other.path_)),
        temporary_(std::move(other.temporary_)),
        fd_(std::exchange(other.fd_, -1)) {}
  DurableFile& operator=(DurableFile&&) = delete;
  ~DurableFile() {
    if (fd_ >= 0) {
      close(fd_);
      unlink(temporary_.c_str());
    }
  }

  Status Write(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t written = write(fd_, bytes.data(), bytes.size());
      if (written < 0 && errno == EINTR) continue;
      if (written < 0) {
        return UnavailableError(
            fmt::format("writing {} failed: {}", temporary_, std::strerror(errno)));
      }
      bytes.remove_prefix(static_cast<size_t>(written));
    }
    return OkStatus();
  }

  // fsyncs the file, renames it to its name and fsyncs the directory.
  Status Commit() {
    if (fsync(fd_) != 0 || close(std::exchange(fd_, -1)) != 0 ||
        rename(temporary_.c_str(), path_.c_str()) != 0) {
      return UnavailableError(
          fmt::format("making {} durable failed: {}", path_, std::strerror(errno)));
    }
    const std::string dir = std::filesystem::path(path_).parent_path().string();
    const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const bool synced = dir_fd >= 0 && fsync(dir_fd) == 0;
    if (dir_fd >= 0) close(dir_fd);
    if (!synced) return UnavailableError(fmt::format("fsync of {} failed", dir));
    return OkStatus();
  }

 private:
  DurableFile(std::string path, std::string temporary, int fd)
      : path_(std::move(path)), temporary_(std::move(temporary)), fd_(fd) {}

  std::string path_;
  std::string temporary_;
  int fd_;
};

}  // namespace

StatusOr<std::unique_ptr<Archiver>> Archiver::Create(AuditLog& log, const TreeHeadSealer& sealer,
                                                     storage::KeyValueStore& store,
                                                     const Clock& clock, ArchiverOptions options) {
  if (options.dir.empty() || options.interval <= std::chrono::milliseconds::zero()) {
    return InvalidArgumentError("archiving needs a directory and a positive interval");
  }
  std::error_code error;
  std::filesystem::create_directories(options.dir, error);
  if (error) {
    return UnavailableError(
        fmt::format("cannot create the archive directory {}: {}", options.dir, error.message()));
  }
  std::filesystem::permissions(options.dir, std::filesystem::perms::owner_all, error);
  TRUC_ASSIGN_OR_RETURN(const std::optional<std::string> stored, store.Get(kArchivedEndKey));
  uint64_t archived_end = 0;
  if (stored.has_value()) {
    const auto [end, parse_error] =
        std::from_chars(stored->data(), stored->data() + stored->size(), archived_end);
    if (parse_error != std::errc() || end != stored->data() + stored->size()) {
      return DataLossError(fmt::format("the archived end (key {}) is \"{}\", not a position",
                                       kArchivedEndKey, *stored),
                           std::string(kCorruptLog));
    }
  }
  return std::unique_ptr<Archiver>(
      new Archiver(log, sealer, store, clock, std::move(options), archived_end));
}

Archiver::Archiver(AuditLog& log, const TreeHeadSealer& sealer, storage::KeyValueStore& store,
                   const Clock& clock, ArchiverOptions options, uint64_t archived_end)
    : log_(log),
      sealer_(sealer),
      store_(store),
      clock_(clock),
      options_(std::move(options)),
      archived_end_(archived_end) {}

Archiver::~Archiver() { periodic_.Stop(); }

void Archiver::Start() {
  periodic_.Start(options_.interval, [this] {
    const Status archived = ArchiveNow();
    if (!archived.ok()) {
      logger_.Warning("cannot archive the audit log; retrying every interval",
                      {{"error", archived.ToString()}});
    }
  });
}

uint64_t Archiver::archived_end() const { return archived_end_.load(); }

Status Archiver::ArchiveNow() {
  std::lock_guard lock(archive_mu_);
  const std::optional<v1::SignedTreeHead> latest = sealer_.Latest();
  const uint64_t sealed = latest.has_value() ? latest->head().size() : 0;
  if (sealed > archived_end()) TRUC_RETURN_IF_ERROR(WriteSegment(archived_end(), sealed));
  return PruneExpired();
}

Status Archiver::WriteSegment(uint64_t first, uint64_t end) {
  const std::string path = fmt::format("{}/{:020d}-{:020d}.truc-audit", options_.dir, first, end);
  TRUC_ASSIGN_OR_RETURN(DurableFile file, DurableFile::Create(path));
  TRUC_ASSIGN_OR_RETURN(std::string configuration, options_.signed_configuration());
  TRUC_RETURN_IF_ERROR(
      ExportSegment(log_, store_,
                    {.first = first,
                     .end = end,
                     .server_id = options_.server_id,
                     .signed_configuration = std::move(configuration)},
                    [&file](std::string_view bytes) { return file.Write(bytes); }));
  TRUC_RETURN_IF_ERROR(file.Commit());
  storage::WriteBatch write;
  write.Put(std::string(kArchivedEndKey), std::to_string(end));
  TRUC_RETURN_IF_ERROR(store_.Write(write, /*sync=*/true));
  archived_end_ = end;
  logger_.Info("archived a segment of the audit log",
               {{"file", path}, {"first", first}, {"end", end}});
  return OkStatus();
}

Status Archiver::PruneExpired() {
  if (options_.retention <= std::chrono::milliseconds::zero()) return OkStatus();
  const TimePoint cutoff = clock_.Now() - options_.retention;
  // Records are appended in about the order of their times: prune up to the first that is
  // recent enough, within what is archived.
  uint64_t prunable = log_.pruned_before();
  TRUC_RETURN_IF_ERROR(log_.Scan(prunable, archived_end(), [&](const StoredRecord& stored) {
    if (proto::FromProtoTimestamp(stored.record.time()) >= cutoff) return false;
    prunable = stored.record.sequence() + 1;
    return true;
  }));
  if (prunable <= log_.pruned_before()) return OkStatus();
  TRUC_RETURN_IF_ERROR(log_.Prune(prunable));
  logger_.Info("pruned archived records past their retention from the live store",
               {{"before", prunable}});
  return OkStatus();
}

}  // namespace truc::gateway::audit
