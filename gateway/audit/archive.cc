#include "gateway/audit/archive.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <unordered_map>

#include <fmt/format.h>

#include "core/base/crc32c.h"
#include "core/base/encoding.h"
#include "core/crypto/digest.h"
#include "core/merkle/errors.h"
#include "core/merkle/hash.h"
#include "core/merkle/tree.h"

namespace truc::gateway::audit {
namespace {

// Larger parts are refused as malformed: no record comes near it (bodies are limited to far
// less), and a flipped length byte must not make the reader allocate gigabytes.
constexpr uint64_t kMaxPartBytes = 1ull << 30;

Status Malformed(uint64_t offset, std::string what) {
  return DataLossError(fmt::format("archive byte {}: {}", offset, what),
                       std::string(kMalformedArchive));
}

// A CRC-32C as four bytes, big-endian.
std::string Crc32cBytes(uint32_t crc) {
  return {static_cast<char>(crc >> 24), static_cast<char>(crc >> 16), static_cast<char>(crc >> 8),
          static_cast<char>(crc)};
}

// `part` serialized, preceded by its length as a varint.
std::string Framed(const google::protobuf::Message& part) {
  const std::string bytes = part.SerializeAsString();
  std::string framed;
  uint64_t length = bytes.size();
  do {
    framed += static_cast<char>((length & 0x7f) | (length > 0x7f ? 0x80 : 0));
    length >>= 7;
  } while (length > 0);
  return framed + bytes;
}

// The checksum of a part (its frame: length prefix and message) in an archive of `version`, as
// the trailer holds it: SHA-256 in version 1, CRC-32C in version 2 (big-endian here). Checksums
// find damage; signatures and the tree find tampering, and an unkeyed SHA-256 adds nothing to
// them at eight times the cost.
std::string PartChecksum(int version, std::string_view prefix, std::string_view message) {
  if (version == 1) {
    crypto::Hasher sha256(crypto::DigestAlgorithm::kSha256);
    sha256.Update(prefix);
    sha256.Update(message);
    return sha256.Finish();
  }
  return Crc32cBytes(Crc32cExtend(Crc32c(prefix), message));
}

// One varint-framed part as read: its message bytes, and the checksum of the whole frame.
struct ReadFrame {
  std::string bytes;
  std::string checksum;
};

// Reads one varint-framed part at `offset` of an archive of `version`. nullopt at a clean end of
// input.
StatusOr<std::optional<ReadFrame>> ReadPart(std::istream& in, uint64_t& offset, int version) {
  uint64_t length = 0;
  int shift = 0;
  const uint64_t start = offset;
  std::string prefix;
  for (;;) {
    const int c = in.get();
    if (c == std::char_traits<char>::eof()) {
      if (offset == start) return std::optional<ReadFrame>();
      return Malformed(start, "the input ends inside a length prefix");
    }
    prefix += static_cast<char>(c);
    ++offset;
    // A 64-bit length takes at most ten bytes, the tenth holding one bit.
    if (shift > 63 || (shift == 63 && (c & 0x7f) > 1)) {
      return Malformed(start, "the length prefix overflows");
    }
    length |= static_cast<uint64_t>(c & 0x7f) << shift;
    if ((c & 0x80) == 0) break;
    shift += 7;
  }
  if (length > kMaxPartBytes) {
    return Malformed(start, fmt::format("a part of {} bytes is announced, more than an archive "
                                        "ever holds",
                                        length));
  }
  // Read a piece at a time: a damaged length must not allocate what the file does not hold.
  constexpr uint64_t kPiece = 1 << 20;
  std::string bytes;
  while (bytes.size() < length) {
    const size_t had = bytes.size();
    bytes.resize(had + std::min(kPiece, length - had));
    in.read(bytes.data() + had, static_cast<std::streamsize>(bytes.size() - had));
    if (static_cast<size_t>(in.gcount()) != bytes.size() - had) {
      return Malformed(start, fmt::format("a part of {} bytes is announced, but only {} follow",
                                          length, had + in.gcount()));
    }
  }
  offset += length;
  std::string checksum = PartChecksum(version, prefix, bytes);
  return std::optional<ReadFrame>(ReadFrame{std::move(bytes), std::move(checksum)});
}

// A part of an archive, as errors name it: "header", "entry of record 17". Formatted only for an
// error: the reader names every part it reads.
struct PartName {
  std::string_view kind;
  std::optional<uint64_t> sequence;

