// Sealing the audit log: periodically signing its tree head and having it timestamped, one TSA
// call per interval however many records were appended, and failing closed when timestamping has
// been impossible for longer than a tolerance.
//
// A head that could not be timestamped is not kept: the next interval seals the then-current head
// instead, which covers the whole backlog (a consistency proof chains the older records into it).
// Sealed heads are stored durably under "sth/<size, 20 decimal digits>" as serialized
// v1::SignedTreeHead, with "sth-latest" holding the key of the latest one.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "core/base/clock.h"
#include "core/base/periodic_thread.h"
#include "core/base/status.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/log/log.h"
#include "core/storage/key_value_store.h"
#include "core/timestamp/timestamper.h"
#include "truc/v1/tree_head.pb.h"

namespace truc::gateway::audit {

// kUnavailable from CheckTimestamping: records have waited longer than the tolerance for a
// timestamped tree head. The gateway must refuse new exchanges.
inline constexpr std::string_view kTimestampingOverdue = "audit.timestamping_overdue";
// kDataLoss: the log's head is smaller than, or at the same size differs from, a head already
// sealed. Records were lost or rewritten; nothing is sealed any more.
inline constexpr std::string_view kLogRewound = "audit.log_rewound";
// kDataLoss: a stored sealed head is missing or does not parse.
inline constexpr std::string_view kCorruptSealedHead = "audit.corrupt_sealed_head";
// kInvalidArgument from TreeHeadSealer::Create.
inline constexpr std::string_view kInvalidSealerOptions = "audit.invalid_sealer_options";

// What the sealer needs of the audit log. Implementations are thread-safe.
class TreeHeadSource {
 public:
  virtual ~TreeHeadSource() = default;
  // The head over every record durably appended so far (size 0 and merkle::EmptyRoot() for an
  // empty log).
  virtual StatusOr<v1::TreeHead> Head() const = 0;
};

struct TreeHeadSealerOptions {
  // How often the background thread seals (real time, not the injected clock).
  std::chrono::milliseconds interval{std::chrono::seconds(1)};
  // How long a record may wait for a timestamped head before CheckTimestamping fails.
  std::chrono::milliseconds tolerance{std::chrono::seconds(30)};
};

// Thread-safe. Destroying the sealer stops its thread (see Stop).
class TreeHeadSealer {
 public:
  // `source`, `signer`, `timestamper`, `store` and `clock` must outlive the sealer. `chain` is the
  // member signing certificate of `signer`'s key, then its issuers. Loads the latest sealed head
  // from `store` and asks `source` for its head: records beyond the sealed head are treated as
  // appended now, so their tolerance starts with the sealer. Errors: kInvalidSealerOptions (a
  // non-positive interval or tolerance, an empty chain, a chain whose leaf is not `signer`'s
  // key), kCorruptSealedHead, kLogRewound, the store's and the source's errors. Starts no thread.
  static StatusOr<std::unique_ptr<TreeHeadSealer>> Create(
      const TreeHeadSource& source, const crypto::Signer& signer,
      std::vector<crypto::Certificate> chain, timestamp::Timestamper& timestamper,
      storage::KeyValueStore& store, const Clock& clock, TreeHeadSealerOptions options);

  TreeHeadSealer(const TreeHeadSealer&) = delete;
  TreeHeadSealer& operator=(const TreeHeadSealer&) = delete;
  TreeHeadSealer(TreeHeadSealer&&) = delete;
  TreeHeadSealer& operator=(TreeHeadSealer&&) = delete;
  ~TreeHeadSealer();

  // Starts a thread that calls SealNow every interval, logging when sealing starts failing and
  // when it recovers. Does nothing if the thread runs.
  void Start();
  // Stops the thread, waiting for a seal in progress (as long as the timestamper's timeout). To
  // seal the last records at shutdown, call SealNow afterwards. Does nothing if no thread runs.
  void Stop();

  // Seals the source's current head if the log grew since the latest sealed head: signs it, has
  // it timestamped (one timestamper call), stores it with a synchronous write and makes it
  // Latest(). OK too when there was nothing to seal. Errors, also kept for CheckTimestamping's
  // message: the source's, the signer's, the timestamper's, the store's, kLogRewound. Calls are
  // serialized; they block for as long as the timestamper does.
  Status SealNow();

  // Tells the sealer that the log holds `size` records since `appended_at`, once they are
  // durable. Sizes not above what is already known are ignored. Cheap; call after every batch.
  void NotifyAppended(uint64_t size, TimePoint appended_at);

  // OK unless records not covered by a sealed head exist and the oldest of them was appended
  // more than `tolerance` before the clock's now: then kUnavailable with kTimestampingOverdue,
  // saying since when and the last sealing error. No I/O; cheap enough for every exchange.
  Status CheckTimestamping() const;

  // The latest sealed head, or nullopt before the first.
  std::optional<v1::SignedTreeHead> Latest() const;

  // The stored sealed heads with min_size <= size <= max_size, by increasing size, at most
  // `limit` of them. Errors: the store's, kCorruptSealedHead.
  StatusOr<std::vector<v1::SignedTreeHead>> SealedHeads(uint64_t min_size, uint64_t max_size,
                                                        size_t limit) const;

 private:
  // Records appended at one moment: the log held `size` records from `appended_at` on.
  struct Appended {
    uint64_t size;
    TimePoint appended_at;
  };

  TreeHeadSealer(const TreeHeadSource& source, const crypto::Signer& signer,
                 std::vector<crypto::Certificate> chain, timestamp::Timestamper& timestamper,
                 storage::KeyValueStore& store, const Clock& clock, TreeHeadSealerOptions options,
                 std::optional<v1::SignedTreeHead> latest);

  // SealNow without the bookkeeping: the head sealed, or nullopt when there was nothing new.
  // Called with seal_mu_ held.
  StatusOr<std::optional<v1::SignedTreeHead>> SealCurrentHead();
  Status Store(const v1::SignedTreeHead& sealed);

  const TreeHeadSource& source_;
  const crypto::Signer& signer_;
  const std::vector<crypto::Certificate> chain_;
  timestamp::Timestamper& timestamper_;
  storage::KeyValueStore& store_;
  const Clock& clock_;
  const TreeHeadSealerOptions options_;
  const log::Logger logger_{"audit"};

  std::mutex seal_mu_;  // Serializes SealNow.

  mutable std::mutex state_mu_;
  std::optional<v1::SignedTreeHead> latest_;  // Guarded by state_mu_; changed under seal_mu_ too.
  // Records not covered by latest_, oldest first, with increasing sizes. Guarded by state_mu_.
  std::deque<Appended> uncovered_;
  Status last_error_;  // The last failed SealNow's error. Guarded by state_mu_.

  PeriodicThread periodic_;  // Last: its thread uses the members above.
};

// What a sealer stored in `store`, for readers that need no sealer (archives, offline checks):
// the latest sealed head, or nullopt before the first; the sealed heads with
// min_size <= size <= max_size, by increasing size, at most `limit`. Errors: the store's,
// kCorruptSealedHead.
StatusOr<std::optional<v1::SignedTreeHead>> ReadLatestSealedHead(
    const storage::KeyValueStore& store);
StatusOr<std::vector<v1::SignedTreeHead>> ReadSealedHeads(const storage::KeyValueStore& store,
                                                          uint64_t min_size, uint64_t max_size,
                                                          size_t limit);

}  // namespace truc::gateway::audit
