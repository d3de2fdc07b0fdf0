#include "gateway/audit/evidence_verifier.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <streambuf>
#include <thread>
#include <tuple>

#include <fmt/format.h>
#include <google/protobuf/arena.h>

#include "core/base/encoding.h"
#include "core/base/worker_pool.h"
#include "core/crypto/digest.h"
#include "core/evidence/message_signing.h"
#include "core/globalconf/configuration_view.h"
#include "core/globalconf/signed_configuration.h"
#include "core/ids/id_proto.h"
#include "core/merkle/compact_range.h"
#include "core/merkle/hash.h"
#include "core/merkle/verify.h"
#include "gateway/audit/archive.h"
#include "gateway/audit/audit_record.h"
#include "gateway/audit/tree_head.h"

namespace truc::gateway::audit {
namespace {

Status Mismatch(std::string message) {
  return UnauthenticatedError(std::move(message), std::string(kRecordMismatch));
}

// Whether two identifiers are the same, field by field (without serializing them: a verifier
// compares four per record); identifiers with unknown fields are compared as serialized.
bool NoUnknownFields(const google::protobuf::Message& message) {
  return message.GetReflection()->GetUnknownFields(message).empty();
}
bool SameMember(const v1::MemberId& a, const v1::MemberId& b) {
  return a.instance() == b.instance() && a.member_class() == b.member_class() &&
         a.member_code() == b.member_code() && NoUnknownFields(a) && NoUnknownFields(b);
}
bool SameSubsystem(const v1::SubsystemId& a, const v1::SubsystemId& b) {
  return a.has_member() == b.has_member() && SameMember(a.member(), b.member()) &&
         a.subsystem_code() == b.subsystem_code() && NoUnknownFields(a) && NoUnknownFields(b);
}
bool SameService(const v1::ServiceId& a, const v1::ServiceId& b) {
  return a.has_provider() == b.has_provider() && SameSubsystem(a.provider(), b.provider()) &&
         a.service_code() == b.service_code() && a.version() == b.version() && NoUnknownFields(a) &&
         NoUnknownFields(b);
}
template <typename Id, typename Same>
bool SameId(const Id& a, const Id& b, Same same) {
  return same(a, b) || a.SerializeAsString() == b.SerializeAsString();
}

// The record's identity fields against its evidence's.
Status CheckIdentity(const v1::AuditRecord& record) {
  const v1::MessageEvidence& evidence = record.evidence();
  const auto expected_kind = record.kind() == v1::AuditRecord::KIND_REQUEST
                                 ? v1::MessageEvidence::KIND_REQUEST
                                 : v1::MessageEvidence::KIND_RESPONSE;
  if (evidence.kind() != expected_kind) {
    return Mismatch(fmt::format("the record is a {} but its evidence is a {}",
                                v1::AuditRecord::Kind_Name(record.kind()),
                                v1::MessageEvidence::Kind_Name(evidence.kind())));
  }
  if (evidence.message_id() != record.message_id() ||
      evidence.request_id() != record.request_id()) {
    return Mismatch(fmt::format(
        "the record names message {} (request {}), its evidence message {} (request {})",
        record.message_id(), record.request_id(), evidence.message_id(), evidence.request_id()));
  }
  if (!SameId(evidence.client(), record.client(), SameSubsystem) ||
      !SameId(evidence.service(), record.service(), SameService)) {
    return Mismatch("the record's client or service differs from its evidence's");
  }
  return OkStatus();
}

Status CheckDigests(const v1::AuditRecord& record) {
  if (evidence::HeadersDigest(evidence::HeaderFieldsOf(record.headers())) !=
      record.evidence().digests().headers_sha256()) {
    return Mismatch("the record's header fields differ from those its sender signed");
  }
  if (record.stored_body_case() == v1::AuditRecord::kBody) {
    if (crypto::Sha256(record.body()) != record.evidence().digests().body_sha256()) {
      return Mismatch("the record's body differs from the one its sender signed");
    }
    if (record.body().size() != record.body_size()) {
      return Mismatch(fmt::format("the record gives a body of {} bytes but holds {}",
                                  record.body_size(), record.body().size()));
    }
  }
  if (record.kind() == v1::AuditRecord::KIND_REQUEST) {
    v1::AuditRecord signed_fields;
    SetRequestFields(record.headers(), signed_fields);
    const std::tuple<std::string_view, const std::string&, const std::string&> fields[] = {
        {"user id", record.user_id(), signed_fields.user_id()},
        {"purpose", record.purpose(), signed_fields.purpose()},
        {"method", record.method(), signed_fields.method()},
        {"path", record.path(), signed_fields.path()}};
    for (const auto& [name, logged, signed_value] : fields) {
      if (logged != signed_value) {
        return Mismatch(
            fmt::format("the record gives the {} \"{}\" but its signed header fields say \"{}\"",
                        name, logged, signed_value));
      }
    }
  }
  return OkStatus();
}

// The member that must have signed the record's message.
StatusOr<ids::MemberId> SignerOf(const v1::AuditRecord& record) {
  if (record.kind() == v1::AuditRecord::KIND_REQUEST) {
    TRUC_ASSIGN_OR_RETURN(const ids::SubsystemId client, ids::FromProto(record.client()));
    return client.member();
  }
  TRUC_ASSIGN_OR_RETURN(const ids::ServiceId service, ids::FromProto(record.service()));
  return service.provider().member();
}

// Checks an archive as ReadArchive visits it, or a log in a gateway's store as
// AuditLog::ScanStored gives it (StoredEntry).
class ArchiveChecker final : public ArchiveVisitor {
 public:
  // `log`: the log whose stored records StoredEntry is given; null for an archive.
  ArchiveChecker(const crypto::TrustStore& anchors, TimePoint now, VerifyReport& report,
                 const VerifyProgress& progress, const AuditLog* log = nullptr)
      : anchors_(anchors), now_(now), report_(report), progress_(progress), log_(log) {}