  std::string ToString() const {
    return sequence.has_value() ? fmt::format("{} {}", kind, *sequence) : std::string(kind);
  }
};

// Parses `bytes` as `part`, refusing unknown fields anywhere in it: in an archive, every byte
// must mean something that is checked.
Status ParsePart(const std::string& bytes, ArchiveSpan span, const PartName& what,
                 google::protobuf::Message& part) {
  if (!part.ParseFromString(bytes)) {
    return Malformed(span.begin, fmt::format("the {} (bytes {}-{}) does not parse", what.ToString(),
                                             span.begin, span.end));
  }
  std::vector<const google::protobuf::Message*> pending = {&part};
  while (!pending.empty()) {
    const google::protobuf::Message& message = *pending.back();
    pending.pop_back();
    const google::protobuf::Reflection& reflection = *message.GetReflection();
    if (!reflection.GetUnknownFields(message).empty()) {
      return Malformed(span.begin, fmt::format("the {} (bytes {}-{}) holds an unknown field in {}",
                                               what.ToString(), span.begin, span.end,
                                               message.GetDescriptor()->full_name()));
    }
    std::vector<const google::protobuf::FieldDescriptor*> fields;
    reflection.ListFields(message, &fields);
    for (const google::protobuf::FieldDescriptor* field : fields) {
      if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
      if (field->is_repeated()) {
        for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
          pending.push_back(&reflection.GetRepeatedMessage(message, field, i));
        }
      } else {
        pending.push_back(&reflection.GetMessage(message, field));
      }
    }
  }
  return OkStatus();
}

// Gathers what ExchangeEvidenceFromArchive needs: the header, every leaf hash, and the records of
// one message.
class EvidenceCollector final : public ArchiveVisitor {
 public:
  explicit EvidenceCollector(std::string_view message_id) : message_id_(message_id) {}

  void Header(const v1::AuditSegmentHeader& header, ArchiveSpan) override { header_ = header; }
  void Entry(ArchiveEntry& entry, ArchiveSpan) override {
    leaves_.push_back(std::move(entry.leaf_hash));
    if (entry.record.empty()) return;
    StatusOr<std::string> bytes = entry.TakeLogged();
    v1::AuditRecord record;
    if (bytes.ok() && record.ParseFromString(*bytes) && record.message_id() == message_id_) {
      v1::LoggedRecord& logged = records_.emplace_back();
      logged.set_sequence(entry.sequence);
      logged.set_record(*std::move(bytes));
    }
  }

  StatusOr<v1::ExchangeEvidence> Evidence() const {
    if (records_.empty()) {
      return NotFoundError(
          fmt::format("no exchange with message id \"{}\" in this archive", message_id_),
          "audit.no_such_exchange");
    }
    if (header_.heads().empty()) return Malformed(0, "the archive has no sealed head");
    const v1::SignedTreeHead& head = header_.heads(header_.heads_size() - 1);
    v1::ExchangeEvidence evidence;
    evidence.set_server_id(header_.server_id());
    *evidence.mutable_head() = head;
    evidence.set_signed_configuration(header_.signed_configuration());
    for (const v1::LoggedRecord& record : records_) {
      TRUC_ASSIGN_OR_RETURN(const std::vector<std::string> path,
                            merkle::InclusionPath(record.sequence(), head.head().size(),
                                                  [this](uint64_t begin, uint64_t end) {
                                                    return Subtree(begin, end);
                                                  }));
      v1::ProvenRecord& proven = *evidence.add_records();
      *proven.mutable_record() = record;
      for (const std::string& hash : path) proven.add_audit_path(hash);
    }
    return evidence;
  }

