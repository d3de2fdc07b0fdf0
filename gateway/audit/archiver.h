// Retention of the audit log: sealed segments are exported to archive files (archive.h) in a
// directory, and records older than the retention period are then pruned from the live store,
// which keeps their tree entries so that the proofs of what remains still hold.
//
// Every interval the archiver writes the records sealed since the last segment, [A, S) with S
// the latest sealed head's size, to "<dir>/<A, 20 digits>-<S, 20 digits>.truc-audit" (written
// to a temporary name, fsync'd, renamed, the directory fsync'd), then durably records S under
// "audit/archived-end". Only then may records before S be pruned: those whose time is older
// than the retention period.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/base/clock.h"
#include "core/base/periodic_thread.h"
#include "core/base/status.h"
#include "core/log/log.h"
#include "core/storage/key_value_store.h"
#include "gateway/audit/audit_log.h"
#include "gateway/audit/tree_head_sealer.h"

namespace truc::gateway::audit {

struct ArchiverOptions {
  std::string dir;  // Created if missing, mode 0700.
  std::chrono::milliseconds interval{std::chrono::hours(1)};
  // How long records stay in the live store once archived; zero keeps them forever.
  std::chrono::milliseconds retention{0};
  std::string server_id;
  // The SignedGlobalConfiguration the gateway holds, put in every segment.
  std::function<StatusOr<std::string>()> signed_configuration;
};

// Thread-safe. Destroying it stops its thread.
class Archiver {
 public:
  // `log`, `sealer`, `store` (the log's) and `clock` must outlive it. Errors: kInvalidArgument
  // for an empty dir or a non-positive interval; the directory's creation; the store's.
  static StatusOr<std::unique_ptr<Archiver>> Create(AuditLog& log, const TreeHeadSealer& sealer,
                                                    storage::KeyValueStore& store,
                                                    const Clock& clock, ArchiverOptions options);
  Archiver(const Archiver&) = delete;
  Archiver& operator=(const Archiver&) = delete;
  ~Archiver();

  // Starts a thread that calls ArchiveNow every interval, logging failures.
  void Start();

  // Writes the segment of the records sealed since the last one, if any, then prunes what the
  // retention period allows. Errors: the export's, the file system's, the store's. Calls are
  // serialized.
  Status ArchiveNow();

  // The end of the last archived segment: records before it are in archive files.
  uint64_t archived_end() const;

 private:
  Archiver(AuditLog& log, const TreeHeadSealer& sealer, storage::KeyValueStore& store,
           const Clock& clock, ArchiverOptions options, uint64_t archived_end);
  Status WriteSegment(uint64_t first, uint64_t end);
  Status PruneExpired();

  AuditLog& log_;
  const TreeHeadSealer& sealer_;
  storage::KeyValueStore& store_;
  const Clock& clock_;
  const ArchiverOptions options_;
  const log::Logger logger_{"audit"};

  std::mutex archive_mu_;  // Serializes ArchiveNow.
  std::atomic<uint64_t> archived_end_;

  PeriodicThread periodic_;  // Last: its thread uses the members above.
};

}  // namespace truc::gateway::audit