  void Header(const v1::AuditSegmentHeader& header, ArchiveSpan span) override {
    const std::string where =
        log_ != nullptr ? "the gateway's configuration and sealed heads"
                        : fmt::format("header (archive bytes {}-{})", span.begin, span.end);
    report_.server_id = header.server_id();
    report_.first = header.first();
    report_.end = header.end();
    next_ = header.first();
    StatusOr<AuditTrust> trust =
        TrustFromConfiguration(header.signed_configuration(), anchors_, now_);
    if (trust.ok()) {
      report_.configuration_version = trust->configuration_version;
      trust_.emplace(std::move(*trust));
    } else {
      Problem(where, "the signed configuration: " + trust.status().ToString() +
                         "; signatures cannot be checked");
    }
    StatusOr<merkle::CompactRange> range = merkle::CompactRange::FromFrontier(
        header.first(), {header.frontier().begin(), header.frontier().end()});
    if (range.ok()) {
      range_ = std::move(*range);
      report_.start_root = range_.Root();
      report_.end_root = report_.start_root;
    } else {
      Problem(where, "the frontier: " + range.status().ToString());
    }
    const StatusOr<ids::ServerId> server = ids::ServerId::Parse(header.server_id());
    if (!server.ok()) Problem(where, "the server id: " + server.status().ToString());
    uint64_t previous = header.first();
    for (const v1::SignedTreeHead& head : header.heads()) {
      const std::string head_where = fmt::format("tree head at size {}", head.head().size());
      if (head.head().size() <= previous || head.head().size() > header.end()) {
        Problem(head_where, fmt::format("out of order or outside the segment [{}, {})",
                                        header.first(), header.end()));
        continue;
      }
      previous = head.head().size();
      heads_.push_back(head.head());
      if (head.head().size() == header.end()) report_.end_root = head.head().root_hash();
      if (!trust_.has_value() || !server.ok()) continue;
      const StatusOr<TimePoint> verified =
          VerifySignedTreeHead(head, server->owner(), trust_->cas, trust_->tsas);
      if (verified.ok()) {
        ++report_.heads_verified;
      } else {
        Problem(head_where, verified.status().ToString());
      }
    }
    if (header.end() > header.first() && previous != header.end()) {
      Problem(where, fmt::format("no sealed head covers the segment's end, {}", header.end()));
    }
  }

