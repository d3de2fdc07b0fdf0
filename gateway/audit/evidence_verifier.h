// Checking the audit log's evidence as a third party would: the records' own signatures and
// digests, the tree that binds them, and the signed, timestamped heads of that tree, against
// what the federation approved. Used by the auditor CLI on archives, whether fetched from a
// gateway's audit API or exported to files earlier (docs/auditor-guide.md).
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/crypto/trust_store.h"
#include "core/evidence/verification_cache.h"
#include "core/timestamp/timestamp_token.h"
#include "gateway/audit/archive.h"
#include "gateway/audit/audit_log.h"
#include "truc/v1/audit.pb.h"
#include "truc/v1/gateway_audit.pb.h"

namespace truc::gateway::audit {

// kUnauthenticated from VerifyRecord: the record does not match the message evidence it carries
// (its digests, identity or header fields), or the evidence is not what its signer signed.
inline constexpr std::string_view kRecordMismatch = "audit.record_mismatch";

// What the federation approved, as a verifier uses it.
struct AuditTrust {
  crypto::TrustStore cas;  // Approved CAs and revocations.
  timestamp::TimestampVerifier tsas;
  uint64_t configuration_version = 0;
};

// The trust a signed global configuration describes, once its signature is checked against
// `anchors` (the auditor's own copy of the federation's root CA) at `now`, whatever its validity
// period (an archive's configuration has usually expired by the time it is audited). Errors:
// globalconf's verification errors; those of an unusable CA or TSA list.
StatusOr<AuditTrust> TrustFromConfiguration(std::string_view signed_configuration,
                                            const crypto::TrustStore& anchors, TimePoint now);

// Checks one record on its own: a request or response record must carry evidence that names the
// record's message, client and service, whose digests match the record's header fields (and
// body, when kept), and which its sender signed: the client's member for a request, the
// provider's for a response (evidence::VerifyMessageSignature against `cas`). A request record's
// user id, purpose, method and path must be those of its header fields. A failure record must
// say what failed. Errors: kRecordMismatch, or the signature's reasons, saying what differed.
// With `verified`, each certificate chain and each batch signature is verified once for all the
// records that carry it (every record's inclusion path is still checked); `verified` must be
// used with `cas` only.
Status VerifyRecord(const v1::AuditRecord& record, const crypto::TrustStore& cas,
                    evidence::VerificationCache* verified = nullptr);

// What VerifyConsistency established: two heads of one log, the older a prefix of the newer.
struct ConsistencyReport {
  v1::TreeHead old_head;
  v1::TreeHead new_head;
  TimePoint old_timestamp;  // The heads' tokens' genTimes.
  TimePoint new_timestamp;
};

// Verifies a consistency proof as the audit API gives it: the signed configuration against
// `anchors` (TrustFromConfiguration), both heads (VerifySignedTreeHead, signed by the owner of
// the server id), and the RFC 9162 proof from the old head's root to the new one's. Errors: the
// first check that fails, saying which.
StatusOr<ConsistencyReport> VerifyConsistency(const v1::ConsistencyProofResponse& response,
                                              const crypto::TrustStore& anchors, TimePoint now);

// What VerifyArchive found.
struct VerifyReport {
  struct Problem {
    std::string where;  // "record 17 (archive bytes 5120-8190)", "tree head at size 40", ...
    std::string what;
  };
  std::string server_id;
  uint64_t first = 0;
  uint64_t end = 0;
  uint64_t records_verified = 0;  // Given in full, and checked with VerifyRecord.
  uint64_t records_withheld = 0;  // Checked by their leaf hashes only.
  uint64_t heads_verified = 0;
  uint64_t configuration_version = 0;
  // The root of the tree of the `first` records before the segment, as its header's frontier
  // gives it (the empty tree's for a segment from 0): what a resumed verification compares with
  // the root it verified last time.
  std::string start_root;
  // The root of the sealed head at `end` (start_root for an empty segment). When ok(), the
  // records and the frontier give it.
  std::string end_root;
  std::vector<Problem> problems;  // The first kMaxProblems.
  uint64_t more_problems = 0;     // Those beyond.

  static constexpr size_t kMaxProblems = 100;
  bool ok() const { return problems.empty(); }
};

// Verifies an archive read from `in` (archive.h): its format; the signed configuration in its
// header against `anchors` (TrustFromConfiguration at `now`); every sealed head (signature,
// timestamp, certificate chain: VerifySignedTreeHead, signed by the owner of the header's
// server id); every record given in full (it hashes to its leaf hash, holds its own position,
// and passes VerifyRecord); and that the header's frontier and the leaf hashes give each head's
// root, so that any change is located between two heads. Reports every problem with its
// position; never stops at the first but for a malformed file. Each certificate chain and batch
// signature is verified once (VerifyRecord with a cache).
// `progress`, when given, is told every few thousand records how many of the total were read
// (on the calling thread).
using VerifyProgress = std::function<void(uint64_t records_read, uint64_t records_total)>;
VerifyReport VerifyArchive(std::istream& in, const crypto::TrustStore& anchors, TimePoint now,
                           const VerifyProgress& progress = nullptr);

// VerifyArchive of the archive that `produce` writes to the sink it is given, while it writes
// it: `produce` runs on a thread of its own (a download from the audit API, an export), and the
// sink waits while `max_buffered` bytes are yet to be read, so that memory stays bounded and
// nothing is written to disk. `produce`'s error, when it fails, is returned instead of a report
// (what arrived could not be the whole archive); the sink fails (kCancelled) once verification
// stops reading, at the end or at a malformed part.
using ArchiveProducer = std::function<Status(const ArchiveSink& sink)>;
StatusOr<VerifyReport> VerifyArchiveAsProduced(const ArchiveProducer& produce,
                                               const crypto::TrustStore& anchors, TimePoint now,
                                               const VerifyProgress& progress = nullptr,
                                               size_t max_buffered = 64 << 20);

// Verifies records [spec.first, spec.end) of the log in a gateway's store (spec.end 0: up to the
// latest sealed head) as VerifyArchive verifies an archive of them (spec.signed_configuration
// is the gateway's configuration; spec.in_scope is ignored), in one pass over the store without
// writing one: the records are read as the store holds them, and each is put back together,
// hashed and checked on the verifier's threads. Problems name records by position ("record 17").
// The tree entries' own hashes and the tree state are AuditLog::Verify's to check.
VerifyReport VerifyStoredLog(const AuditLog& log, const storage::KeyValueStore& store,
                             const SegmentSpec& spec, const crypto::TrustStore& anchors,
                             TimePoint now, const VerifyProgress& progress = nullptr);

}  // namespace truc::gateway::audit
