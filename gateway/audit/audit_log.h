// The gateway's audit log: every exchange's records (audit_record.h), durable before the caller
// sees the response, in an append-only RFC 9162 Merkle tree that makes any later change to them
// evident. docs/audit-log.md describes the format for auditors.
//
// Store layout (all keys under "audit/", sequence numbers as 20 decimal digits so that keys sort
// in log order):
//
//   audit/record/<seq>   the v1::AuditRecord at position seq, deterministically serialized, its
//                        signer's certificate chain replaced by the certificates' SHA-256
//                        (stored_chain_sha256). Its leaf hash is merkle::HashLeaf of the record
//                        as logged: with the chain put back (and stored_chain_sha256 cleared),
//                        deterministically serialized. Records stored before 2026-12 hold their
//                        chain themselves; they are read as they are.
//   audit/certificate/<hex of SHA-256>
//                        a signer certificate (DER) that records name: each is stored once, in
//                        the batch of the first record that names it, and never pruned.
//   audit/tree/<seq>     the hashes of the perfect subtrees that end with leaf seq, smallest
//                        first, 32 bytes each, concatenated: the leaf hash, then the subtree of
//                        2, 4, ... leaves, one per trailing one bit of seq (see
//                        merkle::CompactRange::Append). Together they hold every perfect subtree
//                        of the tree, so a proof costs O(log^2 n) reads.
//   audit/tree-state     a v1::AuditTreeState: the log's size and the CompactRange frontier,
//                        from which the root is computed.
//   audit/by-message/<hex of message id>/<seq>
//                        empty: an index of the records of each message id, written with them.
//   audit/index/<field>/<hex of value>/<seq>
//                        empty: the final record (response or failure) at seq has this value
//                        of `field`, "user" (user_id), "purpose", "subject" (one of its
//                        subjects), "client" (its client subsystem id, and its client's member
//                        id) or "service" (its service id, and the provider's member id);
//                        written with it, for queries (Index). Absent for empty values.
//   audit/index/time/<minute>
//                        "<begin> <end>" (decimal): the final records whose time falls in this
//                        minute (since 1970, UTC; 12 decimal digits) are all at positions in
//                        [begin, end). Records are logged about in the order of their times, so
//                        that a time range's records lie in a narrow range of positions.
//   audit/indexed-from   the position from which records are indexed by user and purpose
//                        (decimal): the log's size when a gateway that indexes first opened it
//                        (0 for a log it started).
//   audit/indexed-from-v2
//                        the same for the indexes by subject, client, service and time.
//   audit/pruned-before  the position before which records were pruned (decimal; absent: 0).
//                        Pruning deletes records and their index entries, never tree entries:
//                        proofs and Verify still cover every position, and archives
//                        (archive.h) keep the records.
//
// Durability: appends are gathered by one committer thread; each batch (the records of several
// exchanges, their tree entries and the new tree state) is one storage::WriteBatch written with
// sync=true, so the store always holds a whole number of batches and a tree state that matches
// them. Append returns once its batch is durable. A batch whose write fails fails every Append in
// it and is not visible; the next batch reuses its sequence numbers, so the log has no gaps. (If a
// failed fsync nonetheless left the batch on disk, it reappears whole when the store is reopened:
// exchanges whose callers were told LoggingFailed may be logged, never the reverse.)
//
// Contract for tree-head signing and timestamping (TreeHead, proofs): Head() is the tree over
// exactly the records that are durable, and never shrinks; the proofs are RFC 9162 PATH and PROOF
// over the leaf hashes HashLeaf(StoredRecord::bytes), checkable with core/merkle/verify.h against
// a head's root. AuditLogOptions::on_durable is called after each batch, so a sealer learns of new
// records without polling.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/base/status.h"
#include "core/merkle/compact_range.h"
#include "core/storage/key_value_store.h"
#include "gateway/audit/audit_record.h"
#include "gateway/exchange/exchange_log.h"
#include "truc/v1/audit.pb.h"