  void Entry(ArchiveEntry& entry, ArchiveSpan span) override {
    const uint64_t sequence = next_++;
    if (sequence == report_.first) records_begin_ = span.begin;
    if (entry.sequence != sequence) {
      Problem(Where(sequence, span), fmt::format("the entry holds position {}", entry.sequence));
    }
    if (entry.leaf_hash.size() != merkle::kHashSize) {
      Problem(Where(sequence, span),
              fmt::format("the leaf hash has {} bytes", entry.leaf_hash.size()));
      entry.leaf_hash.resize(merkle::kHashSize);
    }
    if (entry.withheld != v1::ArchivedEntry::WITHHELD_NONE) {
      if (!entry.record.empty()) Problem(Where(sequence, span), "a withheld entry holds a record");
      ++report_.records_withheld;
    } else {
      Queue({.sequence = sequence,
             .span = span,
             .record = std::move(entry.record),
             .leaf_hash = entry.leaf_hash,
             .chain = std::move(entry.chain)});
    }
    Place(entry.leaf_hash, span);
  }

  // The record at the next position as the log's store holds it (null: pruned; taken), and the leaf
  // hash its tree entry holds.
  void StoredEntry(uint64_t sequence, std::string_view leaf_hash, std::string* stored) {
    next_ = sequence + 1;
    if (stored != nullptr) {
      Queue({.sequence = sequence,
             .record = std::move(*stored),
             .leaf_hash = std::string(leaf_hash),
             .stored = true});
    } else {
      ++report_.records_withheld;
    }
    Place(leaf_hash, {});
  }

  void ChecksumMismatch(size_t part, ArchiveSpan span) override {
    Problem(part == 0 ? fmt::format("header (archive bytes {}-{})", span.begin, span.end)
                      : Where(report_.first + part - 1, span),
            "its bytes differ from the trailer's checksum of them (a byte that no signature or "
            "tree hash covers was changed, or the checksum itself)");
  }

  // Reports a problem found here, after those of the records before it.
  void Problem(std::string where, std::string what) {
    Drain();
    Add(std::move(where), std::move(what));
  }

  // Call once the archive is read: waits for the records still being checked.
  void Finish() { Drain(); }

 private:
  // A record to check on a worker thread, and what the check found.
  struct Job {
    uint64_t sequence = 0;
    ArchiveSpan span;
    // As logged; or as stored in an archive, with `chain` the certificates it names; or as
    // stored in the log (`stored`: read with the log's ParseStoredInto).
    std::string record;
    std::string leaf_hash;
    std::vector<std::shared_ptr<const std::string>> chain;
    bool stored = false;
  };
  struct Found {
    std::vector<VerifyReport::Problem> problems;
    uint64_t verified = 0;
  };
  // Chunks checked at once per worker: enough to keep the workers busy while the reader goes on,
  // few enough that memory stays flat.
  static constexpr size_t kChunkRecords = 256;
  static constexpr size_t kChunksPerWorker = 4;
  // How often progress is told, in records.
  static constexpr uint64_t kProgressEvery = 16384;

  std::string Where(uint64_t sequence, ArchiveSpan span) const {
    if (log_ != nullptr) return fmt::format("record {}", sequence);
    return fmt::format("record {} (archive bytes {}-{})", sequence, span.begin, span.end);
  }

  // Adds the leaf at the next position to the tree, and compares the root with a sealed head's
  // where one ends there.
  void Place(std::string_view leaf_hash, ArchiveSpan span) {
    range_.Append(std::string(leaf_hash));
    if (!heads_.empty() && heads_.front().size() == range_.size()) {
      const v1::TreeHead head = heads_.front();
      heads_.erase(heads_.begin());
      if (range_.Root() != head.root_hash()) {
        Problem(log_ != nullptr ? fmt::format("records {}-{}", covered_, head.size() - 1)
                                : fmt::format("records {}-{} (archive bytes {}-{})", covered_,
                                              head.size() - 1, records_begin_, span.end),
                fmt::format("the records give the root {}, but the sealed head at size {} says {}",
                            HexEncode(range_.Root()), head.size(), HexEncode(head.root_hash())));
      }
      covered_ = head.size();
      records_begin_ = span.end;
    }
    if (progress_ && (range_.size() - report_.first) % kProgressEvery == 0) {
      progress_(range_.size() - report_.first, report_.end - report_.first);
    }
  }