 private:
  // MTH of leaves [begin, end), from the header's frontier for those before `first` and from the
  // entries for the others.
  StatusOr<std::string> Subtree(uint64_t begin, uint64_t end) const {
    const uint64_t first = header_.first();
    if (begin >= first) {
      if (end - first > leaves_.size()) return Malformed(0, "the archive misses entries");
      return merkle::RootFromLeafHashes(std::span(leaves_).subspan(begin - first, end - begin));
    }
    uint64_t node_begin = 0;
    int node = 0;
    for (uint64_t width = std::bit_floor(first); width > 0; width >>= 1) {
      if ((first & width) == 0) continue;
      if (node >= header_.frontier_size()) break;
      if (node_begin == begin && node_begin + width == end) return header_.frontier(node);
      node_begin += width;
      ++node;
    }
    const uint64_t width = end - begin;
    if (width < 2) {
      return Malformed(0, fmt::format("leaf {} lies inside the archive's frontier", begin));
    }
    const uint64_t split = std::bit_floor(width - 1);
    TRUC_ASSIGN_OR_RETURN(const std::string left, Subtree(begin, begin + split));
    TRUC_ASSIGN_OR_RETURN(const std::string right, Subtree(begin + split, end));
    return merkle::HashChildren(left, right);
  }

  const std::string message_id_;
  v1::AuditSegmentHeader header_;
  std::vector<std::string> leaves_;
  std::vector<v1::LoggedRecord> records_;
};

}  // namespace

StatusOr<v1::ExchangeEvidence> ExchangeEvidenceFromArchive(std::istream& in,
                                                           std::string_view message_id) {
  EvidenceCollector collector(message_id);
  TRUC_RETURN_IF_ERROR(ReadArchive(in, collector));
  return collector.Evidence();
}

StatusOr<v1::AuditSegmentHeader> SegmentHeader(const AuditLog& log,
                                               const storage::KeyValueStore& store,
                                               const SegmentSpec& spec) {
  TRUC_ASSIGN_OR_RETURN(const std::optional<v1::SignedTreeHead> latest,
                        ReadLatestSealedHead(store));
  const uint64_t sealed = latest.has_value() ? latest->head().size() : 0;
  const uint64_t end = spec.end == 0 ? sealed : spec.end;
  if (spec.first > end || end > sealed) {
    return merkle::OutOfRangeError(
        fmt::format("records [{}, {}) are asked for, but the latest sealed head covers {}",
                    spec.first, end, sealed));
  }
  v1::AuditSegmentHeader header;
  header.set_server_id(spec.server_id);
  header.set_first(spec.first);
  header.set_end(end);
  TRUC_ASSIGN_OR_RETURN(const std::vector<std::string> frontier, log.Frontier(spec.first));
  for (const std::string& hash : frontier) header.add_frontier(hash);
  header.set_signed_configuration(spec.signed_configuration);
  if (end > spec.first) {
    TRUC_ASSIGN_OR_RETURN(
        const std::vector<v1::SignedTreeHead> heads,
        ReadSealedHeads(store, spec.first + 1, end, std::numeric_limits<size_t>::max()));
    if (heads.empty() || heads.back().head().size() != end) {
      return InvalidArgumentError(
          fmt::format("no sealed head has size {}: a segment must end at a sealed head", end),
          std::string(kUnsealedRange));
    }
    for (const v1::SignedTreeHead& head : heads) *header.add_heads() = head;
  }
  return header;
}

