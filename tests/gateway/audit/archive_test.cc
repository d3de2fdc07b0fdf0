// Archives of the audit log taken at any position, pruned logs, and the inclusion path directions
// the evidence bundles' openssl script follows. Signatures and tree heads are checked end to end
// in tests/integration/audit_test.cc; here the tree arithmetic is.
#include "gateway/audit/archive.h"

#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/base/crc32c.h"
#include "core/base/file.h"
#include "core/crypto/certificate.h"
#include "core/crypto/digest.h"
#include "core/merkle/hash.h"
#include "core/merkle/tree.h"
#include "core/merkle/verify.h"
#include "core/storage/memory_store.h"
#include "gateway/audit/evidence_bundle.h"
#include "gateway/audit/evidence_verifier.h"
#include "tests/gateway/audit/test_exchanges.h"

namespace truc::gateway::audit {
namespace {

// A head "sealed" at the log's current size, stored as the TreeHeadSealer stores them; what is
// not signed here (archives are read, not verified, in these tests) is left empty.
void StoreHeadAt(const AuditLog& log, storage::KeyValueStore& store) {
  const TreeHead head = log.Head();
  v1::SignedTreeHead sealed;
  sealed.mutable_head()->set_size(head.size);
  sealed.mutable_head()->set_root_hash(head.root);
  const std::string key = fmt::format("sth/{:020}", head.size);
  storage::WriteBatch write;
  write.Put(key, sealed.SerializeAsString());
  write.Put("sth-latest", key);
  REQUIRE(store.Write(write, /*sync=*/false).ok());
}

std::string Archive(const AuditLog& log, const storage::KeyValueStore& store, uint64_t first) {
  std::string archive;
  REQUIRE(ExportSegment(log, store, {.first = first, .server_id = "VN/GOV/000900/gw1"},
                        [&](std::string_view bytes) {
                          archive += bytes;
                          return OkStatus();
                        })
              .ok());
  return archive;
}

// A log of `count` answered exchanges on the consumer's side (message ids m-000, m-001, ...),
// its head stored as sealed.
std::unique_ptr<AuditLog> AnsweredLog(testing::TestExchanges& exchanges,
                                      storage::MemoryStore& store, int count) {
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, {}).value();
  for (int i = 0; i < count; ++i) {
    REQUIRE(
        log->Append(exchanges.Answered(ExchangeRecord::Side::kConsumer, fmt::format("m-{:03d}", i)))
            .ok());
  }
  StoreHeadAt(*log, store);
  return log;
}

// Checks that every record of `message_id` the archive holds is proven in the log's tree.
void CheckEvidence(const std::string& archive, const std::string& message_id, const TreeHead& head,
                   size_t expected_records) {
  INFO(message_id);
  std::istringstream in(archive);
  const StatusOr<v1::ExchangeEvidence> evidence = ExchangeEvidenceFromArchive(in, message_id);
  REQUIRE(evidence.ok());
  CHECK(evidence->head().head().size() == head.size);
  REQUIRE(static_cast<size_t>(evidence->records_size()) == expected_records);
  for (const v1::ProvenRecord& proven : evidence->records()) {
    const std::vector<std::string> path(proven.audit_path().begin(), proven.audit_path().end());
    CHECK(merkle::VerifyInclusion(merkle::HashLeaf(proven.record().record()),
                                  proven.record().sequence(), head.size, path, head.root)
              .ok());
  }
}

// An archive taken apart into its parts, to be changed and put together again with fresh
// checksums: what a careless or hostile writer could produce.
struct ArchiveParts {
  std::string magic;
  v1::AuditSegmentHeader header;
  std::vector<v1::ArchivedEntry> entries;

