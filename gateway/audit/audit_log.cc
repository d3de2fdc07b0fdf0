#include "gateway/audit/audit_log.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <climits>
#include <span>
#include <utility>

#include <fmt/format.h>
#include <pthread.h>

#include "core/base/encoding.h"
#include "core/base/strings.h"
#include "core/crypto/digest.h"
#include "core/ids/id_proto.h"
#include "core/ids/identifiers.h"
#include "core/merkle/errors.h"
#include "core/merkle/hash.h"
#include "core/merkle/tree.h"
#include "proto/deterministic_serialization.h"
#include "proto/utf8_fields.h"

namespace truc::gateway::audit {
namespace {

constexpr std::string_view kRecordPrefix = "audit/record/";
constexpr std::string_view kTreePrefix = "audit/tree/";
constexpr std::string_view kTreeStateKey = "audit/tree-state";
constexpr std::string_view kPrunedBeforeKey = "audit/pruned-before";
constexpr std::string_view kMessageIndexPrefix = "audit/by-message/";
constexpr std::string_view kIndexPrefix = "audit/index/";
constexpr std::string_view kIndexedFromKey = "audit/indexed-from";
constexpr std::string_view kIndexedFromV2Key = "audit/indexed-from-v2";
constexpr std::string_view kTimeIndexPrefix = "audit/index/time/";
// The time index keeps this many minutes in memory (committer only).
constexpr size_t kCachedMinutes = 16;
constexpr std::string_view kCertificatePrefix = "audit/certificate/";
// Prune deletes this many records per write.
constexpr uint64_t kPruneChunk = 4096;

// Records that large could not be serialized with their sequence number (protobuf's 2 GiB limit).
constexpr size_t kMaxRecordBytes = INT_MAX - 64;
// Scan and Verify read records and tree entries this many at a time.
constexpr uint64_t kReadChunk = 1024;

std::string KeyOf(std::string_view prefix, uint64_t sequence) {
  return fmt::format("{}{:020d}", prefix, sequence);
}

// The prefix of the index entries of message `message_id`: hex, so that any id is one key part.
std::string MessageIndexPrefix(std::string_view message_id) {
  return fmt::format("{}{}/", kMessageIndexPrefix, HexEncode(message_id));
}

std::string CertificateKey(std::string_view sha256) {
  return fmt::format("{}{}", kCertificatePrefix, HexEncode(sha256));
}

// "record 17 (key audit/record/00000000000000000017)": where a problem is.
std::string Position(uint64_t sequence, std::string_view key) {
  return fmt::format("record {} (key {})", sequence, key);
}

Status Corrupt(std::string message) {
  return DataLossError(std::move(message), std::string(kCorruptLog));
}

// `text` as a decimal number, all of it; nullopt for anything else.
template <typename Int>
std::optional<Int> ParseWhole(std::string_view text) {
  Int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The prefix of the entries of `index` for `value`: hex, so that any value is one key part.
std::string IndexPrefix(AuditLog::Index index, std::string_view value) {
  // The key part of each index, in the order of AuditLog::Index.
  static constexpr std::string_view kFields[] = {"user", "purpose", "subject", "client", "service"};
  return fmt::format("{}{}/{}/", kIndexPrefix, kFields[static_cast<size_t>(index)],
                     HexEncode(value));
}

// The minute (since 1970, UTC) of `time`; times before 1970 count as its first minute.
int64_t MinuteOf(const google::protobuf::Timestamp& time) {
  return std::max<int64_t>(0, time.seconds()) / 60;
}
int64_t MinuteOf(TimePoint time) {
  return std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::minutes>(time.time_since_epoch()).count());
}

std::string TimeKey(int64_t minute) { return fmt::format("{}{:012d}", kTimeIndexPrefix, minute); }

std::string FormatRange(const AuditLog::PositionRange& range) {
  return fmt::format("{} {}", range.begin, range.end);
}

StatusOr<AuditLog::PositionRange> ParseRange(std::string_view key, std::string_view text) {
  if (const size_t space = text.find(' '); space != std::string_view::npos) {
    const std::optional<uint64_t> begin = ParseWhole<uint64_t>(text.substr(0, space));
    const std::optional<uint64_t> end = ParseWhole<uint64_t>(text.substr(space + 1));
    if (begin.has_value() && end.has_value() && *begin < *end) {
      return AuditLog::PositionRange{*begin, *end};
    }
  }
  return Corrupt(
      fmt::format("the time index entry {} (\"{}\") is malformed", key, EscapeForDisplay(text)));
}

// Whether `record` is final (a response or a failure): final records are indexed for queries.
bool IsFinal(const v1::AuditRecord& record) {
  return record.kind() != v1::AuditRecord::KIND_REQUEST;
}

// The keys that index `record` at `sequence`: its message's, and for a final record those of
// its user id and purpose.
std::vector<std::string> IndexKeysOf(const v1::AuditRecord& record, uint64_t sequence) {
  std::vector<std::string> keys = {KeyOf(MessageIndexPrefix(record.message_id()), sequence)};
  if (!IsFinal(record)) return keys;
  if (!record.user_id().empty()) {
    keys.push_back(KeyOf(IndexPrefix(AuditLog::Index::kUserId, record.user_id()), sequence));
  }
  if (!record.purpose().empty()) {
    keys.push_back(KeyOf(IndexPrefix(AuditLog::Index::kPurpose, record.purpose()), sequence));
  }
  for (const std::string& subject : record.subjects()) {
    if (!subject.empty()) {
      keys.push_back(KeyOf(IndexPrefix(AuditLog::Index::kSubject, subject), sequence));
    }
  }
  // A query names a subsystem or a whole member: both are indexed. (The ids were checked when
  // the exchange entered; a record without them is indexed by neither.)
  if (const StatusOr<ids::SubsystemId> client = ids::FromProto(record.client()); client.ok()) {
    keys.push_back(KeyOf(IndexPrefix(AuditLog::Index::kClient, client->ToString()), sequence));
    keys.push_back(
        KeyOf(IndexPrefix(AuditLog::Index::kClient, client->member().ToString()), sequence));
  }
  // A query for the provider's subsystem is answered from its member's entries.
  if (const StatusOr<ids::ServiceId> service = ids::FromProto(record.service()); service.ok()) {
    keys.push_back(KeyOf(IndexPrefix(AuditLog::Index::kService, service->ToString()), sequence));
    keys.push_back(KeyOf(
        IndexPrefix(AuditLog::Index::kService, service->provider().member().ToString()), sequence));
  }
  return keys;
}

// Calls `visit` with the positions of the entries under `prefix` from `first` in order
// (KeyOf(prefix, sequence) keys).
Status ScanPositions(const storage::KeyValueStore& store, const std::string& prefix, uint64_t first,
                     const std::function<bool(uint64_t)>& visit) {
  Status malformed;
  TRUC_RETURN_IF_ERROR(
      store.Scan(prefix, KeyOf(prefix, first), [&](std::string_view key, std::string_view) {
        const std::optional<uint64_t> sequence = ParseWhole<uint64_t>(key.substr(prefix.size()));
        if (!sequence.has_value()) {
          malformed = Corrupt(fmt::format("the index entry {} is malformed", key));
          return false;
        }
        return visit(*sequence);
      }));
  return malformed;
}

// The log's tree as the stored tree state describes it; the empty tree for a new log.
StatusOr<merkle::CompactRange> ReadTreeState(const storage::KeyValueStore& store) {
  TRUC_ASSIGN_OR_RETURN(const std::optional<std::string> stored, store.Get(kTreeStateKey));
  if (!stored.has_value()) {
    bool has_records = false;
    TRUC_RETURN_IF_ERROR(store.Scan(kRecordPrefix, "", [&](std::string_view, std::string_view) {
      has_records = true;
      return false;
    }));
    if (has_records) {
      return Corrupt(
          fmt::format("the audit log holds records but its tree state (key {}) is "
                      "missing",
                      kTreeStateKey));
    }
    return merkle::CompactRange();
  }
  v1::AuditTreeState state;
  if (!state.ParseFromString(*stored)) {
    return Corrupt(
        fmt::format("the audit log's tree state (key {}) does not parse", kTreeStateKey));
  }
  StatusOr<merkle::CompactRange> range = merkle::CompactRange::FromFrontier(
      state.size(), {state.frontier().begin(), state.frontier().end()});
  if (!range.ok()) {
    return Corrupt(fmt::format("the audit log's tree state (key {}) is malformed: {}",
                               kTreeStateKey, range.status().message()));
  }
  return range;
}

StatusOr<uint64_t> ReadPrunedBefore(const storage::KeyValueStore& store, uint64_t size) {
  TRUC_ASSIGN_OR_RETURN(const std::optional<std::string> stored, store.Get(kPrunedBeforeKey));
  if (!stored.has_value()) return uint64_t{0};
  uint64_t pruned = 0;
  const auto [end, error] =
      std::from_chars(stored->data(), stored->data() + stored->size(), pruned);
  if (error != std::errc() || end != stored->data() + stored->size() || pruned > size) {
    return Corrupt(
        fmt::format("the pruning boundary (key {}) is \"{}\", not a position within "
                    "the log's {} records",
                    kPrunedBeforeKey, *stored, size));
  }
  return pruned;
}

Status ParseRecordInto(uint64_t sequence, std::string_view key, std::string_view bytes,
                       v1::AuditRecord& record) {
  if (!record.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Corrupt(fmt::format("{} does not parse", Position(sequence, key)));
  }
  if (record.sequence() != sequence) {
    return Corrupt(
        fmt::format("{} holds sequence number {}", Position(sequence, key), record.sequence()));
  }
  return OkStatus();
}

StatusOr<StoredRecord> ParseRecord(uint64_t sequence, std::string_view key, std::string bytes) {
  StoredRecord stored;
  TRUC_RETURN_IF_ERROR(ParseRecordInto(sequence, key, bytes, stored.record));
  stored.bytes = std::move(bytes);
  return stored;
}

// Splits a tree entry (see the layout in the header) into its hashes.
StatusOr<std::vector<std::string>> ParseTreeEntry(uint64_t sequence, std::string_view key,
                                                  std::string_view value) {
  const size_t expected = (static_cast<size_t>(std::countr_one(sequence)) + 1) * merkle::kHashSize;
  if (value.size() != expected) {
    return Corrupt(fmt::format("the tree entry of {} has {} bytes, not {}", Position(sequence, key),
                               value.size(), expected));
  }
  std::vector<std::string> hashes;
  for (size_t offset = 0; offset < value.size(); offset += merkle::kHashSize) {
    hashes.emplace_back(value.substr(offset, merkle::kHashSize));
  }
  return hashes;
}

// The values of keys prefix + [begin, end), in order. kCorruptLog naming the first missing or
// unexpected key.
StatusOr<std::vector<std::string>> ReadRange(const storage::KeyValueStore& store,
                                             std::string_view prefix, uint64_t begin,
                                             uint64_t end) {
  std::vector<std::pair<std::string, std::string>> found;
  const Status scanned =
      store.Scan(prefix, KeyOf(prefix, begin), [&](std::string_view key, std::string_view value) {
        found.emplace_back(key, value);
        return found.size() < end - begin;
      });
  if (!scanned.ok()) {
    return scanned.Annotate(
        fmt::format("reading keys {} to {}", KeyOf(prefix, begin), KeyOf(prefix, end - 1)));
  }
  std::vector<std::string> values;
  values.reserve(end - begin);
  for (uint64_t sequence = begin; sequence < end; ++sequence) {
    const std::string expected = KeyOf(prefix, sequence);
    const size_t i = sequence - begin;
    if (i < found.size() && found[i].first < expected) {
      return Corrupt(fmt::format("unexpected key {} before record {}", found[i].first, sequence));
    }
    if (i >= found.size() || found[i].first != expected) {
      return Corrupt(fmt::format("{} is missing", Position(sequence, expected)));
    }
    values.push_back(std::move(found[i].second));
  }
  return values;
}

// Protobuf's wire format, as far as LoggedFromStored needs it.
constexpr uint32_t kWireVarint = 0;
constexpr uint32_t kWireFixed64 = 1;
constexpr uint32_t kWireLength = 2;
constexpr uint32_t kWireFixed32 = 5;
constexpr uint64_t kSignatureField = 18;        // AuditRecord.signature
constexpr uint64_t kStoredChainField = 24;      // AuditRecord.stored_chain_sha256
constexpr uint64_t kCertificateChainField = 5;  // BatchSignature.certificate_chain

bool ReadVarint(std::string_view data, size_t& at, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && at < data.size(); shift += 7) {
    const auto byte = static_cast<uint8_t>(data[at++]);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

void AppendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// One field of a message on the wire.
struct WireField {
  uint64_t number = 0;
  uint32_t type = 0;
  std::string_view whole;  // Tag and value.
  std::string_view value;  // For length-delimited fields: the bytes within.
};

// Calls `visit` with each field of the message `data` in order. Errors: kCorruptLog for bytes
// that are not a message (groups, which our schemas do not use, count as such). A template, and
// the error made only when needed: verifiers walk every record this way.
template <typename Visit>
Status ForEachField(std::string_view data, const Visit& visit) {
  const auto malformed = [] { return Corrupt("does not parse"); };
  size_t at = 0;
  while (at < data.size()) {
    const size_t begin = at;
    uint64_t tag = 0;
    if (!ReadVarint(data, at, tag)) return malformed();
    WireField field{.number = tag >> 3, .type = static_cast<uint32_t>(tag & 7)};
    uint64_t scalar = 0;
    switch (field.type) {
      case kWireVarint:
        if (!ReadVarint(data, at, scalar)) return malformed();
        break;
      case kWireFixed64:
      case kWireFixed32: {
        const size_t size = field.type == kWireFixed64 ? 8 : 4;
        if (data.size() - at < size) return malformed();
        at += size;
        break;
      }
      case kWireLength: {
        uint64_t length = 0;
        if (!ReadVarint(data, at, length) || length > data.size() - at) return malformed();
        field.value = data.substr(at, length);
        at += length;
        break;
      }
      default:
        return malformed();
    }
    if (field.number == 0) return malformed();
    field.whole = data.substr(begin, at - begin);
    TRUC_RETURN_IF_ERROR(visit(field));
  }
  return OkStatus();
}

}  // namespace

namespace {

// The record as logged, from its stored form `stored` and the certificates its
// stored_chain_sha256 names (`chain`, in order), given to `sink` piece by piece: every field but
// stored_chain_sha256 as it is, and the signature with the chain appended as its last field.
// Errors as LoggedFromStored's.
Status SpliceLogged(std::string_view stored, std::span<const std::string* const> chain,
                    const std::function<void(std::string_view)>& sink) {
  size_t chain_bytes = 0;
  for (const std::string* der : chain) chain_bytes += der->size() + 8;
  bool signed_once = false;
  const Status spliced = ForEachField(stored, [&](const WireField& field) -> Status {
    if (field.number == kStoredChainField) return OkStatus();
    if (field.number != kSignatureField) {
      sink(field.whole);
      return OkStatus();
    }
    if (field.type != kWireLength || signed_once) return Corrupt("does not parse");
    signed_once = true;
    // The chain is the signature's last field: nothing of its own may be there already.
    TRUC_RETURN_IF_ERROR(ForEachField(field.value, [&](const WireField& inner) -> Status {
      if (inner.number >= kCertificateChainField) {
        return Corrupt("holds both a certificate chain and its digests");
      }
      return OkStatus();
    }));
    std::string chain_fields;
    chain_fields.reserve(chain_bytes);
    for (const std::string* der : chain) {
      AppendVarint(chain_fields, (kCertificateChainField << 3) | kWireLength);
      AppendVarint(chain_fields, der->size());
      chain_fields.append(*der);
    }
    std::string head;
    AppendVarint(head, (kSignatureField << 3) | kWireLength);
    AppendVarint(head, field.value.size() + chain_fields.size());
    sink(head);
    sink(field.value);
    sink(chain_fields);
    return OkStatus();
  });
  TRUC_RETURN_IF_ERROR(spliced);
  if (!signed_once) return Corrupt("names certificates but has no signature");
  return OkStatus();
}

}  // namespace

StatusOr<std::vector<std::string_view>> StoredChainDigests(std::string_view stored) {
  std::vector<std::string_view> digests;
  TRUC_RETURN_IF_ERROR(ForEachField(stored, [&](const WireField& field) -> Status {
    if (field.number != kStoredChainField) return OkStatus();
    if (field.type != kWireLength) return Corrupt("does not parse");
    digests.push_back(field.value);
    return OkStatus();
  }));
  return digests;
}

StatusOr<std::string> LoggedFromStoredChain(std::string_view stored,
                                            std::span<const std::string* const> chain) {
  std::string logged;
  size_t chain_bytes = 0;
  for (const std::string* der : chain) chain_bytes += der->size() + 8;
  logged.reserve(stored.size() + chain_bytes + 8);
  TRUC_RETURN_IF_ERROR(
      SpliceLogged(stored, chain, [&](std::string_view piece) { logged.append(piece); }));
  return logged;
}

StatusOr<std::optional<std::string>> LoggedFromStored(std::string_view stored,
                                                      const CertificateLookup& certificate) {
  TRUC_ASSIGN_OR_RETURN(const std::vector<std::string_view> digests, StoredChainDigests(stored));
  if (digests.empty()) return std::optional<std::string>();
  std::vector<const std::string*> chain;
  chain.reserve(digests.size());
  for (const std::string_view digest : digests) {
    TRUC_ASSIGN_OR_RETURN(const std::string* der, certificate(digest));
    chain.push_back(der);
  }
  TRUC_ASSIGN_OR_RETURN(std::string logged, LoggedFromStoredChain(stored, chain));
  return std::optional(std::move(logged));
}

StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(storage::KeyValueStore& store,
                                                   AuditLogOptions options) {
  TRUC_RETURN_IF_ERROR(options.bodies.Check());
  TRUC_ASSIGN_OR_RETURN(merkle::CompactRange range, ReadTreeState(store));
  TRUC_ASSIGN_OR_RETURN(const uint64_t pruned_before, ReadPrunedBefore(store, range.size()));
  // A position stored under `key`, at most the log's size; nullopt when absent.
  const auto read_position = [&](std::string_view key) -> StatusOr<std::optional<uint64_t>> {
    TRUC_ASSIGN_OR_RETURN(const std::optional<std::string> text, store.Get(key));
    if (!text.has_value()) return std::optional<uint64_t>();
    const std::optional<uint64_t> value = ParseWhole<uint64_t>(*text);
    if (!value.has_value() || *value > range.size()) {
      return Corrupt(
          fmt::format("the audit log's {} (\"{}\") is malformed", key, EscapeForDisplay(*text)));
    }
    return value;
  };
  TRUC_ASSIGN_OR_RETURN(const std::optional<uint64_t> indexed_from, read_position(kIndexedFromKey));
  TRUC_ASSIGN_OR_RETURN(const std::optional<uint64_t> indexed_from_v2,
                        read_position(kIndexedFromV2Key));
  return std::unique_ptr<AuditLog>(new AuditLog(store, std::move(options), std::move(range),
                                                pruned_before, indexed_from, indexed_from_v2));
}

AuditLog::AuditLog(storage::KeyValueStore& store, AuditLogOptions options,
                   merkle::CompactRange range, uint64_t pruned_before,
                   std::optional<uint64_t> indexed_from, std::optional<uint64_t> indexed_from_v2)
    : store_(store),
      options_(std::move(options)),
      range_(std::move(range)),
      head_{range_.size(), range_.Root()},
      pruned_before_(pruned_before),
      // A log without the key was started before indexes: what it holds is not indexed.
      indexed_from_(indexed_from.value_or(range_.size())),
      indexed_from_stored_(indexed_from.has_value()),
      indexed_from_v2_(indexed_from_v2.value_or(range_.size())),
      indexed_from_v2_stored_(indexed_from_v2.has_value()),
      committer_([this] { RunCommitter(); }) {}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  committer_.join();
}

void AuditLog::PendingAppend::ReleaseBody(size_t i) {
  v1::AuditRecord& record = records[i];
  if (i < lent_from.size() && lent_from[i] != nullptr) {
    lent_from[i]->swap(*record.mutable_body());
    lent_from[i] = nullptr;
  }
  record.clear_body();
}

void AuditLog::PendingAppend::Finish(Status status) {
  for (size_t i = 0; i < lent_from.size(); ++i) {
    if (lent_from[i] != nullptr) ReleaseBody(i);
  }
  done(std::move(status));
}

void AuditLog::AppendAsync(const ExchangeRecord& exchange, Done done) {
  auto pending = std::make_unique<PendingAppend>();
  StatusOr<std::vector<v1::AuditRecord>> records = RecordsOf(exchange, options_.bodies);
  if (!records.ok()) return done(records.status());
  pending->records = *std::move(records);
  Enqueue(std::move(pending), std::move(done));
}

void AuditLog::AppendLendingBodies(ExchangeRecord& exchange, Done done) {
  auto pending = std::make_unique<PendingAppend>();
  StatusOr<std::vector<v1::AuditRecord>> records =
      RecordsOf(exchange, options_.bodies, /*copy_bodies=*/false);
  if (!records.ok()) return done(records.status());
  pending->records = *std::move(records);
  pending->lent_from.assign(pending->records.size(), nullptr);
  // The request's record first, then the response's (RecordsOf's order).
  v1::ExchangeMessage* const messages[] = {
      &exchange.request, exchange.response.has_value() ? &*exchange.response : nullptr};
  for (size_t i = 0; i < pending->records.size() && i < std::size(messages); ++i) {
    v1::AuditRecord& record = pending->records[i];
    if (messages[i] == nullptr || record.kind() == v1::AuditRecord::KIND_FAILURE ||
        !KeepsBody(record.body_policy())) {
      continue;
    }
    record.mutable_body()->swap(*messages[i]->mutable_body());
    pending->lent_from[i] = messages[i]->mutable_body();
  }
  Enqueue(std::move(pending), std::move(done));
}

void AuditLog::Enqueue(std::unique_ptr<PendingAppend> pending, Done done) {
  pending->done = std::move(done);
  if (options_.subjects && !pending->records.empty()) {
    const std::vector<std::string> subjects = options_.subjects(pending->records.front());
    for (v1::AuditRecord& record : pending->records) {
      for (const std::string& subject : subjects) record.add_subjects(subject);
    }
  }
  for (const v1::AuditRecord& record : pending->records) {
    // A record that would not read back would end every query and verification that reaches it.
    if (const Status readable = proto::CheckUtf8Fields(record); !readable.ok()) {
      return pending->Finish(InvalidArgumentError(
          fmt::format("the exchange cannot be logged as it would not read back: {}",
                      readable.message()),
          std::string(kUnreadableRecord)));
    }
    const size_t bytes = record.ByteSizeLong();
    if (bytes > kMaxRecordBytes) {
      return pending->Finish(InvalidArgumentError(
          fmt::format("an audit record of {} bytes is larger than the limit of {}", bytes,
                      kMaxRecordBytes),
          "audit.record_too_large"));
    }
    pending->bytes += bytes;
  }
  {
    std::lock_guard lock(queue_mu_);
    if (!stopping_) {
      queue_.push_back(std::move(pending));
    }
  }
  if (pending != nullptr) {
    return pending->Finish(
        FailedPreconditionError("the audit log is closing", std::string(kLogClosed)));
  }
  queue_cv_.notify_one();
}

void AuditLog::RunCommitter() {
  pthread_setname_np(pthread_self(), "audit-commit");
  std::vector<std::unique_ptr<PendingAppend>> batch;
  while (true) {
    batch.clear();
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // Stopping, and everything queued is committed.
      size_t bytes = 0;
      while (!queue_.empty() &&
             (batch.empty() || bytes + queue_.front()->bytes <= options_.max_batch_bytes)) {
        bytes += queue_.front()->bytes;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    const Status committed = Commit(batch);
    for (const std::unique_ptr<PendingAppend>& pending : batch) pending->Finish(committed);
  }
}

Status AuditLog::Commit(std::vector<std::unique_ptr<PendingAppend>>& batch) {
  // Extend a copy: should the write fail, the tree stays as the store has it.
  merkle::CompactRange range = range_;
  storage::WriteBatch write;
  std::vector<std::string> completed;
  // The certificates this batch stores, by SHA-256.
  std::unordered_map<std::string, std::string> written;
  // The minutes whose time index entries this batch widens.
  std::set<int64_t> minutes;
  for (const std::unique_ptr<PendingAppend>& pending : batch) {
    for (size_t i = 0; i < pending->records.size(); ++i) {
      v1::AuditRecord& record = pending->records[i];
      const uint64_t sequence = range.size();
      record.set_sequence(sequence);
      // The store's copy names the signer's certificates by digest; each is stored once. It is
      // serialized once: the leaf hash covers the record as logged, chain in place, which is
      // hashed from the stored bytes and the certificates as LoggedFromStored puts them back,
      // without being put together.
      google::protobuf::RepeatedPtrField<std::string> chain;
      if (record.has_signature()) {
        chain.Swap(record.mutable_signature()->mutable_certificate_chain());
      }
      std::vector<const std::string*> chain_ders;
      for (std::string& der : chain) {
        std::string digest = CertificateDigest(der);
        if (!HasCertificate(digest) && !written.contains(digest)) {
          write.Put(CertificateKey(digest), der);
          written.emplace(digest, der);
        }
        record.add_stored_chain_sha256(std::move(digest));
        chain_ders.push_back(&der);
      }
      // Cannot fail: Append refused records near the size limit.
      std::string bytes = proto::SerializeDeterministically(record).value();
      // The body is in `bytes` now: a large one is not kept twice while the batch is written.
      pending->ReleaseBody(i);
      if (chain_ders.empty()) {
        range.Append(merkle::HashLeaf(bytes), &completed);
      } else {
        crypto::Hasher leaf(crypto::DigestAlgorithm::kSha256);
        leaf.Update(std::string_view("\0", 1));  // merkle::HashLeaf's prefix.
        TRUC_RETURN_IF_ERROR(
            SpliceLogged(bytes, chain_ders, [&](std::string_view piece) { leaf.Update(piece); }));
        range.Append(leaf.Finish(), &completed);
      }
      std::string entry;
      for (const std::string& hash : completed) entry += hash;
      for (std::string& key : IndexKeysOf(record, sequence)) write.Put(std::move(key), "");
      if (IsFinal(record)) TRUC_RETURN_IF_ERROR(IndexTime(record, sequence, minutes));
      write.Put(KeyOf(kRecordPrefix, sequence), std::move(bytes));
      write.Put(KeyOf(kTreePrefix, sequence), std::move(entry));
    }
  }
  v1::AuditTreeState state;
  state.set_size(range.size());
  for (const std::string& hash : range.frontier()) state.add_frontier(hash);
  write.Put(std::string(kTreeStateKey), state.SerializeAsString());
  if (!indexed_from_stored_) write.Put(std::string(kIndexedFromKey), std::to_string(indexed_from_));
  if (!indexed_from_v2_stored_) {
    write.Put(std::string(kIndexedFromV2Key), std::to_string(indexed_from_v2_));
  }
  for (const int64_t minute : minutes) write.Put(TimeKey(minute), FormatRange(minutes_[minute]));
  // Should the write fail, the minutes keep their widened ranges: wider than needed, never
  // narrower, which queries tolerate.
  while (minutes_.size() > kCachedMinutes) minutes_.erase(minutes_.begin());
  TRUC_RETURN_IF_ERROR(store_.Write(write, /*sync=*/true));
  indexed_from_stored_ = true;
  indexed_from_v2_stored_ = true;
  if (!written.empty()) {
    std::lock_guard lock(certificates_mu_);
    certificates_.merge(written);
  }

  range_ = std::move(range);
  const TreeHead head{range_.size(), range_.Root()};
  {
    std::lock_guard lock(head_mu_);
    head_ = head;
  }
  if (options_.on_durable) options_.on_durable(head);
  return OkStatus();
}

Status AuditLog::IndexTime(const v1::AuditRecord& record, uint64_t sequence,
                           std::set<int64_t>& touched) {
  const int64_t minute = MinuteOf(record.time());
  auto found = minutes_.find(minute);
  if (found == minutes_.end()) {
    PositionRange range{sequence, sequence + 1};
    const std::string key = TimeKey(minute);
    TRUC_ASSIGN_OR_RETURN(const std::optional<std::string> stored, store_.Get(key));
    if (stored.has_value()) {
      TRUC_ASSIGN_OR_RETURN(range, ParseRange(key, *stored));
    }
    found = minutes_.emplace(minute, range).first;
  }
  found->second.begin = std::min(found->second.begin, sequence);
  found->second.end = std::max(found->second.end, sequence + 1);
  touched.insert(minute);
  return OkStatus();
}

std::string AuditLog::CertificateDigest(const std::string& der) {
  // Bounded: a burst of new signers starts it afresh.
  constexpr size_t kKept = 256;
  if (const auto found = certificate_digests_.find(der); found != certificate_digests_.end()) {
    return found->second;
  }
  if (certificate_digests_.size() >= kKept) certificate_digests_.clear();
  return certificate_digests_.emplace(der, crypto::Sha256(der)).first->second;
}

bool AuditLog::HasCertificate(const std::string& sha256) const {
  std::shared_lock lock(certificates_mu_);
  return certificates_.contains(sha256);
}

StatusOr<const std::string*> AuditLog::StoredCertificate(const std::string& sha256,
                                                         uint64_t sequence,
                                                         std::string_view record_key) const {
  {
    std::shared_lock lock(certificates_mu_);
    if (const auto found = certificates_.find(sha256); found != certificates_.end()) {
      return &found->second;
    }
  }
  const std::string key = CertificateKey(sha256);
  TRUC_ASSIGN_OR_RETURN(std::optional<std::string> der, store_.Get(key));
  if (!der.has_value()) {
    return Corrupt(fmt::format("{} names the signer certificate {}, which is missing",
                               Position(sequence, record_key), key));
  }
  if (crypto::Sha256(*der) != sha256) {
    return Corrupt(fmt::format("the certificate under {} (named by {}) has another SHA-256", key,
                               Position(sequence, record_key)));
  }
  std::lock_guard lock(certificates_mu_);
  // Elements of an unordered_map stay where they are as it grows.
  return &certificates_.try_emplace(sha256, *std::move(der)).first->second;
}

StatusOr<const std::string*> AuditLog::Certificate(std::string_view sha256,
                                                   uint64_t sequence) const {
  return StoredCertificate(std::string(sha256), sequence, KeyOf(kRecordPrefix, sequence));
}

StatusOr<std::optional<std::string>> AuditLog::LoggedFrom(uint64_t sequence, std::string_view key,
                                                          std::string_view stored) const {
  // The record as logged is put together on the wire, from the stored bytes, without parsing
  // and serializing it again: the same bytes, since both are the deterministic serialization
  // (fields in order), but for stored_chain_sha256 (field 24, dropped) and the signature's
  // certificate_chain (field 5 of field 18, its last: appended).
  StatusOr<std::optional<std::string>> logged =
      LoggedFromStored(stored, [&](std::string_view sha256) -> StatusOr<const std::string*> {
        return StoredCertificate(std::string(sha256), sequence, key);
      });
  if (!logged.ok() && logged.status().reason() == kCorruptLog) {
    return Corrupt(fmt::format("{} {}", Position(sequence, key), logged.status().message()));
  }
  return logged;
}

StatusOr<StoredRecord> AuditLog::ParseStored(uint64_t sequence, std::string_view key,
                                             std::string bytes) const {
  TRUC_ASSIGN_OR_RETURN(std::optional<std::string> logged, LoggedFrom(sequence, key, bytes));
  // Parsed from exactly the bytes the leaf hash covers. (Without digests the record is as
  // logged, or was logged before 2026-12.)
  return ParseRecord(sequence, key, logged.has_value() ? *std::move(logged) : std::move(bytes));
}

StatusOr<std::string> AuditLog::LoggedBytes(uint64_t sequence, std::string_view stored) const {
  TRUC_ASSIGN_OR_RETURN(std::optional<std::string> logged,
                        LoggedFrom(sequence, KeyOf(kRecordPrefix, sequence), stored));
  return logged.has_value() ? *std::move(logged) : std::string(stored);
}

TreeHead AuditLog::Head() const {
  std::lock_guard lock(head_mu_);
  return head_;
}

uint64_t AuditLog::size() const {
  std::lock_guard lock(head_mu_);
  return head_.size;
}

StatusOr<std::vector<std::string>> AuditLog::TreeEntry(uint64_t sequence) const {
  const std::string key = KeyOf(kTreePrefix, sequence);
  TRUC_ASSIGN_OR_RETURN(const std::optional<std::string> value, store_.Get(key));
  if (!value.has_value()) {
    return Corrupt(fmt::format("the tree entry of {} is missing", Position(sequence, key)));
  }
  return ParseTreeEntry(sequence, key, *value);
}

StatusOr<std::string> AuditLog::SubtreeHash(uint64_t begin, uint64_t end) const {
  if (begin >= end) {
    return merkle::OutOfRangeError(fmt::format("no subtree [{}, {})", begin, end));
  }
  const uint64_t width = end - begin;
  if (std::has_single_bit(width) && begin % width == 0) {
    // A perfect subtree, stored with its last leaf.
    TRUC_ASSIGN_OR_RETURN(std::vector<std::string> entry, TreeEntry(end - 1));
    return std::move(entry[std::countr_zero(width)]);
  }
  // MTH splits at the largest power of two below the width (RFC 9162 2.1.1).
  const uint64_t split = std::bit_floor(width - 1);
  TRUC_ASSIGN_OR_RETURN(const std::string left, SubtreeHash(begin, begin + split));
  TRUC_ASSIGN_OR_RETURN(const std::string right, SubtreeHash(begin + split, end));
  return merkle::HashChildren(left, right);
}

StatusOr<std::vector<std::string>> AuditLog::InclusionProof(uint64_t sequence,
                                                            uint64_t tree_size) const {
  if (const uint64_t durable = size(); tree_size > durable) {
    return merkle::OutOfRangeError(
        fmt::format("a tree of {} records is asked for, but the log holds {}", tree_size, durable));
  }
  return merkle::InclusionPath(sequence, tree_size, [this](uint64_t begin, uint64_t end) {
    return SubtreeHash(begin, end);
  });
}

StatusOr<std::vector<std::string>> AuditLog::ConsistencyProof(uint64_t old_size,
                                                              uint64_t new_size) const {
  if (const uint64_t durable = size(); new_size > durable) {
    return merkle::OutOfRangeError(
        fmt::format("a tree of {} records is asked for, but the log holds {}", new_size, durable));
  }
  return merkle::ConsistencyProof(
      old_size, new_size, [this](uint64_t begin, uint64_t end) { return SubtreeHash(begin, end); });
}

StatusOr<std::vector<std::string>> AuditLog::Frontier(uint64_t size) const {
  if (const uint64_t durable = this->size(); size > durable) {
    return merkle::OutOfRangeError(
        fmt::format("a tree of {} records is asked for, but the log holds {}", size, durable));
  }
  std::vector<std::string> frontier;
  uint64_t begin = 0;
  for (uint64_t width = std::bit_floor(size); width > 0; width >>= 1) {
    if ((size & width) == 0) continue;
    TRUC_ASSIGN_OR_RETURN(std::string hash, SubtreeHash(begin, begin + width));
    frontier.push_back(std::move(hash));
    begin += width;
  }
  return frontier;
}

StatusOr<std::vector<uint64_t>> AuditLog::FindMessage(std::string_view message_id) const {
  const uint64_t durable = size();
  std::vector<uint64_t> found;
  TRUC_RETURN_IF_ERROR(
      ScanPositions(store_, MessageIndexPrefix(message_id), 0, [&](uint64_t sequence) {
        // Entries of a batch that failed, or beyond what this reader may see, are not records.
        if (sequence < durable && sequence >= pruned_before()) found.push_back(sequence);
        return true;
      }));
  return found;
}

uint64_t AuditLog::indexed_from(Index index) const {
  switch (index) {
    case Index::kUserId:
    case Index::kPurpose:
      return indexed_from_;
    case Index::kSubject:
    case Index::kClient:
    case Index::kService:
      break;
  }
  return indexed_from_v2_;
}

StatusOr<bool> AuditLog::IsIndexed(Index index, std::string_view value, uint64_t sequence) const {
  if (sequence < indexed_from(index) || sequence < pruned_before() || sequence >= size()) {
    return false;
  }
  TRUC_ASSIGN_OR_RETURN(const std::optional<std::string> entry,
                        store_.Get(KeyOf(IndexPrefix(index, value), sequence)));
  return entry.has_value();
}

StatusOr<AuditLog::PositionRange> AuditLog::TimeRange(std::optional<TimePoint> since,
                                                      std::optional<TimePoint> until) const {
  PositionRange found;
  bool any = false;
  Status malformed;
  const std::string from = since.has_value() ? TimeKey(MinuteOf(*since)) : "";
  // The last minute that can hold a time before `until`.
  const std::optional<int64_t> last_minute =
      until.has_value() ? std::optional(MinuteOf(*until - std::chrono::nanoseconds(1)))
                        : std::nullopt;
  if (until.has_value() && since.has_value() && *until <= *since) return found;
  TRUC_RETURN_IF_ERROR(
      store_.Scan(kTimeIndexPrefix, from, [&](std::string_view key, std::string_view value) {
        const std::optional<int64_t> minute =
            ParseWhole<int64_t>(key.substr(kTimeIndexPrefix.size()));
        if (!minute.has_value()) {
          malformed = Corrupt(fmt::format("the time index entry {} is malformed", key));
          return false;
        }
        if (last_minute.has_value() && *minute > *last_minute) return false;
        StatusOr<PositionRange> range = ParseRange(key, value);
        if (!range.ok()) {
          malformed = range.status();
          return false;
        }
        found.begin = any ? std::min(found.begin, range->begin) : range->begin;
        found.end = any ? std::max(found.end, range->end) : range->end;
        any = true;
        return true;
      }));
  TRUC_RETURN_IF_ERROR(malformed);
  return found;
}

Status AuditLog::ScanIndex(Index index, std::string_view value, uint64_t first,
                           const std::function<bool(uint64_t sequence)>& visit) const {
  const uint64_t durable = size();
  const std::string prefix = IndexPrefix(index, value);
  first = std::max({first, pruned_before(), indexed_from(index)});
  // In chunks, so that `visit` may read the store (a store need not allow that within a scan).
  while (true) {
    std::vector<uint64_t> chunk;
    TRUC_RETURN_IF_ERROR(ScanPositions(store_, prefix, first, [&](uint64_t sequence) {
      // Entries at or beyond the durable size are of a batch that failed (its positions are
      // reused) or newer than this reader's view: neither is an answer.
      if (sequence >= durable) return false;
      chunk.push_back(sequence);
      return chunk.size() < kReadChunk;
    }));
    for (const uint64_t sequence : chunk) {
      if (!visit(sequence)) return OkStatus();
    }
    if (chunk.size() < kReadChunk) return OkStatus();
    first = chunk.back() + 1;
  }
}

StatusOr<std::string> AuditLog::LeafHash(uint64_t sequence) const {
  if (const uint64_t durable = size(); sequence >= durable) {
    return merkle::OutOfRangeError(
        fmt::format("record {} is asked for, but the log holds {}", sequence, durable));
  }
  TRUC_ASSIGN_OR_RETURN(std::vector<std::string> entry, TreeEntry(sequence));
  return std::move(entry[0]);
}

Status AuditLog::Prune(uint64_t before) {
  std::unique_lock lock(prune_mu_);
  if (const uint64_t durable = size(); before > durable) {
    return merkle::OutOfRangeError(
        fmt::format("records before {} are to be pruned, but the log holds {}", before, durable));
  }
  const uint64_t first = pruned_before();
  if (before <= first) return OkStatus();
  // The boundary first: should the deletions be cut short, what is left of the records is
  // ignored, and no record the log still claims is ever missing.
  storage::WriteBatch boundary;
  boundary.Put(std::string(kPrunedBeforeKey), std::to_string(before));
  TRUC_RETURN_IF_ERROR(store_.Write(boundary, /*sync=*/true));
  pruned_before_ = before;
  for (uint64_t begin = first; begin < before; begin += kPruneChunk) {
    const uint64_t end = std::min(before, begin + kPruneChunk);
    // The records' index entries go with them (a record that does not parse keeps its entries,
    // which readers skip as pruned). One record in memory at a time: they may be large.
    storage::WriteBatch write;
    TRUC_RETURN_IF_ERROR(
        store_.Scan(kRecordPrefix, KeyOf(kRecordPrefix, begin),
                    [&](std::string_view key, std::string_view value) {
                      uint64_t sequence = 0;
                      const std::string_view digits = key.substr(kRecordPrefix.size());
                      const auto [parsed_end, error] =
                          std::from_chars(digits.data(), digits.data() + digits.size(), sequence);
                      if (error != std::errc() || sequence >= end) return false;
                      v1::AuditRecord record;
                      if (record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                        for (std::string& index_key : IndexKeysOf(record, sequence)) {
                          write.Delete(std::move(index_key));
                        }
                      }
                      return true;
                    }));
    for (uint64_t sequence = begin; sequence < end; ++sequence) {
      write.Delete(KeyOf(kRecordPrefix, sequence));
    }
    TRUC_RETURN_IF_ERROR(store_.Write(write, /*sync=*/true));
  }
  // The time index's minutes whose records are all pruned. (One entry per minute: a year of a
  // busy log has about half a million.) A malformed entry is left to TimeRange to report.
  storage::WriteBatch minutes;
  TRUC_RETURN_IF_ERROR(
      store_.Scan(kTimeIndexPrefix, "", [&](std::string_view key, std::string_view value) {
        const StatusOr<PositionRange> range = ParseRange(key, value);
        if (range.ok() && range->end <= before) minutes.Delete(std::string(key));
        return true;
      }));
  if (minutes.size() > 0) TRUC_RETURN_IF_ERROR(store_.Write(minutes, /*sync=*/true));
  return OkStatus();
}

StatusOr<StoredRecord> AuditLog::Read(uint64_t sequence) const {
  if (const uint64_t durable = size(); sequence >= durable) {
    return merkle::OutOfRangeError(
        fmt::format("record {} is asked for, but the log holds {}", sequence, durable));
  }
  std::shared_lock lock(prune_mu_);
  if (sequence < pruned_before()) {
    return NotFoundError(
        fmt::format("record {} was pruned from the live log after it was archived; read it from "
                    "the archive",
                    sequence),
        std::string(kRecordPruned));
  }
  const std::string key = KeyOf(kRecordPrefix, sequence);
  TRUC_ASSIGN_OR_RETURN(std::optional<std::string> value, store_.Get(key));
  if (!value.has_value()) return Corrupt(fmt::format("{} is missing", Position(sequence, key)));
  return ParseStored(sequence, key, std::move(*value));
}

Status AuditLog::Scan(uint64_t first, uint64_t end,
                      const std::function<bool(const StoredRecord&)>& visit,
                      const UnreadableVisitor& unreadable) const {
  std::shared_lock lock(prune_mu_);
  end = std::min(end, size());
  for (uint64_t begin = std::max(first, pruned_before()); begin < end; begin += kReadChunk) {
    const uint64_t chunk_end = std::min(end, begin + kReadChunk);
    TRUC_ASSIGN_OR_RETURN(std::vector<std::string> values,
                          ReadRange(store_, kRecordPrefix, begin, chunk_end));
    for (uint64_t sequence = begin; sequence < chunk_end; ++sequence) {
      StatusOr<StoredRecord> record = ParseStored(sequence, KeyOf(kRecordPrefix, sequence),
                                                  std::move(values[sequence - begin]));
      if (!record.ok()) {
        if (unreadable == nullptr) return record.status();
        if (!unreadable(sequence, record.status())) return OkStatus();
        continue;
      }
      if (!visit(*record)) return OkStatus();
    }
  }
  return OkStatus();
}

StatusOr<StoredRecord> AuditLog::ParseStored(uint64_t sequence, std::string bytes) const {
  return ParseStored(sequence, KeyOf(kRecordPrefix, sequence), std::move(bytes));
}

StatusOr<std::string> AuditLog::ParseStoredInto(uint64_t sequence, std::string bytes,
                                                v1::AuditRecord& record) const {
  const std::string key = KeyOf(kRecordPrefix, sequence);
  TRUC_ASSIGN_OR_RETURN(std::optional<std::string> logged, LoggedFrom(sequence, key, bytes));
  std::string as_logged = logged.has_value() ? *std::move(logged) : std::move(bytes);
  TRUC_RETURN_IF_ERROR(ParseRecordInto(sequence, key, as_logged, record));
  return as_logged;
}

Status AuditLog::ScanStored(uint64_t first, uint64_t end, const StoredVisitor& visit) const {
  if (const uint64_t durable = size(); end > durable) {
    return merkle::OutOfRangeError(
        fmt::format("records up to {} are asked for, but the log holds {}", end, durable));
  }
  std::shared_lock lock(prune_mu_);
  const uint64_t pruned = pruned_before();
  for (uint64_t begin = first; begin < end; begin += kReadChunk) {
    const uint64_t chunk_end = std::min(end, begin + kReadChunk);
    const uint64_t records_begin = std::clamp(pruned, begin, chunk_end);
    TRUC_ASSIGN_OR_RETURN(std::vector<std::string> records,
                          ReadRange(store_, kRecordPrefix, records_begin, chunk_end));
    TRUC_ASSIGN_OR_RETURN(const std::vector<std::string> entries,
                          ReadRange(store_, kTreePrefix, begin, chunk_end));
    for (uint64_t sequence = begin; sequence < chunk_end; ++sequence) {
      const std::string& entry = entries[sequence - begin];
      if (entry.size() !=
          (static_cast<size_t>(std::countr_one(sequence)) + 1) * merkle::kHashSize) {
        TRUC_RETURN_IF_ERROR(
            ParseTreeEntry(sequence, KeyOf(kTreePrefix, sequence), entry).status());
      }
      const std::string_view leaf_hash = std::string_view(entry).substr(0, merkle::kHashSize);
      std::string* const stored =
          sequence >= records_begin ? &records[sequence - records_begin] : nullptr;
      if (!visit(sequence, leaf_hash, stored)) return OkStatus();
    }
  }
  return OkStatus();
}

Status AuditLog::Verify(const RecordCheck& check, VerifyScope scope) const {
  const uint64_t durable = size();
  TRUC_ASSIGN_OR_RETURN(const merkle::CompactRange stored, ReadTreeState(store_));
  if (stored.size() < durable) {
    return Corrupt(fmt::format("the tree state (key {}) holds {} records, but {} were durable",
                               kTreeStateKey, stored.size(), durable));
  }
  std::shared_lock lock(prune_mu_);
  const uint64_t pruned = pruned_before();
  merkle::CompactRange rebuilt;
  std::vector<std::string> completed;
  for (uint64_t begin = 0; begin < stored.size(); begin += kReadChunk) {
    const uint64_t end = std::min(stored.size(), begin + kReadChunk);
    const uint64_t records_begin =
        scope == VerifyScope::kTreeOnly ? end : std::clamp(pruned, begin, end);
    TRUC_ASSIGN_OR_RETURN(std::vector<std::string> records,
                          ReadRange(store_, kRecordPrefix, records_begin, end));
    TRUC_ASSIGN_OR_RETURN(const std::vector<std::string> entries,
                          ReadRange(store_, kTreePrefix, begin, end));
    for (uint64_t sequence = begin; sequence < end; ++sequence) {
      const std::string record_key = KeyOf(kRecordPrefix, sequence);
      const std::string tree_key = KeyOf(kTreePrefix, sequence);
      TRUC_ASSIGN_OR_RETURN(const std::vector<std::string> hashes,
                            ParseTreeEntry(sequence, tree_key, entries[sequence - begin]));
      if (sequence < records_begin) {
        // Pruned (or not to be read): its leaf hash is all there is to check the tree with.
        rebuilt.Append(hashes[0], &completed);
      } else {
        TRUC_ASSIGN_OR_RETURN(
            const StoredRecord record,
            ParseStored(sequence, record_key, std::move(records[sequence - records_begin])));
        rebuilt.Append(merkle::HashLeaf(record.bytes), &completed);
        if (check) {
          const Status checked = check(sequence, record);
          if (!checked.ok()) return checked.Annotate(Position(sequence, record_key));
        }
      }
      if (hashes[0] != completed[0]) {
        return Corrupt(fmt::format("{} hashes to {}, but its stored leaf hash (key {}) is {}",
                                   Position(sequence, record_key), HexEncode(completed[0]),
                                   tree_key, HexEncode(hashes[0])));
      }
      for (size_t h = 1; h < completed.size(); ++h) {
        if (hashes[h] != completed[h]) {
          const uint64_t width = uint64_t{1} << h;
          return Corrupt(fmt::format(
              "the stored hash of records [{}, {}) in the tree entry of {} is {}, but the records "
              "give {}",
              sequence + 1 - width, sequence + 1, Position(sequence, tree_key),
              HexEncode(hashes[h]), HexEncode(completed[h])));
        }
      }
    }
  }
  if (rebuilt.frontier() != stored.frontier()) {
    return Corrupt(fmt::format("the tree state (key {}) gives the root {}, but the records give {}",
                               kTreeStateKey, HexEncode(stored.Root()), HexEncode(rebuilt.Root())));
  }
  return OkStatus();
}

}  // namespace truc::gateway::audit