namespace truc::gateway::audit {

// kDataLoss from Open, Read, Scan and Verify: a stored value is missing, does not parse, or
// disagrees with what it must match. The message names the record's sequence number and key.
inline constexpr std::string_view kCorruptLog = "audit.corrupt_log";
// kNotFound from Read: the record was pruned from the live store after it was archived.
inline constexpr std::string_view kRecordPruned = "audit.record_pruned";
// kInvalidArgument from Append: a record would not parse back (a string field that is not UTF-8);
// nothing of the exchange is logged.
inline constexpr std::string_view kUnreadableRecord = "audit.unreadable_record";
// kFailedPrecondition from Append: the log is shutting down.
inline constexpr std::string_view kLogClosed = "audit.log_closed";

// The key prefixes of the log that are written in increasing order: a store keeps each in a
// partition of its own (storage::RocksDbOptions::partitions), so that they are never rewritten
// by compactions.
inline const std::vector<std::string>& StorePartitions() {
  static const std::vector<std::string> partitions = {"audit/record/", "audit/tree/"};
  return partitions;
}

// The state of the log after its first `size` records (as v1::TreeHead carries it).
struct TreeHead {
  uint64_t size = 0;
  std::string root;  // MTH of the first `size` leaves, 32 bytes; merkle::EmptyRoot() for none.
};

// A record as read back from the log.
struct StoredRecord {
  v1::AuditRecord record;
  // As logged (deterministically serialized, its certificate chain in place, as the store may
  // keep it apart): merkle::HashLeaf(bytes) is the record's leaf hash.
  std::string bytes;
};

struct AuditLogOptions {
  BodyPolicies bodies;
  // A batch closes once it holds this many bytes of records (or when the queue is empty); a
  // single larger exchange still makes a batch of its own.
  size_t max_batch_bytes = 32 << 20;
  // The subject identifiers of an exchange, from its request record (its service and path),
  // set on every record of the exchange (AuditRecord.subjects) and indexed on its final one. May
  // be empty: then records have none. Called on the appending thread.
  std::function<std::vector<std::string>(const v1::AuditRecord& request)> subjects;
  // Called on the committer thread after each durable batch, with the new head; no lock of the
  // log is held, but the next batch waits for it, so it must be quick (e.g.
  // TreeHeadSealer::NotifyAppended). May be empty.
  std::function<void(const TreeHead&)> on_durable;
};

// Thread-safe: Append from any number of threads; the readers (Head, proofs, Read, Scan, Verify)
// concurrently with appends, seeing only durable records.
// The record as logged from its stored form (the bytes under audit/record/<seq>): the
// certificates its stored_chain_sha256 names (looked up with `certificate`, by SHA-256) put back
// as its signature's certificate_chain, and stored_chain_sha256 dropped, on the wire, so that the
// result is the deterministic serialization of the record as logged. nullopt when the stored
// form names no certificates (it is then as logged). Errors: kCorruptLog for bytes that do not
// parse (groups included, which no schema of ours has, though protobuf keeps them as unknown
// fields), a record that holds a chain as well as digests or names certificates without a
// signature, with a message that follows the record's name ("does not parse"); `certificate`'s
// errors.
using CertificateLookup = std::function<StatusOr<const std::string*>(std::string_view sha256)>;
StatusOr<std::optional<std::string>> LoggedFromStored(std::string_view stored,
                                                      const CertificateLookup& certificate);

// The SHA-256 digests a stored record names in its stored_chain_sha256, in order (views into
// `stored`); empty for a record that holds its chain itself. Errors: kCorruptLog as
// LoggedFromStored's.
StatusOr<std::vector<std::string_view>> StoredChainDigests(std::string_view stored);
// The record as logged from its stored form and the certificates its stored_chain_sha256 names,
// given in that order (the caller matched them to the digests). Errors as LoggedFromStored's.
StatusOr<std::string> LoggedFromStoredChain(std::string_view stored,
                                            std::span<const std::string* const> chain);

class AuditLog final : public ExchangeLog {
 public:
  // Opens the log in `store`, which must outlive it, and resumes at the durable size.
  // Errors: the store's; kDataLoss (kCorruptLog) when the tree state does not parse;
  // kInvalidArgument when options.bodies fails BodyPolicies::Check.
  static StatusOr<std::unique_ptr<AuditLog>> Open(storage::KeyValueStore& store,
                                                  AuditLogOptions options);

  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  AuditLog(AuditLog&&) = delete;
  AuditLog& operator=(AuditLog&&) = delete;
  // Commits what is queued, then stops the committer.
  ~AuditLog() override;