  static ArchiveParts Of(const std::string& archive) {
    ArchiveParts parts;
    parts.magic = archive.substr(0, kArchiveMagic.size());
    size_t at = parts.magic.size();
    const auto next = [&](google::protobuf::Message& message) {
      uint64_t length = 0;
      for (int shift = 0;; shift += 7) {
        const auto byte = static_cast<uint8_t>(archive.at(at++));
        length |= static_cast<uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) break;
      }
      REQUIRE(message.ParseFromString(archive.substr(at, length)));
      at += length;
    };
    next(parts.header);
    for (uint64_t i = parts.header.first(); i < parts.header.end(); ++i) {
      next(parts.entries.emplace_back());
    }
    return parts;
  }

  std::string Bytes() const {
    v1::AuditSegmentTrailer trailer;
    std::string bytes = magic;
    const auto add = [&](const google::protobuf::Message& message, bool checksummed) {
      const std::string serialized = message.SerializeAsString();
      std::string framed;
      for (uint64_t length = serialized.size();; length >>= 7) {
        framed += static_cast<char>((length & 0x7f) | (length > 0x7f ? 0x80 : 0));
        if (length <= 0x7f) break;
      }
      framed += serialized;
      if (checksummed && magic == kArchiveMagicV1) trailer.add_part_sha256(crypto::Sha256(framed));
      if (checksummed && magic == kArchiveMagic) trailer.add_part_crc32c(Crc32c(framed));
      bytes += framed;
    };
    add(header, true);
    for (const v1::ArchivedEntry& entry : entries) add(entry, true);
    add(trailer, false);
    return bytes;
  }
};

// Reads `archive`, keeping each entry's record as logged.
StatusOr<std::vector<std::string>> LoggedRecords(const std::string& archive) {
  struct Collector final : ArchiveVisitor {
    void Header(const v1::AuditSegmentHeader&, ArchiveSpan) override {}
    void Entry(ArchiveEntry& entry, ArchiveSpan) override {
      StatusOr<std::string> logged = entry.TakeLogged();
      records.push_back(logged.ok() ? *logged : "(" + logged.status().ToString() + ")");
    }
    std::vector<std::string> records;
  } collector;
  std::istringstream in(archive);
  TRUC_RETURN_IF_ERROR(ReadArchive(in, collector));
  return collector.records;
}

