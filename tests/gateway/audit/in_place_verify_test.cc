// Verifying a log where a gateway's store holds it (VerifyStoredLog, what `truc audit
// --gateway-config FILE verify` runs) against verifying an archive of the same log: the same
// records, heads and problems, found in one pass over the store.
#include <sstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/base/encoding.h"
#include "core/globalconf/signed_configuration.h"
#include "core/ids/id_proto.h"
#include "core/storage/memory_store.h"
#include "core/timestamp/timestamper.h"
#include "gateway/audit/archive.h"
#include "gateway/audit/evidence_verifier.h"
#include "gateway/audit/tree_head_sealer.h"
#include "proto/timestamp_conversion.h"
#include "tests/gateway/audit/test_exchanges.h"
#include "tests/support/test_tsa.h"

namespace truc::gateway::audit {
namespace {

constexpr std::string_view kServerId = "VN/GOV/000100/gw1";

class LogHeads final : public TreeHeadSource {
 public:
  explicit LogHeads(const AuditLog& log) : log_(log) {}
  StatusOr<v1::TreeHead> Head() const override {
    v1::TreeHead head;
    head.set_size(log_.Head().size);
    head.set_root_hash(log_.Head().root);
    return head;
  }

 private:
  const AuditLog& log_;
};

// A provider's gateway's log of 30 exchanges (every third failed), sealed by its owner with
// real RFC 3161 tokens after exchange 12 and at the end, and the configuration it holds.
struct SealedLog {
  SealedLog() : tsa(exchanges.clock()), timestamper(*tsa.authority, tsa.Verifier()) {
    log = AuditLog::Open(store, {}).value();
    const LogHeads heads(*log);
    const truc::testing::KeyAndCertificate& owner = exchanges.population_signing();
    std::unique_ptr<TreeHeadSealer> sealer =
        TreeHeadSealer::Create(heads, owner.key, {owner.certificate}, timestamper, store,
                               exchanges.clock(), {})
            .value();
    for (int i = 0; i < 30; ++i) {
      const std::string id = fmt::format("m-{:02d}", i);
      REQUIRE(log->Append(i % 3 == 2 ? exchanges.Failed(ExchangeRecord::Side::kProvider, id)
                                     : exchanges.Answered(ExchangeRecord::Side::kProvider, id))
                  .ok());
      if (i == 12 || i == 29) REQUIRE(sealer->SealNow().ok());
    }

    v1::GlobalConfiguration configuration;
    configuration.set_instance("VN");
    configuration.set_version(7);
    const TimePoint now = exchanges.clock().Now();
    *configuration.mutable_issued_at() = proto::ToProtoTimestamp(now - std::chrono::hours(1));
    *configuration.mutable_expires_at() = proto::ToProtoTimestamp(now + std::chrono::hours(1));
    configuration.add_approved_cas(exchanges.federation().root().certificate.ToDer());
    configuration.add_approved_cas(tsa.root.certificate.ToDer());
    configuration.add_approved_tsas(tsa.tsa_certificate.certificate.ToDer());
    const truc::testing::KeyAndCertificate signer =
        exchanges.federation().Issue(pki::Profile::kConfigurationSigning, "VN/GOV/000001");
    spec.server_id = std::string(kServerId);
    spec.signed_configuration =
        globalconf::SignConfiguration(configuration, signer.key, {signer.certificate}).value();
  }

  VerifyReport InPlace() const {
    return VerifyStoredLog(*log, store, spec, exchanges.trust(), exchanges.clock().Now());
  }

  VerifyReport ThroughArchive() const {
    std::string archive;
    REQUIRE(ExportSegment(*log, store, spec, [&](std::string_view bytes) {
              archive += bytes;
              return OkStatus();
            }).ok());
    std::istringstream in(archive);
    return VerifyArchive(in, exchanges.trust(), exchanges.clock().Now());
  }

  void Put(const std::string& key, std::string value) {
    storage::WriteBatch batch;
    batch.Put(key, std::move(value));
    REQUIRE(store.Write(batch, /*sync=*/false).ok());
  }