  // Appends the records of `exchange` (RecordsOf) and returns once they are durable; concurrent
  // appends share one synchronous write. Errors: the store's for the whole batch, kLogClosed,
  // RecordsOf's. Blocks for as long as the write does.
  void AppendAsync(const ExchangeRecord& exchange, Done done) override;
  // Bodies kept by the body policy are moved into the records, and back into `exchange` once
  // serialized (or on an error), before `done`.
  void AppendLendingBodies(ExchangeRecord& exchange, Done done) override;
  // The store's CheckSpace: an exchange is refused before it starts while the disk is too full
  // to log it (whether tree heads are timestamped in time is the TreeHeadSealer's to say).
  Status Ready() const override { return store_.CheckSpace(); }

  // The tree over the records durable so far.
  TreeHead Head() const;

  // The inclusion path of record `sequence` in the tree of the first `tree_size` records (RFC
  // 9162 PATH). kOutOfRange (merkle::kOutOfRange) unless sequence < tree_size <= Head().size;
  // the store's errors; kCorruptLog when a tree entry is missing or malformed.
  StatusOr<std::vector<std::string>> InclusionProof(uint64_t sequence, uint64_t tree_size) const;

  // The consistency proof from the tree of `old_size` records to that of `new_size` (RFC 9162
  // PROOF). kOutOfRange unless old_size <= new_size <= Head().size; errors as InclusionProof.
  StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const;

  // The hashes of the perfect subtrees that make up the tree of the first `size` records, largest
  // first: a merkle::CompactRange's frontier. Errors as ConsistencyProof.
  StatusOr<std::vector<std::string>> Frontier(uint64_t size) const;

  // The record at `sequence`. kOutOfRange (merkle::kOutOfRange) unless sequence < Head().size;
  // kRecordPruned before pruned_before(); kCorruptLog when it is missing, does not parse or
  // holds another sequence number.
  StatusOr<StoredRecord> Read(uint64_t sequence) const;

  // Calls `visit` with the records [first, end) in order, stopping early when it returns false.
  // `end` is capped at Head().size as it was when Scan began; pruned records are skipped. Errors
  // as Read, except that when `unreadable` is given a record that does not parse (or holds
  // another sequence number) is passed to it, with the problem, and the scan goes on while it
  // returns true: a query reports such a record and skips it rather than ending at it.
  using UnreadableVisitor = std::function<bool(uint64_t sequence, const Status& problem)>;
  Status Scan(uint64_t first, uint64_t end, const std::function<bool(const StoredRecord&)>& visit,
              const UnreadableVisitor& unreadable = nullptr) const;

  // The positions of the records of message `message_id` that are durable and not pruned, in
  // order, from the message index. Errors: the store's; kCorruptLog for a malformed entry.
  StatusOr<std::vector<uint64_t>> FindMessage(std::string_view message_id) const;

  // The position before which records have been pruned (0 when none have).
  uint64_t pruned_before() const { return pruned_before_.load(); }

  // The fields of final records (responses and failures) indexed for queries. kClient holds
  // the client's subsystem id and its member id; kService the service id and the provider's
  // member id.
  enum class Index { kUserId, kPurpose, kSubject, kClient, kService };  // IndexPrefix's order.
  // The position from which records are indexed by `index`: records logged before (by a
  // gateway that did not write that index yet) are found by scanning only.
  uint64_t indexed_from(Index index) const;
  // The position from which records are indexed by time (TimeRange).
  uint64_t time_indexed_from() const { return indexed_from_v2_; }
  // The position from which every index is written.
  uint64_t indexed_from() const { return std::max(indexed_from_, indexed_from_v2_); }
  // Calls `visit` with the positions, in order from `first`, of the final records whose `index`
  // field is exactly `value`, that are durable, not pruned and at or after
  // indexed_from(index); stops early when it returns false. Errors: the store's; kCorruptLog
  // for a malformed entry.
  Status ScanIndex(Index index, std::string_view value, uint64_t first,
                   const std::function<bool(uint64_t sequence)>& visit) const;
  // Whether the final record at `sequence` is indexed under `value` of `index` (one read).
  StatusOr<bool> IsIndexed(Index index, std::string_view value, uint64_t sequence) const;