TEST_CASE("Archives carry each signer certificate once, and their records read back as logged",
          "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AnsweredLog(exchanges, store, 20);
  const std::string archive = Archive(*log, store, 0);
  REQUIRE(archive.starts_with(kArchiveMagic));
  ArchiveParts parts = ArchiveParts::Of(archive);
  REQUIRE(parts.entries.size() == 40);

  // Each certificate of the signers' chains once, in the entry of the first record naming it.
  std::set<std::string> chains;
  size_t logged_bytes = 0;
  for (uint64_t sequence = 0; sequence < 40; ++sequence) {
    const StoredRecord record = log->Read(sequence).value();
    logged_bytes += record.bytes.size();
    for (const std::string& der : record.record.signature().certificate_chain()) {
      chains.insert(der);
    }
  }
  REQUIRE(chains.size() >= 2);
  std::vector<std::string> given;
  size_t stored_bytes = 0;
  for (const v1::ArchivedEntry& entry : parts.entries) {
    CHECK(entry.record().empty());
    stored_bytes += entry.stored_record().size();
    given.insert(given.end(), entry.certificates().begin(), entry.certificates().end());
  }
  CHECK(std::set<std::string>(given.begin(), given.end()) == chains);
  CHECK(given.size() == chains.size());
  CHECK(parts.entries[0].certificates_size() > 0);
  CHECK(stored_bytes < logged_bytes);

  // Read back, every record is the one logged, byte for byte; the whole verifies.
  const std::vector<std::string> records = LoggedRecords(archive).value();
  REQUIRE(records.size() == 40);
  for (uint64_t sequence = 0; sequence < 40; ++sequence) {
    CHECK(records[sequence] == log->Read(sequence).value().bytes);
  }
  {
    std::istringstream in(archive);
    const VerifyReport report = VerifyArchive(in, exchanges.trust(), exchanges.clock().Now());
    // No signed configuration in this archive: that is the only problem (signatures are
    // verified end to end in tests/integration/audit_test.cc); the tree is whole.
    REQUIRE(report.problems.size() == 1);
    CHECK(report.problems[0].where.starts_with("header"));
    CHECK(report.end_root == log->Head().root);
  }

  const auto malformed = [](const ArchiveParts& changed) {
    const StatusOr<std::vector<std::string>> read = LoggedRecords(changed.Bytes());
    REQUIRE_FALSE(read.ok());
    CHECK(read.status().reason() == kMalformedArchive);
    return std::string(read.status().message());
  };
  SECTION("a certificate that no entry gives") {
    ArchiveParts changed = parts;
    changed.entries[0].mutable_certificates()->RemoveLast();
    CHECK(malformed(changed).find("which no entry gives before it") != std::string::npos);
  }
  SECTION("a certificate given twice") {
    ArchiveParts changed = parts;
    *changed.entries[3].add_certificates() = parts.entries[0].certificates(0);
    CHECK(malformed(changed).find("the entry of record 3 (bytes ") != std::string::npos);
    CHECK(malformed(changed).find("gives 1 certificates that its record does not name first") !=
          std::string::npos);
  }
  SECTION("a certificate other than the one named") {
    ArchiveParts changed = parts;
    std::string& der = *changed.entries[0].mutable_certificates(0);
    der[der.size() / 2] ^= 1;
    CHECK(malformed(changed).find("is not the one its record names next") != std::string::npos);
  }
  SECTION("checksums of the other version") {
    ArchiveParts changed = parts;
    changed.magic = kArchiveMagicV1;  // SHA-256 checksums...
    std::string bytes = changed.Bytes();
    bytes.replace(0, kArchiveMagic.size(), kArchiveMagic);  // ... in a version 2 archive.
    const StatusOr<std::vector<std::string>> read = LoggedRecords(bytes);
    CHECK(read.status().message().find("the trailer holds 41 checksums of the other version") !=
          std::string::npos);
  }
  SECTION("the other version's fields") {
    ArchiveParts changed = parts;
    changed.entries[5].set_record(changed.entries[5].stored_record());
    CHECK(malformed(changed).find("a field of version 1 in a version 2 archive") !=
          std::string::npos);
    changed = parts;
    changed.magic = std::string(kArchiveMagicV1);
    CHECK(malformed(changed).find("fields of version 2 in a version 1 archive") !=
          std::string::npos);
  }
}

TEST_CASE("A record whose client or service is not its evidence's does not verify", "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AnsweredLog(exchanges, store, 1);
  for (uint64_t sequence = 0; sequence < 2; ++sequence) {
    INFO("record " << sequence);
    const v1::AuditRecord record = log->Read(sequence).value().record;
    REQUIRE(VerifyRecord(record, exchanges.trust(), nullptr).ok());
    const auto refused = [&](const v1::AuditRecord& changed) {
      const Status verified = VerifyRecord(changed, exchanges.trust(), nullptr);
      CHECK(verified.reason() == kRecordMismatch);
      CHECK(verified.message() == "the record's client or service differs from its evidence's");
    };
    v1::AuditRecord changed = record;
    changed.mutable_client()->set_subsystem_code("other");
    refused(changed);
    changed = record;
    changed.mutable_client()->mutable_member()->set_member_code("000901");
    refused(changed);
    changed = record;
    changed.mutable_service()->set_version("v2");
    refused(changed);
    changed = record;
    changed.mutable_service()->mutable_provider()->clear_member();
    refused(changed);
    // A field this version does not know is a difference too.
    changed = record;
    changed.mutable_client()
        ->mutable_member()
        ->GetReflection()
        ->MutableUnknownFields(changed.mutable_client()->mutable_member())
        ->AddVarint(99, 1);
    refused(changed);
  }
}