  // Queues a record for checking.
  void Queue(Job job) {
    chunk_.push_back(std::move(job));
    if (chunk_.size() >= kChunkRecords) SubmitChunk();
  }

  void SubmitChunk() {
    if (chunk_.empty()) return;
    auto promise = std::make_shared<std::promise<Found>>();
    in_flight_.push_back(promise->get_future());
    const bool queued = workers_.Submit(
        [this, jobs = std::move(chunk_), promise]() mutable { promise->set_value(Check(jobs)); });
    chunk_ = {};
    if (!queued) {
      in_flight_.pop_back();
      return;
    }
    while (in_flight_.size() > kChunksPerWorker * workers_count_) TakeOldest();
  }

  void TakeOldest() {
    Found found = in_flight_.front().get();
    in_flight_.pop_front();
    report_.records_verified += found.verified;
    for (VerifyReport::Problem& problem : found.problems) {
      Add(std::move(problem.where), std::move(problem.what));
    }
  }

  // Every record queued so far is checked and its problems reported.
  void Drain() {
    SubmitChunk();
    while (!in_flight_.empty()) TakeOldest();
  }

  void Add(std::string where, std::string what) {
    if (report_.problems.size() < VerifyReport::kMaxProblems) {
      report_.problems.push_back({std::move(where), std::move(what)});
    } else {
      ++report_.more_problems;
    }
  }

  // On a worker: reads trust_ and verified_, which are fixed (or thread-safe) by then.
  Found Check(std::vector<Job>& jobs) {
    Found found;
    const auto problem = [&](const Job& job, std::string what) {
      found.problems.push_back({Where(job.sequence, job.span), std::move(what)});
    };
    // The chunk's records live on an arena: parsing them allocates little and dropping them
    // costs nothing.
    google::protobuf::Arena arena;
    for (Job& job : jobs) {
      v1::AuditRecord& record = *google::protobuf::Arena::CreateMessage<v1::AuditRecord>(&arena);
      // Whether the record is the one the tree holds, at its place.
      bool in_place = true;
      if (job.stored) {
        // ParseStoredInto checks the position, and gives the bytes as logged.
        StatusOr<std::string> logged =
            log_->ParseStoredInto(job.sequence, std::move(job.record), record);
        if (!logged.ok()) {
          problem(job, std::string(logged.status().message()));
          continue;
        }
        if (const std::string hash = merkle::HashLeaf(*logged); hash != job.leaf_hash) {
          problem(job, fmt::format("the record hashes to {}, but its leaf hash is {}",
                                   HexEncode(hash), HexEncode(job.leaf_hash)));
          in_place = false;
        }
      } else {
        if (!job.chain.empty()) {
          ArchiveEntry entry{.record = std::move(job.record), .chain = std::move(job.chain)};
          StatusOr<std::string> logged = entry.TakeLogged();
          if (!logged.ok()) {
            problem(job, "the record does not parse");
            continue;
          }
          job.record = *std::move(logged);
        }
        if (merkle::HashLeaf(job.record) != job.leaf_hash) {
          problem(job, "the record does not hash to its leaf hash");
          in_place = false;
        }
        if (!record.ParseFromString(job.record)) {
          problem(job, "the record does not parse");
          continue;
        }
        if (record.sequence() != job.sequence) {
          problem(job, fmt::format("the record holds position {}", record.sequence()));
          in_place = false;
        }
      }
      if (!trust_.has_value()) continue;
      const Status verified = VerifyRecord(record, trust_->cas, &verified_);
      if (verified.ok()) {
        // Counted as verified only when it is also the record the tree holds.
        if (in_place) ++found.verified;
      } else {
        problem(job, verified.ToString());
      }
    }
    return found;
  }