  // Positions [begin, end).
  struct PositionRange {
    uint64_t begin = 0;
    uint64_t end = 0;
    bool operator==(const PositionRange&) const = default;
  };
  // The narrowest range of positions that holds every final record at or after
  // time_indexed_from() whose time is in [since, until) (either open when absent), from the time
  // index; empty (begin == end) when there is none. Not capped at the durable size. Errors: the
  // store's; kCorruptLog for a malformed entry.
  StatusOr<PositionRange> TimeRange(std::optional<TimePoint> since,
                                    std::optional<TimePoint> until) const;

  // The leaf hash of record `sequence`, pruned or not, from its tree entry. Errors as
  // InclusionProof.
  StatusOr<std::string> LeafHash(uint64_t sequence) const;

  // Deletes the records [pruned_before(), before) from the store, keeping their tree entries, in
  // synchronous batches, after making the new boundary durable. Call it only for records that
  // are archived. Readers wait while it runs. Errors: kOutOfRange when before > Head().size; the
  // store's.
  Status Prune(uint64_t before);

  // A further check of each record once its place in the tree is verified (signatures,
  // certificates, timestamps: the verifier's later layers). Its error stops Verify, which returns
  // it annotated with the record's position.
  using RecordCheck = std::function<Status(uint64_t sequence, const StoredRecord&)>;

  // Checks the stored log against itself (pruned records by their tree entries only): every
  // record parses and holds its own sequence number,
  // its leaf hash and the subtree hashes stored with it are recomputed and compared, and the root
  // recomputed from all records is compared with the stored tree state's frontier. Covers the
  // records of the tree state read when Verify starts. Returns the FIRST problem as kDataLoss
  // (kCorruptLog) whose message says where and what: "record 17 (key audit/record/...17): stored
  // leaf hash ab12... but the record hashes to cd34...". Else the store's errors, or `check`'s.
  // Reads every record once; memory O(log n) besides one chunk of records. With
  // kTreeOnly, records are not read: every leaf is taken from its tree entry, as for pruned
  // records (for verifiers that check the records themselves, through ScanStored).
  enum class VerifyScope { kTreeAndRecords, kTreeOnly };
  Status Verify(const RecordCheck& check = nullptr,
                VerifyScope scope = VerifyScope::kTreeAndRecords) const;

  // For verifiers that spread the work of reading records over threads. Calls `visit` on this
  // thread with each position of [first, end) in order, its leaf hash as its tree entry holds
  // it, and its record as stored (null when pruned; `visit` may move the string away), which
  // ParseStored turns into the record as logged; stops early when `visit` returns false.
  // Errors: kOutOfRange beyond Head().size; the store's; kCorruptLog for a missing or malformed
  // tree entry, or a missing record.
  using StoredVisitor =
      std::function<bool(uint64_t sequence, std::string_view leaf_hash, std::string* stored)>;
  Status ScanStored(uint64_t first, uint64_t end, const StoredVisitor& visit) const;

  // The bytes of the record stored at `sequence` (the value `stored` of its key) as logged, its
  // signer chain put back (LoggedFromStored), not parsed. Errors: kCorruptLog as Read's.
  // Thread-safe.
  StatusOr<std::string> LoggedBytes(uint64_t sequence, std::string_view stored) const;

  // The signer certificate (DER) the log stores under its SHA-256 `sha256`, which the record at
  // `sequence` names (for errors). The string lives as long as the log. Errors: kCorruptLog for
  // a certificate that is missing or has another digest; the store's. Thread-safe.
  StatusOr<const std::string*> Certificate(std::string_view sha256, uint64_t sequence) const;

  // The record stored at `sequence` (the value `bytes` of its key) as logged: parsed, its signer
  // chain put back. Errors as Read. Thread-safe.
  StatusOr<StoredRecord> ParseStored(uint64_t sequence, std::string bytes) const;
  // ParseStored into `record` (which may live on an arena, as a verifier's do): returns the
  // bytes as logged.
  StatusOr<std::string> ParseStoredInto(uint64_t sequence, std::string bytes,
                                        v1::AuditRecord& record) const;