TEST_CASE("An archive written in version 1 still reads and verifies", "[audit]") {
  // Exported on 2026-12-07 by the demo's population gateway with `truc audit archive`, before
  // version 2: six records, each holding its signer's chain, and one sealed head.
  const std::string archive =
      ReadFile(TRUC_AUDIT_TESTDATA "/archive-format-1/population.truc-audit").value();
  REQUIRE(archive.starts_with(kArchiveMagicV1));
  const crypto::TrustStore anchors =
      crypto::TrustStore::Create(
          crypto::Certificate::LoadPemFile(TRUC_AUDIT_TESTDATA "/archive-format-1/root-ca.pem")
              .value())
          .value();
  const TimePoint exported = std::chrono::system_clock::from_time_t(1796654360);
  std::istringstream in(archive);
  const VerifyReport report = VerifyArchive(in, anchors, exported);
  for (const auto& problem : report.problems) UNSCOPED_INFO(problem.where << ": " << problem.what);
  CHECK(report.ok());
  CHECK(report.server_id == "VN/GOV/000100/gw1");
  CHECK(report.records_verified == 6);
  CHECK(report.heads_verified == 1);

  // Its records are read as logged, and an exchange's evidence is proven from it.
  const std::vector<std::string> records = LoggedRecords(archive).value();
  REQUIRE(records.size() == 6);
  v1::AuditRecord first;
  REQUIRE(first.ParseFromString(records[1]));
  CHECK(first.signature().certificate_chain_size() > 0);
  std::istringstream again(archive);
  const StatusOr<v1::ExchangeEvidence> evidence =
      ExchangeEvidenceFromArchive(again, first.message_id());
  REQUIRE(evidence.ok());
  CHECK(evidence->records_size() == 2);

  // A flipped byte in a record is found, as in any archive.
  std::string altered = archive;
  const size_t at = altered.find(first.message_id());
  REQUIRE(at != std::string::npos);
  altered[at] ^= 1;
  std::istringstream flipped(altered);
  CHECK_FALSE(VerifyArchive(flipped, anchors, exported).ok());
}

TEST_CASE("Archives taken from any position give proofs against the whole log's root", "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, {}).value();
  for (int i = 0; i < 13; ++i) {
    REQUIRE(log->Append(exchanges.Answered(ExchangeRecord::Side::kConsumer, fmt::format("m-{}", i)))
                .ok());
    if (i == 4) StoreHeadAt(*log, store);
  }
  StoreHeadAt(*log, store);
  const TreeHead head = log->Head();
  REQUIRE(head.size == 26);

  for (const uint64_t first : {0, 3, 10, 16, 25}) {
    INFO("archive from " << first);
    const std::string archive = Archive(*log, store, first);
    for (int i = 0; i < 13; ++i) {
      // Exchange i is records 2i and 2i + 1; the archive holds those at or after `first`.
      const size_t held = (2 * i >= static_cast<int>(first) ? 1 : 0) +
                          (2 * i + 1 >= static_cast<int>(first) ? 1 : 0);
      if (held == 0) continue;
      CheckEvidence(archive, fmt::format("m-{}", i), head, held);
    }
  }
  SECTION("a segment must end at a sealed head") {
    const Status unsealed = ExportSegment(*log, store, {.first = 0, .end = 12},
                                          [](std::string_view) { return OkStatus(); });
    CHECK(unsealed.reason() == kUnsealedRange);
  }
}

TEST_CASE("Records checked on every core are reported in the order of the log", "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  // 800 records: several chunks of the verifier's workers.
  std::unique_ptr<AuditLog> log = AnsweredLog(exchanges, store, 400);
  std::string archive = Archive(*log, store, 0);
  {
    std::istringstream in(archive);
    const VerifyReport report = VerifyArchive(in, exchanges.trust(), exchanges.clock().Now());
    // No signed configuration in this archive: that is the only problem.
    REQUIRE(report.problems.size() == 1);
    CHECK(report.problems[0].where.starts_with("header"));
  }
  // The first copy of a message id is in its request record (2i).
  for (const char* id : {"m-390", "m-010", "m-200"}) {
    const size_t at = archive.find(id);
    REQUIRE(at != std::string::npos);
    archive[at] = 'M';
  }
  std::istringstream in(archive);
  const VerifyReport report = VerifyArchive(in, exchanges.trust(), exchanges.clock().Now());
  for (const auto& problem : report.problems) UNSCOPED_INFO(problem.where << ": " << problem.what);
  // The records, in order; then, once the whole file is read, the parts that differ from the
  // trailer's checksums.
  REQUIRE(report.problems.size() == 7);
  CHECK(report.problems[1].where.starts_with("record 20 "));
  CHECK(report.problems[2].where.starts_with("record 400 "));
  CHECK(report.problems[3].where.starts_with("record 780 "));
  for (size_t i = 1; i < 4; ++i) {
    CHECK(report.problems[i].what == "the record does not hash to its leaf hash");
    CHECK(report.problems[i + 3].where == report.problems[i].where);
    CHECK(report.problems[i + 3].what.find("trailer's checksum") != std::string::npos);
  }
}