  testing::TestExchanges exchanges;
  truc::testing::TestTsa tsa;
  timestamp::LocalTimestamper timestamper;
  storage::MemoryStore store;
  std::unique_ptr<AuditLog> log;
  SegmentSpec spec;
};

std::string Problems(const VerifyReport& report) {
  std::string text;
  for (const VerifyReport::Problem& problem : report.problems) {
    text += problem.where + ": " + problem.what + "\n";
  }
  return text;
}

TEST_CASE("A log verified in its store gives what an archive of it gives", "[audit]") {
  SealedLog sealed;
  const VerifyReport in_place = sealed.InPlace();
  INFO(Problems(in_place));
  CHECK(in_place.ok());
  CHECK(in_place.server_id == kServerId);
  CHECK(in_place.first == 0);
  CHECK(in_place.end == 60);
  CHECK(in_place.records_verified == 60);
  CHECK(in_place.records_withheld == 0);
  CHECK(in_place.heads_verified == 2);
  CHECK(in_place.configuration_version == 7);

  const VerifyReport archived = sealed.ThroughArchive();
  CHECK(archived.ok());
  CHECK(archived.records_verified == in_place.records_verified);
  CHECK(archived.heads_verified == in_place.heads_verified);

  SECTION("a range: the records from 26 to the first head's end") {
    sealed.spec.first = 10;
    sealed.spec.end = 26;
    const VerifyReport range = sealed.InPlace();
    CHECK(range.ok());
    CHECK(range.records_verified == 16);
    CHECK(range.heads_verified == 1);
  }
  SECTION("pruned records are checked by their leaf hashes") {
    REQUIRE(sealed.log->Prune(20).ok());
    const VerifyReport pruned = sealed.InPlace();
    CHECK(pruned.ok());
    CHECK(pruned.records_verified == 40);
    CHECK(pruned.records_withheld == 20);
  }
  SECTION("progress is told as records are read") {
    std::vector<std::pair<uint64_t, uint64_t>> told;
    const VerifyReport report =
        VerifyStoredLog(*sealed.log, sealed.store, sealed.spec, sealed.exchanges.trust(),
                        sealed.exchanges.clock().Now(),
                        [&](uint64_t read, uint64_t total) { told.emplace_back(read, total); });
    CHECK(report.ok());
    // Every 16384 records: none for a log this small.
    CHECK(told.empty());
  }
}

TEST_CASE("Verifying a log in its store names each record that was changed", "[audit]") {
  SealedLog sealed;
  REQUIRE(sealed.InPlace().ok());

  SECTION("a record's purpose") {
    const std::string key = "audit/record/00000000000000000007";
    std::string value = sealed.store.Get(key).value().value();
    const size_t at = value.find(testing::kPurpose);
    REQUIRE(at != std::string::npos);
    value[at + testing::kPurpose.size() - 1] = '9';
    sealed.Put(key, value);
    const VerifyReport report = sealed.InPlace();
    REQUIRE(report.problems.size() == 1);
    CHECK(report.problems[0].where == "record 7");
    CHECK(report.problems[0].what.find("the record hashes to ") == 0);
    CHECK(report.records_verified == 59);
  }
  SECTION("a signer's certificate the records name") {
    std::vector<std::string> certificates;
    REQUIRE(sealed.store
                .Scan("audit/certificate/", "",
                      [&](std::string_view key, std::string_view) {
                        certificates.emplace_back(key);
                        return true;
                      })
                .ok());
    REQUIRE(certificates.size() == 2);
    storage::WriteBatch batch;
    batch.Delete(certificates[0]);
    REQUIRE(sealed.store.Write(batch, false).ok());
    // A fresh reader, as the auditor's tool is: nothing cached.
    sealed.log = AuditLog::Open(sealed.store, {}).value();
    const VerifyReport report = sealed.InPlace();
    REQUIRE_FALSE(report.ok());
    // Every record its signer signed names it: half of the log's, each reported.
    CHECK(report.problems.size() + report.more_problems >= 20);
    CHECK(report.problems[0].where.starts_with("record "));
    CHECK(report.problems[0].what.find("names the signer certificate " + certificates[0] +
                                       ", which is missing") != std::string::npos);
  }
  SECTION("a sealed head") {
    const std::string key = "sth/00000000000000000026";
    v1::SignedTreeHead head;
    REQUIRE(head.ParseFromString(sealed.store.Get(key).value().value()));
    head.mutable_head()->mutable_root_hash()->at(0) ^= 1;
    sealed.Put(key, head.SerializeAsString());
    const VerifyReport report = sealed.InPlace();
    REQUIRE(report.problems.size() == 2);
    CHECK(report.problems[0].where == "tree head at size 26");
    CHECK(report.problems[1].where == "records 0-25");
    CHECK(report.problems[1].what.find("but the sealed head at size 26 says") != std::string::npos);
  }
  SECTION("a configuration signed by someone else") {
    sealed.spec.signed_configuration[sealed.spec.signed_configuration.size() / 2] ^= 1;
    const VerifyReport report = sealed.InPlace();
    REQUIRE_FALSE(report.ok());
    CHECK(report.problems[0].where == "the gateway's configuration and sealed heads");
    CHECK(report.records_verified == 0);
  }
}

}  // namespace
}  // namespace truc::gateway::audit