 private:
  struct PendingAppend {
    std::vector<v1::AuditRecord> records;
    // Where each record's body was lent from, or null: the body goes back there once the record
    // is serialized, and at the latest before `done`.
    std::vector<std::string*> lent_from;
    size_t bytes = 0;
    Done done;

    // Hands record `i`'s body back where it was lent from, or drops it.
    void ReleaseBody(size_t i);
    void Finish(Status status);  // Bodies back, then done.
  };
  // Checks `pending`'s records and queues them; `done` (with every body handed back) on an error.
  void Enqueue(std::unique_ptr<PendingAppend> pending, Done done);

  AuditLog(storage::KeyValueStore& store, AuditLogOptions options, merkle::CompactRange range,
           uint64_t pruned_before, std::optional<uint64_t> indexed_from,
           std::optional<uint64_t> indexed_from_v2);

  void RunCommitter();
  // Writes `batch` as one synchronous WriteBatch, extending `range_`.
  Status Commit(std::vector<std::unique_ptr<PendingAppend>>& batch);
  // Widens the time index's entry (in minutes_) of the minute of final record `record` at
  // `sequence` to include it, and adds the minute to `touched`. Committer only.
  Status IndexTime(const v1::AuditRecord& record, uint64_t sequence, std::set<int64_t>& touched);
  // MTH(D[begin:end]) from the stored perfect subtree hashes (a merkle::SubtreeHashFn).
  StatusOr<std::string> SubtreeHash(uint64_t begin, uint64_t end) const;
  // LoggedFromStored for the record under `key`, its errors naming it.
  StatusOr<std::optional<std::string>> LoggedFrom(uint64_t sequence, std::string_view key,
                                                  std::string_view stored) const;
  // ParseStored, for the record under `key`.
  StatusOr<StoredRecord> ParseStored(uint64_t sequence, std::string_view key,
                                     std::string bytes) const;
  bool HasCertificate(const std::string& sha256) const;
  // The certificate stored under its SHA-256 `sha256`, which record `sequence` names.
  // The string lives as long as this log (certificates are cached, never dropped).
  StatusOr<const std::string*> StoredCertificate(const std::string& sha256, uint64_t sequence,
                                                 std::string_view record_key) const;
  // The hashes stored with leaf `sequence` (see the layout above).
  StatusOr<std::vector<std::string>> TreeEntry(uint64_t sequence) const;
  uint64_t size() const;

  storage::KeyValueStore& store_;
  const AuditLogOptions options_;

  // The committer's own tree, ahead of head_ while a batch is being written. Committer only.
  merkle::CompactRange range_;

  mutable std::mutex head_mu_;
  TreeHead head_;  // Guarded by head_mu_.

  // Prune holds it exclusively, the readers of records shared: they never see a record the log
  // claims go missing under them.
  mutable std::shared_mutex prune_mu_;
  std::atomic<uint64_t> pruned_before_;
  const uint64_t indexed_from_;
  bool indexed_from_stored_;  // Committer only: whether the store has audit/indexed-from.
  const uint64_t indexed_from_v2_;
  bool indexed_from_v2_stored_;  // Committer only: whether the store has audit/indexed-from-v2.
  // The time index's entries of the latest minutes written. Committer only.
  std::map<int64_t, PositionRange> minutes_;
  // The SHA-256 of `der`, from the certificates seen lately (a signer's chain comes with every
  // message it signs). Committer only.
  std::string CertificateDigest(const std::string& der);
  std::unordered_map<std::string, std::string> certificate_digests_;  // DER -> SHA-256.

  // Signer certificates the store holds (audit/certificate/), by SHA-256: those the committer
  // wrote and those readers read. A federation has a few thousand at most.
  mutable std::shared_mutex certificates_mu_;
  mutable std::unordered_map<std::string, std::string> certificates_;  // Guarded by it.

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::unique_ptr<PendingAppend>> queue_;  // Guarded by queue_mu_.
  bool stopping_ = false;                             // Guarded by queue_mu_.

  std::thread committer_;  // Last: started once everything above is ready.
};

}  // namespace truc::gateway::audit