TEST_CASE("An archive verified while it is produced: the same report, memory bounded", "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AnsweredLog(exchanges, store, 300);
  const std::string archive = Archive(*log, store, 0);
  std::istringstream whole(archive);
  const VerifyReport expected = VerifyArchive(whole, exchanges.trust(), exchanges.clock().Now());
  // No signed configuration in this archive: that is its only problem.
  REQUIRE(expected.problems.size() == 1);
  REQUIRE(expected.end == 600);

  // Written in pieces of 1,000 bytes, at most 4 KiB waiting: the writer waits for the reader.
  constexpr size_t kCapacity = 4096;
  const auto in_pieces = [&](const std::string& bytes, size_t stop_at) {
    return [&bytes, stop_at](const ArchiveSink& sink) -> Status {
      for (size_t at = 0; at < bytes.size(); at += 1000) {
        if (at >= stop_at) return UnavailableError("the connection was lost");
        TRUC_RETURN_IF_ERROR(sink(std::string_view(bytes).substr(at, 1000)));
      }
      return OkStatus();
    };
  };
  const StatusOr<VerifyReport> streamed = VerifyArchiveAsProduced(
      in_pieces(archive, SIZE_MAX), exchanges.trust(), exchanges.clock().Now(), nullptr, kCapacity);
  REQUIRE(streamed.ok());
  CHECK(streamed->end == expected.end);
  CHECK(streamed->end_root == expected.end_root);
  REQUIRE(streamed->problems.size() == expected.problems.size());
  for (size_t i = 0; i < expected.problems.size(); ++i) {
    CHECK(streamed->problems[i].where == expected.problems[i].where);
  }

  // A download that breaks off: its error, not a report of half an archive.
  const StatusOr<VerifyReport> broken =
      VerifyArchiveAsProduced(in_pieces(archive, archive.size() / 2), exchanges.trust(),
                              exchanges.clock().Now(), nullptr, kCapacity);
  CHECK(broken.status().code() == StatusCode::kUnavailable);
  CHECK(broken.status().message() == "the connection was lost");

  // Something that is no archive: verification stops at once; the writer is let go.
  Status writer_saw;
  const std::string junk(100'000, 'x');
  const StatusOr<VerifyReport> refused = VerifyArchiveAsProduced(
      [&](const ArchiveSink& sink) {
        writer_saw = in_pieces(junk, SIZE_MAX)(sink);
        return writer_saw;
      },
      exchanges.trust(), exchanges.clock().Now(), nullptr, kCapacity);
  REQUIRE(refused.ok());
  REQUIRE(refused->problems.size() == 1);
  CHECK(refused->problems[0].what.find("does not start as an audit archive") != std::string::npos);
  CHECK(writer_saw.code() == StatusCode::kCancelled);
}

TEST_CASE("Pruned records leave their leaf hashes: what remains is proven and verifies",
          "[audit]") {
  testing::TestExchanges exchanges;
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, {}).value();
  for (int i = 0; i < 9; ++i) {
    REQUIRE(log->Append(exchanges.Failed(ExchangeRecord::Side::kProvider, fmt::format("m-{}", i)))
                .ok());
  }
  StoreHeadAt(*log, store);
  const TreeHead head = log->Head();

  // The message index finds a message's records, and forgets them once pruned.
  CHECK(log->FindMessage("m-3").value() == std::vector<uint64_t>{6, 7});
  CHECK(log->FindMessage("no such message").value().empty());
  REQUIRE(log->Prune(7).ok());
  CHECK(log->FindMessage("m-3").value() == std::vector<uint64_t>{7});
  CHECK(log->pruned_before() == 7);
  CHECK(log->Read(6).status().reason() == kRecordPruned);
  CHECK(log->Read(7).ok());
  CHECK(log->Verify().ok());
  int visited = 0;
  REQUIRE(log->Scan(0, head.size,
                    [&](const StoredRecord& stored) {
                      CHECK(stored.record.sequence() >= 7);
                      ++visited;
                      return true;
                    })
              .ok());
  CHECK(visited == 11);
  // The proofs of what remains, from the stored tree entries.
  const std::vector<std::string> path = log->InclusionProof(8, head.size).value();
  CHECK(merkle::VerifyInclusion(merkle::HashLeaf(log->Read(8).value().bytes), 8, head.size, path,
                                head.root)
            .ok());

  // Archived after pruning: the pruned positions by leaf hash, the rest in full.
  const std::string archive = Archive(*log, store, 0);
  CheckEvidence(archive, "m-4", head, 2);  // Records 8 and 9.
  CheckEvidence(archive, "m-3", head, 1);  // Record 7 only; 6 was pruned.
  std::istringstream in(archive);
  CHECK(ExchangeEvidenceFromArchive(in, "m-1").status().code() == StatusCode::kNotFound);

  // The boundary is durable: a reopened log keeps it.
  log.reset();
  log = AuditLog::Open(store, {}).value();
  CHECK(log->pruned_before() == 7);
  CHECK(log->Verify().ok());
}