  const crypto::TrustStore& anchors_;
  const TimePoint now_;
  VerifyReport& report_;
  const VerifyProgress& progress_;
  const AuditLog* const log_;
  std::optional<AuditTrust> trust_;
  // For trust_'s CAs only (an archive has one configuration).
  evidence::VerificationCache verified_;
  merkle::CompactRange range_;
  std::vector<v1::TreeHead> heads_;  // Not yet reached, by increasing size.
  uint64_t next_ = 0;                // The position the next entry must hold.
  uint64_t covered_ = 0;             // The size of the last head reached.
  uint64_t records_begin_ = 0;       // Where the records after that head begin in the file.
  // Records are checked on every core, in chunks, while the reader goes on; their problems are
  // reported in order.
  std::vector<Job> chunk_;
  std::deque<std::future<Found>> in_flight_;
  const size_t workers_count_ = std::max(1u, std::thread::hardware_concurrency());
  WorkerPool workers_{static_cast<int>(workers_count_), 0, "verify"};  // Last: uses the above.
};

}  // namespace

StatusOr<AuditTrust> TrustFromConfiguration(std::string_view signed_configuration,
                                            const crypto::TrustStore& anchors, TimePoint now) {
  TRUC_ASSIGN_OR_RETURN(
      const globalconf::VerifiedConfiguration verified,
      globalconf::VerifyConfigurationAnyPeriod(signed_configuration, anchors, now));
  TRUC_ASSIGN_OR_RETURN(const std::shared_ptr<const globalconf::ConfigurationView> view,
                        globalconf::ConfigurationView::Create(verified));
  TRUC_ASSIGN_OR_RETURN(
      timestamp::TimestampVerifier tsas,
      timestamp::TimestampVerifier::Create(view->approved_tsas(), view->trust_store()));
  return AuditTrust{view->trust_store(), std::move(tsas), verified.info.version};
}

Status VerifyRecord(const v1::AuditRecord& record, const crypto::TrustStore& cas,
                    evidence::VerificationCache* verified) {
  switch (record.kind()) {
    case v1::AuditRecord::KIND_FAILURE:
      if (record.error_type().empty()) return Mismatch("a failure record without an error");
      return OkStatus();
    case v1::AuditRecord::KIND_REQUEST:
    case v1::AuditRecord::KIND_RESPONSE:
      break;
    default:
      return Mismatch(fmt::format("a record of unknown kind {}", static_cast<int>(record.kind())));
  }
  if (!record.has_evidence() || !record.has_signature()) {
    return Mismatch("a message record without its evidence or signature");
  }
  TRUC_RETURN_IF_ERROR(CheckIdentity(record));
  TRUC_RETURN_IF_ERROR(CheckDigests(record));
  StatusOr<ids::MemberId> signer = SignerOf(record);
  if (!signer.ok())
    return Mismatch("the record's client or service: " + signer.status().ToString());
  // The cache's generation names the trust store; there is one for the cache's whole life.
  const StatusOr<TimePoint> signed_at =
      verified != nullptr
          ? verified->VerifyMessageSignature(record.evidence(), record.signature(), *signer, cas,
                                             /*generation=*/1)
          : evidence::VerifyMessageSignature(record.evidence(), record.signature(), *signer, cas);
  if (!signed_at.ok()) return signed_at.status().Annotate("the message signature");
  return OkStatus();
}

StatusOr<ConsistencyReport> VerifyConsistency(const v1::ConsistencyProofResponse& response,
                                              const crypto::TrustStore& anchors, TimePoint now) {
  TRUC_ASSIGN_OR_RETURN(const AuditTrust trust,
                        TrustFromConfiguration(response.signed_configuration(), anchors, now));
  TRUC_ASSIGN_OR_RETURN(const ids::ServerId server, ids::ServerId::Parse(response.server_id()));
  ConsistencyReport report{.old_head = response.old_head().head(),
                           .new_head = response.new_head().head()};
  const auto verify_head = [&](const v1::SignedTreeHead& head,
                               std::string_view which) -> StatusOr<TimePoint> {
    StatusOr<TimePoint> timestamped =
        VerifySignedTreeHead(head, server.owner(), trust.cas, trust.tsas);
    if (!timestamped.ok()) {
      return timestamped.status().Annotate(
          fmt::format("the {} tree head (size {})", which, head.head().size()));
    }
    return timestamped;
  };
  TRUC_ASSIGN_OR_RETURN(report.old_timestamp, verify_head(response.old_head(), "old"));
  TRUC_ASSIGN_OR_RETURN(report.new_timestamp, verify_head(response.new_head(), "new"));
  const std::vector<std::string> proof(response.proof().begin(), response.proof().end());
  TRUC_RETURN_IF_ERROR(merkle::VerifyConsistency(report.old_head.size(), report.new_head.size(),
                                                 proof, report.old_head.root_hash(),
                                                 report.new_head.root_hash())
                           .Annotate("the consistency proof"));
  return report;
}

VerifyReport VerifyArchive(std::istream& in, const crypto::TrustStore& anchors, TimePoint now,
                           const VerifyProgress& progress) {
  VerifyReport report;
  ArchiveChecker checker(anchors, now, report, progress);
  const Status read = ReadArchive(in, checker);
  if (!read.ok()) checker.Problem("archive", read.message());
  checker.Finish();
  return report;
}

namespace {

// Bytes handed from a producer thread to a reader, at most `capacity` of them waiting.
class BytePipe final : public std::streambuf {
 public:
  explicit BytePipe(size_t capacity) : capacity_(capacity) {}