Status ExportSegment(const AuditLog& log, const storage::KeyValueStore& store, SegmentSpec spec,
                     const ArchiveSink& sink) {
  TRUC_ASSIGN_OR_RETURN(const v1::AuditSegmentHeader header, SegmentHeader(log, store, spec));
  spec.end = header.end();
  v1::AuditSegmentTrailer trailer;
  const auto write_part = [&](const google::protobuf::Message& part) {
    const std::string framed = Framed(part);
    trailer.add_part_crc32c(Crc32c(framed));
    return sink(framed);
  };
  TRUC_RETURN_IF_ERROR(sink(kArchiveMagic));
  TRUC_RETURN_IF_ERROR(write_part(header));

  // Each record as stored, with the leaf hash its tree entry holds (which a verifier recomputes
  // from the record: a damaged entry shows) and the certificates it is the first to name; pruned
  // ones, before the boundary or pruned while this runs, by leaf hash only. Records are parsed
  // only to decide whether they are in scope.
  std::set<std::string, std::less<>> given;  // The certificates' SHA-256.
  Status written = OkStatus();
  const auto entry_of = [&](uint64_t sequence, std::string* stored,
                            v1::ArchivedEntry& entry) -> Status {
    if (stored == nullptr) {
      entry.set_withheld(v1::ArchivedEntry::WITHHELD_PRUNED);
      return OkStatus();
    }
    if (spec.in_scope) {
      TRUC_ASSIGN_OR_RETURN(const StoredRecord record, log.ParseStored(sequence, *stored));
      if (!spec.in_scope(record.record)) {
        entry.set_withheld(v1::ArchivedEntry::WITHHELD_OUT_OF_SCOPE);
        return OkStatus();
      }
    }
    StatusOr<std::vector<std::string_view>> digests = StoredChainDigests(*stored);
    if (!digests.ok()) {
      return DataLossError(fmt::format("record {} {}", sequence, digests.status().message()),
                           std::string(digests.status().reason()));
    }
    for (const std::string_view digest : *digests) {
      if (given.contains(digest)) continue;
      TRUC_ASSIGN_OR_RETURN(const std::string* const der, log.Certificate(digest, sequence));
      entry.add_certificates(*der);
      given.emplace(digest);
    }
    entry.set_stored_record(std::move(*stored));
    return OkStatus();
  };
  TRUC_RETURN_IF_ERROR(
      log.ScanStored(spec.first, spec.end,
                     [&](uint64_t sequence, std::string_view leaf_hash, std::string* stored) {
                       v1::ArchivedEntry entry;
                       entry.set_sequence(sequence);
                       entry.set_leaf_hash(std::string(leaf_hash));
                       written = entry_of(sequence, stored, entry);
                       if (written.ok()) written = write_part(entry);
                       return written.ok();
                     }));
  TRUC_RETURN_IF_ERROR(written);
  return sink(Framed(trailer));
}

StatusOr<std::string> ArchiveEntry::TakeLogged() {
  if (chain.empty()) return std::move(record);
  std::vector<const std::string*> ders;
  ders.reserve(chain.size());
  for (const std::shared_ptr<const std::string>& der : chain) ders.push_back(der.get());
  return LoggedFromStoredChain(record, ders);
}

namespace {

// Hashes strings and views alike, so that a view finds a string without a copy of it.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// The certificates a version 2 archive has given so far, by SHA-256.
using GivenCertificates = std::unordered_map<std::string, std::shared_ptr<const std::string>,
                                             StringHash, std::equal_to<>>;

// `entry`, read at `span` from an archive of `version`, as ReadArchive gives it.
StatusOr<ArchiveEntry> EntryOf(int version, v1::ArchivedEntry& entry, ArchiveSpan span,
                               GivenCertificates& given) {
  ArchiveEntry read;
  read.sequence = entry.sequence();
  read.leaf_hash = std::move(*entry.mutable_leaf_hash());
  read.withheld = entry.withheld();
  // For errors only.
  const auto where = [&] {
    return fmt::format("the entry of record {} (bytes {}-{})", entry.sequence(), span.begin,
                       span.end);
  };
  if (version == 1) {
    if (!entry.stored_record().empty() || entry.certificates_size() > 0) {
      return Malformed(span.begin, where() + " holds fields of version 2 in a version 1 archive");
    }
    read.record = std::move(*entry.mutable_record());
    return read;
  }
  if (!entry.record().empty()) {
    return Malformed(span.begin, where() + " holds a field of version 1 in a version 2 archive");
  }
  read.record = std::move(*entry.mutable_stored_record());
  // The certificates the record names, from earlier entries or, for those it names first, from
  // its own, in the order it names them: each given once, none that is not named.
  StatusOr<std::vector<std::string_view>> digests = StoredChainDigests(read.record);
  if (!digests.ok()) return Malformed(span.begin, where() + ": its record does not parse");
  int own = 0;
  for (const std::string_view digest : *digests) {
    auto found = given.find(digest);
    if (found == given.end()) {
      if (own == entry.certificates_size()) {
        return Malformed(span.begin, fmt::format("{}: its record names the certificate with "
                                                 "SHA-256 {}, which no entry gives before it",
                                                 where(), HexEncode(digest)));
      }
      std::string& der = *entry.mutable_certificates(own);
      if (crypto::Sha256(der) != digest) {
        return Malformed(span.begin,
                         fmt::format("{}: its certificate {} is not the one its record names next "
                                     "(SHA-256 {})",
                                     where(), own, HexEncode(digest)));
      }
      ++own;
      found =
          given.emplace(std::string(digest), std::make_shared<const std::string>(std::move(der)))
              .first;
    }
    read.chain.push_back(found->second);
  }
  if (own != entry.certificates_size()) {
    return Malformed(span.begin,
                     fmt::format("{} gives {} certificates that its record does not name first",
                                 where(), entry.certificates_size() - own));
  }
  return read;
}

}  // namespace

