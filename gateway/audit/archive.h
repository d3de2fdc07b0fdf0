// Archives of the audit log: segments of it exported to files that hold everything needed to
// verify them offline (proto/truc/v1/audit_archive.proto, docs/auditor-guide.md).
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "gateway/audit/audit_log.h"
#include "gateway/audit/tree_head_sealer.h"
#include "truc/v1/audit_archive.pb.h"
#include "truc/v1/gateway_audit.pb.h"

namespace truc::gateway::audit {

// The first bytes of an archive of the version ExportSegment writes (2), and of version 1,
// which ReadArchive still reads (proto/truc/v1/audit_archive.proto).
inline constexpr std::string_view kArchiveMagic = "truc-audit-seg2\n";
inline constexpr std::string_view kArchiveMagicV1 = "truc-audit-seg1\n";
// kDataLoss from ReadArchive: the file is not an archive, or its framing or one of its messages
// is malformed (unknown fields included). The message gives the byte offset.
inline constexpr std::string_view kMalformedArchive = "audit.malformed_archive";
// kInvalidArgument from ExportSegment: the range does not end at a sealed head.
inline constexpr std::string_view kUnsealedRange = "audit.unsealed_range";

// Where a part of an archive lies in its file: bytes [begin, end).
struct ArchiveSpan {
  uint64_t begin = 0;
  uint64_t end = 0;
};

// Receives the bytes of an archive in order; an error stops the export.
using ArchiveSink = std::function<Status(std::string_view bytes)>;

// What ExportSegment puts in a segment besides the log's own data.
struct SegmentSpec {
  // [first, end); end must be the size of a sealed head (0: the latest).
  uint64_t first = 0;
  uint64_t end = 0;
  std::string server_id;
  std::string signed_configuration;
  // Whether the record may be given in full; others are withheld as WITHHELD_OUT_OF_SCOPE. Empty:
  // every record.
  std::function<bool(const v1::AuditRecord&)> in_scope;
};

// The header of the archive of records [spec.first, spec.end) of `log` (spec.end 0: the latest
// sealed head's size): the frontier of the tree before spec.first, and the sealed heads that
// cover the range, read from `store`. Errors as ExportSegment's but the sink's.
StatusOr<v1::AuditSegmentHeader> SegmentHeader(const AuditLog& log,
                                               const storage::KeyValueStore& store,
                                               const SegmentSpec& spec);

// Writes records [spec.first, spec.end) of `log` as an archive to `sink`, with the sealed heads
// that cover them, read from `store` (the log's, where the TreeHeadSealer keeps them). Pruned
// records are given by their leaf hashes. Errors: kOutOfRange for a range beyond the latest
// sealed head or inverted; kUnsealedRange; the log's, the store's and the sink's.
Status ExportSegment(const AuditLog& log, const storage::KeyValueStore& store, SegmentSpec spec,
                     const ArchiveSink& sink);

// An entry of an archive as ReadArchive gives it, in either version.
struct ArchiveEntry {
  uint64_t sequence = 0;
  std::string leaf_hash;
  v1::ArchivedEntry::Withheld withheld = v1::ArchivedEntry::WITHHELD_NONE;
  // The record: as logged (version 1, or a record logged before 2026-12), or as stored, with
  // `chain` the certificates it names (version 2). Empty when withheld.
  std::string record;
  // The certificates `record` names by SHA-256, in order, as the archive gave them (shared by
  // every entry whose record names them).
  std::vector<std::shared_ptr<const std::string>> chain;

  // The record as logged, the bytes its leaf hash covers: `record` with `chain` put back (moved
  // from `record` when there is no chain). Errors: kCorruptLog (audit.corrupt_log) for a stored
  // record that does not parse as one.
  StatusOr<std::string> TakeLogged();
};

// Receives the parts of an archive as ReadArchive finds them.
class ArchiveVisitor {
 public:
  virtual ~ArchiveVisitor() = default;
  virtual void Header(const v1::AuditSegmentHeader& header, ArchiveSpan span) = 0;
  // The visitor may take what `entry` holds.
  virtual void Entry(ArchiveEntry& entry, ArchiveSpan span) = 0;
  // Part `part` (0: the header, then the entries), at `span`, differs from the trailer's checksum
  // of it. Ignored unless the visitor verifies.
  virtual void ChecksumMismatch(size_t /*part*/, ArchiveSpan /*span*/) {}
};

// Reads an archive of either version from `in`: the magic, the header, the header's number of
// entries, the trailer and the end of the input; then compares the parts with the trailer's
// checksums. kMalformedArchive (kDataLoss) at the first malformed byte, with its offset (a field
// of the other version included; in version 2 also a record that does not parse as stored, names
// a certificate no entry gave before it, or an entry that gives a certificate again or one its
// record does not name); the parts before it have been visited.
Status ReadArchive(std::istream& in, ArchiveVisitor& visitor);

// The evidence of message `message_id` in the archive read from `in`, as the audit API's
// GetExchangeEvidence gives it: the message's records given in full, with their inclusion paths
// in the tree of the archive's last head. Checks nothing: verify the archive, or the evidence.
// Errors: kNotFound (audit.no_such_exchange); ReadArchive's; kDataLoss (kMalformedArchive) when
// the archive cannot give the paths.
StatusOr<v1::ExchangeEvidence> ExchangeEvidenceFromArchive(std::istream& in,
                                                           std::string_view message_id);

}  // namespace truc::gateway::audit