  // The producer's side: waits for room; kCancelled once the reader is gone.
  Status Write(std::string_view bytes) {
    std::unique_lock lock(mu_);
    room_.wait(lock, [&] { return abandoned_ || queued_ < capacity_ || queue_.empty(); });
    if (abandoned_) {
      return Status(StatusCode::kCancelled, "verification stopped reading the archive");
    }
    queue_.emplace_back(bytes);
    queued_ += bytes.size();
    data_.notify_one();
    return OkStatus();
  }
  void CloseWriting() {
    std::lock_guard lock(mu_);
    closed_ = true;
    data_.notify_one();
  }
  void Abandon() {
    std::lock_guard lock(mu_);
    abandoned_ = true;
    room_.notify_all();
  }
  bool abandoned() {
    std::lock_guard lock(mu_);
    return abandoned_;
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    std::unique_lock lock(mu_);
    if (!current_.empty()) {
      queued_ -= current_.size();
      room_.notify_one();
    }
    current_.clear();
    data_.wait(lock, [&] { return closed_ || !queue_.empty(); });
    if (queue_.empty()) return traits_type::eof();
    current_ = std::move(queue_.front());
    queue_.pop_front();
    setg(current_.data(), current_.data(), current_.data() + current_.size());
    return traits_type::to_int_type(*gptr());
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable room_;
  std::condition_variable data_;
  std::deque<std::string> queue_;  // Guarded by mu_.
  size_t queued_ = 0;              // Bytes in queue_ and current_; guarded by mu_.
  bool closed_ = false;            // Guarded by mu_.
  bool abandoned_ = false;         // Guarded by mu_.
  std::string current_;            // The reader's.
};

}  // namespace

StatusOr<VerifyReport> VerifyArchiveAsProduced(const ArchiveProducer& produce,
                                               const crypto::TrustStore& anchors, TimePoint now,
                                               const VerifyProgress& progress,
                                               size_t max_buffered) {
  BytePipe pipe(max_buffered);
  std::promise<Status> produced;
  std::thread producer([&] {
    const Status status = produce([&pipe](std::string_view bytes) { return pipe.Write(bytes); });
    // A producer that fails because verification stopped reading did not fail.
    produced.set_value(pipe.abandoned() ? OkStatus() : status);
    pipe.CloseWriting();
  });
  std::istream in(&pipe);
  VerifyReport report = VerifyArchive(in, anchors, now, progress);
  pipe.Abandon();
  producer.join();
  TRUC_RETURN_IF_ERROR(produced.get_future().get());
  return report;
}

VerifyReport VerifyStoredLog(const AuditLog& log, const storage::KeyValueStore& store,
                             const SegmentSpec& spec, const crypto::TrustStore& anchors,
                             TimePoint now, const VerifyProgress& progress) {
  VerifyReport report;
  report.server_id = spec.server_id;
  ArchiveChecker checker(anchors, now, report, progress, &log);
  const StatusOr<v1::AuditSegmentHeader> header = SegmentHeader(log, store, spec);
  if (!header.ok()) {
    checker.Problem("the gateway's store", header.status().ToString());
    return report;
  }
  checker.Header(*header, {});
  const Status scanned =
      log.ScanStored(header->first(), header->end(),
                     [&](uint64_t sequence, std::string_view leaf_hash, std::string* stored) {
                       checker.StoredEntry(sequence, leaf_hash, stored);
                       return true;
                     });
  if (!scanned.ok()) checker.Problem("the gateway's store", scanned.ToString());
  checker.Finish();
  return report;
}

}  // namespace truc::gateway::audit