Status ReadArchive(std::istream& in, ArchiveVisitor& visitor) {
  std::string magic(kArchiveMagic.size(), '\0');
  in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  int version = 0;
  if (magic == kArchiveMagic) {
    version = 2;
  } else if (magic == kArchiveMagicV1) {
    version = 1;
  } else {
    return Malformed(0,
                     "the file does not start as an audit archive (\"truc-audit-seg2\" or "
                     "\"truc-audit-seg1\")");
  }
  GivenCertificates given;
  uint64_t offset = kArchiveMagic.size();
  std::vector<ArchiveSpan> spans;
  std::vector<std::string> checksums;
  // Reads the next part into `message`, remembering where it is and its checksum.
  const auto next = [&](const PartName& what, google::protobuf::Message& message,
                        bool checksummed) -> Status {
    const uint64_t begin = offset;
    TRUC_ASSIGN_OR_RETURN(std::optional<ReadFrame> frame, ReadPart(in, offset, version));
    if (!frame.has_value())
      return Malformed(offset, fmt::format("the archive ends before its {}", what.ToString()));
    TRUC_RETURN_IF_ERROR(ParsePart(frame->bytes, {begin, offset}, what, message));
    if (checksummed) {
      spans.push_back({begin, offset});
      checksums.push_back(std::move(frame->checksum));
    }
    return OkStatus();
  };

  v1::AuditSegmentHeader header;
  TRUC_RETURN_IF_ERROR(next({"header"}, header, true));
  if (header.end() < header.first()) {
    return Malformed(spans[0].begin, fmt::format("the header gives the range [{}, {})",
                                                 header.first(), header.end()));
  }
  visitor.Header(header, spans[0]);
  for (uint64_t sequence = header.first(); sequence < header.end(); ++sequence) {
    v1::ArchivedEntry entry;
    TRUC_RETURN_IF_ERROR(next({"entry of record", sequence}, entry, true));
    TRUC_ASSIGN_OR_RETURN(ArchiveEntry read, EntryOf(version, entry, spans.back(), given));
    visitor.Entry(read, spans.back());
  }
  v1::AuditSegmentTrailer trailer;
  TRUC_RETURN_IF_ERROR(next({"trailer"}, trailer, false));
  if (in.peek() != std::char_traits<char>::eof()) {
    return Malformed(offset, "bytes follow the trailer");
  }
  // Version 1 gives SHA-256 checksums, version 2 CRC-32C ones; not the other kind.
  const int own = version == 1 ? trailer.part_sha256_size() : trailer.part_crc32c_size();
  const int other = version == 1 ? trailer.part_crc32c_size() : trailer.part_sha256_size();
  if (other != 0) {
    return Malformed(offset,
                     fmt::format("the trailer holds {} checksums of the other version", other));
  }
  if (static_cast<size_t>(own) != checksums.size()) {
    return Malformed(
        offset, fmt::format("the trailer has {} checksums for {} parts", own, checksums.size()));
  }
  for (size_t part = 0; part < checksums.size(); ++part) {
    const int i = static_cast<int>(part);
    if ((version == 1 ? trailer.part_sha256(i) : Crc32cBytes(trailer.part_crc32c(i))) !=
        checksums[part]) {
      visitor.ChecksumMismatch(part, spans[part]);
    }
  }
  return OkStatus();
}

}  // namespace truc::gateway::audit