TEST_CASE("A length prefix longer than a 64-bit length is malformed, not shifted past 63 bits",
          "[audit]") {
  // As the archive fuzz target found it (UBSan: shift exponent 70): continuation bytes whose
  // bits would be shifted out of 64.
  struct Ignore final : ArchiveVisitor {
    void Header(const v1::AuditSegmentHeader&, ArchiveSpan) override {}
    void Entry(ArchiveEntry&, ArchiveSpan) override {}
  } ignore;
  for (const size_t continuations : {9, 10, 11, 20}) {
    INFO(continuations);
    std::istringstream in(std::string(kArchiveMagic) + std::string(continuations, '\x81') + "\x01");
    const Status read = ReadArchive(in, ignore);
    CHECK_FALSE(read.ok());
  }
  std::istringstream overflow(std::string(kArchiveMagic) + std::string(9, '\x80') + "\x02");
  CHECK(ReadArchive(overflow, ignore).message().find("the length prefix overflows") !=
        std::string::npos);
}

TEST_CASE("The sibling directions of inclusion paths fold every leaf into its tree's root",
          "[audit]") {
  for (uint64_t size = 1; size <= 40; ++size) {
    std::vector<std::string> leaves;
    for (uint64_t i = 0; i < size; ++i) leaves.push_back(merkle::HashLeaf(fmt::format("{}", i)));
    const std::string root = merkle::RootFromLeafHashes(leaves);
    for (uint64_t index = 0; index < size; ++index) {
      INFO("leaf " << index << " of " << size);
      const std::vector<std::string> path = merkle::InclusionPath(index, leaves).value();
      const std::vector<bool> left = SiblingIsLeft(index, size, path.size()).value();
      std::string folded = leaves[index];
      for (size_t step = 0; step < path.size(); ++step) {
        folded = left[step] ? merkle::HashChildren(path[step], folded)
                            : merkle::HashChildren(folded, path[step]);
      }
      CHECK(folded == root);
    }
  }
  CHECK_FALSE(SiblingIsLeft(3, 8, 2).ok());  // A path of the wrong length.
  CHECK_FALSE(SiblingIsLeft(8, 8, 3).ok());  // A leaf outside the tree.
}

}  // namespace
}  // namespace truc::gateway::audit
