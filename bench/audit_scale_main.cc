// The audit log at a national gateway's size: builds a log of N exchanges through the real
// AuditLog API on RocksDB on disk, every message sealed with real batch signatures (P-256, member
// certificates of a throwaway federation) and the log sealed with tree heads timestamped by a
// real RFC 3161 authority, officers reading citizens' records (the citizen's id number in the
// path, which the service declares as its subject identifier); then measures what an auditor and
// an operator meet:
//   - "who read citizen X" (--subject), "what did officer Y do" (--user-id, in all and within
//     10 minutes) and "a client's exchanges in one minute" (--client, --since, --until): the
//     first page and the total, from the indexes; and who read citizen X by scanning every path;
//   - bytes stored per exchange (the store's table files, bodies included), by partition;
//   - verification as `truc audit --gateway-config FILE verify` runs it, step by step, and
//     through an archive as the audit API gives it; with --truc, the CLI itself, timed.
// Prints a table, and JSON with --json FILE.
//
//   truc_audit_scale [--exchanges N] [--citizens C] [--dir DIRECTORY] [--json FILE] [--truc BIN]
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/base/file.h"
#include "core/evidence/message_signing.h"
#include "core/evidence/verification_cache.h"
#include "core/globalconf/signed_configuration.h"
#include "core/globalconf/subject_patterns.h"
#include "core/ids/id_proto.h"
#include "core/storage/rocksdb_store.h"
#include "core/timestamp/timestamper.h"
#include "gateway/audit/archive.h"
#include "gateway/audit/audit_log.h"
#include "gateway/audit/audit_service.h"
#include "gateway/audit/evidence_verifier.h"
#include "gateway/audit/tree_head_sealer.h"
#include "gateway/exchange/message_evidence.h"
#include "gateway/exchange/service_call.h"
#include "proto/timestamp_conversion.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/test_federation.h"
#include "tests/support/test_tsa.h"

namespace truc::bench {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

const ids::SubsystemId kPortal = ids::SubsystemId::Parse("VN/GOV/000900/portal").value();
const ids::ServiceId kCitizens = ids::ServiceId::Parse("VN/GOV/000100/population/citizens").value();

// A citizen's id number, as the citizens service's paths carry it.
std::string CitizenNumber(uint64_t n) { return fmt::format("{:012d}", n); }
// The end user: an officer of the calling agency.
std::string OfficerId(uint64_t n) { return fmt::format("officer-{:05d}", n); }

// Waits for a number of callbacks.
class Countdown {
 public:
  void Add(size_t n) {
    std::lock_guard lock(mu_);
    pending_ += n;
  }
  void Done(const Status& status) {
    std::lock_guard lock(mu_);
    if (!status.ok() && first_error_.ok()) first_error_ = status;
    if (--pending_ == 0) cv_.notify_all();
  }
  Status Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return pending_ == 0; });
    return first_error_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t pending_ = 0;
  Status first_error_;
};

constexpr std::string_view kServerId = "VN/GOV/000100/gw1";

// The log's head, for the sealer.
class LogHeads final : public gateway::audit::TreeHeadSource {
 public:
  explicit LogHeads(const gateway::audit::AuditLog& log) : log_(log) {}
  StatusOr<v1::TreeHead> Head() const override {
    const gateway::audit::TreeHead head = log_.Head();
    v1::TreeHead proto;
    proto.set_size(head.size);
    proto.set_root_hash(head.root);
    return proto;
  }

 private:
  const gateway::audit::AuditLog& log_;
};

// Writes what a gateway's data directory `dir` holds besides its store (globalconf.signed: a
// configuration approving the federation's CA and the TSA, listing both members), a
// configuration file for `truc audit --gateway-config` (gateway.toml), and the auditor's anchor
// (root-ca.pem).
Status WriteGatewayFiles(const std::string& dir, const testing::TestFederation& federation,
                         const testing::TestTsa& tsa, const testing::KeyAndCertificate& portal,
                         const testing::KeyAndCertificate& population, TimePoint now) {
  v1::GlobalConfiguration configuration;
  configuration.set_instance("VN");
  configuration.set_version(1);
  *configuration.mutable_issued_at() = proto::ToProtoTimestamp(now - std::chrono::minutes(5));
  *configuration.mutable_expires_at() = proto::ToProtoTimestamp(now + std::chrono::hours(24));
  configuration.add_approved_cas(federation.root().certificate.ToDer());
  configuration.add_approved_cas(tsa.root.certificate.ToDer());
  configuration.add_approved_tsas(tsa.tsa_certificate.certificate.ToDer());
  for (const auto& [member, key] : {std::pair{kPortal.member(), &portal},
                                    std::pair{kCitizens.provider().member(), &population}}) {
    v1::Member* added = configuration.add_members();
    *added->mutable_id() = ids::ToProto(member);
    added->set_name(member.ToString());
    added->add_signing_certificates(key->certificate.ToDer());
  }
  const testing::KeyAndCertificate signer =
      federation.Issue(pki::Profile::kConfigurationSigning, "VN/GOV/000001");
  TRUC_ASSIGN_OR_RETURN(
      const std::string signed_configuration,
      globalconf::SignConfiguration(configuration, signer.key, {signer.certificate}));
  TRUC_RETURN_IF_ERROR(WriteFileAtomically(dir + "/globalconf.signed", signed_configuration, 0644));
  TRUC_RETURN_IF_ERROR(
      WriteFileAtomically(dir + "/gateway.toml",
                          fmt::format("server_id = \"{}\"\ndata_dir = \".\"\n", kServerId), 0644));
  return WriteFileAtomically(dir + "/root-ca.pem", federation.root().certificate.ToPem(), 0644);
}

struct Options {
  uint64_t exchanges = 200'000;
  uint64_t citizens = 100'000;
  std::string dir = ".";
  std::string json;
  std::string truc;   // The auditor's tool, to time its verify (empty: not timed).
  bool keep = false;  // Leave the gateway's directory (to profile the tools on it).
};

int Run(const Options& options) {
  std::string pattern = options.dir + "/audit-scale-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    fmt::print(stderr, "cannot make a directory in {}\n", options.dir);
    return 1;
  }
  const std::string dir = pattern;
  const auto fail = [&](const Status& status) {
    fmt::print(stderr, "{}\n", status.ToString());
    std::filesystem::remove_all(dir);
    return 1;
  };
  // One officer for every 50 citizens.
  const uint64_t officers = std::max<uint64_t>(1, options.citizens / 50);
  nlohmann::json out{
      {"exchanges", options.exchanges}, {"citizens", options.citizens}, {"officers", officers}};

  // Real time: the auditor's tool checks certificates and the configuration against it.
  const TimePoint now = SystemClock::Instance().Now();
  testing::FakeClock clock(now);
  testing::TestFederation federation(now);
  testing::TestTsa tsa(clock);
  timestamp::LocalTimestamper timestamper(*tsa.authority, tsa.Verifier());
  const testing::KeyAndCertificate portal_key =
      federation.Issue(pki::Profile::kMemberSigning, kPortal.member().ToString());
  const testing::KeyAndCertificate population_key =
      federation.Issue(pki::Profile::kMemberSigning, kCitizens.provider().member().ToString());
  const crypto::TrustStore trust =
      crypto::TrustStore::Create({federation.root().certificate}).value();
  const merkle::BatcherOptions batching{.max_batch = 4096,
                                        .max_delay = std::chrono::milliseconds(0)};
  evidence::BatchSigner portal_signer(portal_key.key, {portal_key.certificate}, clock, batching);
  evidence::BatchSigner population_signer(population_key.key, {population_key.certificate}, clock,
                                          batching);
  gateway::BatchSealer portal_sealer(portal_signer);
  gateway::BatchSealer population_sealer(population_signer);

  // The data directory of the provider's gateway, as `truc audit --gateway-config` reads it:
  // its store, the signed configuration it holds, and a configuration file naming both.
  if (Status written = WriteGatewayFiles(dir, federation, tsa, portal_key, population_key, now);
      !written.ok()) {
    return fail(written);
  }
  uint64_t stored_bytes = 0;
  std::map<std::string, uint64_t> table_bytes;
  {
    auto store = storage::RocksDbStore::Open(dir + "/store",
                                             {.partitions = gateway::audit::StorePartitions()});
    if (!store.ok()) return fail(store.status());
    // The citizens service declares where its paths name the citizen, as the catalog would.
    const globalconf::SubjectPatterns subjects =
        globalconf::SubjectPatterns::Parse(std::vector<std::string>{"/citizens/{}"}).value();
    gateway::audit::AuditLogOptions log_options;
    log_options.subjects = [&subjects](const v1::AuditRecord& request) {
      return subjects.Extract(request.path());
    };
    auto log = gateway::audit::AuditLog::Open(**store, std::move(log_options));
    if (!log.ok()) return fail(log.status());
    // Tree heads sealed as the gateway seals them (signed by the provider's member, timestamped
    // by a real RFC 3161 authority), once per chunk of exchanges.
    const LogHeads heads(**log);
    auto sealer = gateway::audit::TreeHeadSealer::Create(
        heads, population_key.key, {population_key.certificate}, timestamper, **store, clock, {});
    if (!sealer.ok()) return fail(sealer.status());

    // --- Build -------------------------------------------------------------------------------
    std::mt19937_64 random(42);
    // An exchange every 8 ms (about 10 million a day), the last one ending now.
    constexpr auto kExchangeInterval = std::chrono::milliseconds(8);
    const TimePoint first_exchange =
        now - static_cast<int64_t>(options.exchanges) * kExchangeInterval;
    // A window of `length` at a random place in the log's time.
    const auto some_window = [&](v1::AuditFilter& filter, std::chrono::seconds length) {
      const auto span = std::chrono::duration_cast<std::chrono::seconds>(
          static_cast<int64_t>(options.exchanges) * kExchangeInterval);
      const TimePoint since =
          first_exchange + std::chrono::seconds(random() % std::max<int64_t>(1, span.count()));
      *filter.mutable_since() = proto::ToProtoTimestamp(since);
      *filter.mutable_until() = proto::ToProtoTimestamp(since + length);
    };
    const auto build_start = Clock::now();
    constexpr uint64_t kChunk = 2000;
    for (uint64_t begin = 0; begin < options.exchanges; begin += kChunk) {
      const uint64_t end = std::min(options.exchanges, begin + kChunk);
      std::vector<gateway::ExchangeRecord> chunk(end - begin);
      // Random ids, as gateways make them (message ids key an index: sequential ones would
      // share most of their key and flatter its size).
      std::vector<std::pair<std::string, std::string>> ids;
      Countdown sealed;
      sealed.Add(chunk.size());
      for (uint64_t i = begin; i < end; ++i) {
        gateway::ExchangeRecord& exchange = chunk[i - begin];
        const std::string citizen = CitizenNumber(random() % options.citizens);
        const auto& [message_id, request_id] =
            ids.emplace_back(gateway::NewUuid(), gateway::NewUuid());
        const gateway::ServiceRequest call{
            .client = kPortal,
            .service = kCitizens,
            .message_id = message_id,
            .user_id = OfficerId(random() % officers),
            .purpose = fmt::format("HS-2026-{:06d}", random() % 100'000),
            .method = "GET",
            .path = "/citizens/" + citizen + "?fields=name,address",
            .headers = {{"accept", "application/json"}}};
        exchange.side = gateway::ExchangeRecord::Side::kProvider;
        // Spread over time as a busy registry's are (the signatures keep the clock's time).
        exchange.started = first_exchange + i * kExchangeInterval;
        exchange.finished = exchange.started + std::chrono::milliseconds(3);
        gateway::SetWireHeaders(gateway::RequestWireHeaders(call), exchange.request);
        const gateway::MessageIdentity identity{.kind = v1::MessageEvidence::KIND_REQUEST,
                                                .message_id = message_id,
                                                .request_id = request_id,
                                                .client = kPortal,
                                                .service = kCitizens};
        portal_sealer.Seal(identity, exchange.request, [&sealed](Status s) { sealed.Done(s); });
      }
      if (Status status = sealed.Wait(); !status.ok()) return fail(status);
      sealed.Add(chunk.size());
      for (uint64_t i = begin; i < end; ++i) {
        gateway::ExchangeRecord& exchange = chunk[i - begin];
        v1::ExchangeMessage& response = exchange.response.emplace();
        gateway::SetWireHeaders(
            gateway::ResponseWireHeaders(200, {{"content-type", "application/json"}}), response);
        // Random bytes: no compression shrinks them, so what the log adds is the rest exactly.
        std::string body(1024, ' ');
        for (char& c : body) c = static_cast<char>(random());
        response.set_body(std::move(body));
        const gateway::MessageIdentity identity{
            .kind = v1::MessageEvidence::KIND_RESPONSE,
            .message_id = ids[i - begin].first,
            .request_id = ids[i - begin].second,
            .client = kPortal,
            .service = kCitizens,
            .request_hash = evidence::RequestHash(exchange.request.evidence())};
        population_sealer.Seal(identity, response, [&sealed](Status s) { sealed.Done(s); });
      }
      if (Status status = sealed.Wait(); !status.ok()) return fail(status);
      Countdown logged;
      logged.Add(chunk.size());
      for (const gateway::ExchangeRecord& exchange : chunk) {
        (*log)->AppendAsync(exchange, [&logged](Status s) { logged.Done(s); });
      }
      if (Status status = logged.Wait(); !status.ok()) return fail(status);
      if (Status sealed_head = (*sealer)->SealNow(); !sealed_head.ok()) return fail(sealed_head);
    }
    const double build_seconds = SecondsSince(build_start);
    const uint64_t records = (*log)->Head().size;
    fmt::print("{:<52} {:>10.1f} s  {:>10.0f} exchanges/s\n",
               fmt::format("built {} exchanges ({} records)", options.exchanges, records),
               build_seconds, options.exchanges / build_seconds);
    out["records"] = records;
    out["build_seconds"] = build_seconds;
    // Verification checks one signature per batch: how many there are matters as much as how
    // many records.
    const uint64_t batches = portal_signer.batches() + population_signer.batches();
    fmt::print("{:<52} {:>10} ({:.1f} messages each on average)\n", "batch signatures", batches,
               static_cast<double>(records) / batches);
    out["batch_signatures"] = batches;

    // --- Who read citizen X; what did officer Y do -------------------------------------------
    // Twenty questions each, from the indexes: the first page and the total.
    const auto ask = [&](const char* name, const char* key,
                         const std::function<void(v1::AuditFilter&)>& set) -> Status {
      std::vector<double> query_ms;
      uint64_t matched = 0;
      for (int q = 0; q < 20; ++q) {
        v1::QueryExchangesRequest request;
        set(*request.mutable_filter());
        request.set_page_size(100);
        const auto start = Clock::now();
        const StatusOr<v1::QueryExchangesResponse> page =
            gateway::audit::QueryLog(**log, request, [](const v1::AuditRecord&) { return true; });
        query_ms.push_back(SecondsSince(start) * 1e3);
        TRUC_RETURN_IF_ERROR(page.status());
        if (!page->has_total_matches()) return InternalError("the query gave no total");
        matched += page->total_matches();
      }
      std::sort(query_ms.begin(), query_ms.end());
      fmt::print("{:<52} {:>10.2f} ms (median; max {:.2f} ms; {:.1f} matches each)\n", name,
                 query_ms[query_ms.size() / 2], query_ms.back(),
                 static_cast<double>(matched) / query_ms.size());
      out[fmt::format("{}_query_ms_median", key)] = query_ms[query_ms.size() / 2];
      out[fmt::format("{}_query_ms_max", key)] = query_ms.back();
      out[fmt::format("{}_query_matches", key)] = static_cast<double>(matched) / query_ms.size();
      return OkStatus();
    };
    if (Status asked = ask("who read citizen X (--subject), from the index", "subject",
                           [&](v1::AuditFilter& filter) {
                             filter.set_subject(CitizenNumber(random() % options.citizens));
                           });
        !asked.ok()) {
      return fail(asked);
    }
    if (Status asked = ask(
            "what officer Y did (--user-id), from the index", "user",
            [&](v1::AuditFilter& filter) { filter.set_user_id(OfficerId(random() % officers)); });
        !asked.ok()) {
      return fail(asked);
    }
    if (Status asked =
            ask("what officer Y did in 10 minutes (--user-id --since --until)", "user_window",
                [&](v1::AuditFilter& filter) {
                  filter.set_user_id(OfficerId(random() % officers));
                  some_window(filter, std::chrono::minutes(10));
                });
        !asked.ok()) {
      return fail(asked);
    }
    if (Status asked =
            ask("a client's exchanges in 1 minute (--client --since --until)", "client_window",
                [&](v1::AuditFilter& filter) {
                  filter.set_client(kPortal.ToString());
                  some_window(filter, std::chrono::minutes(1));
                });
        !asked.ok()) {
      return fail(asked);
    }
    {
      v1::QueryExchangesRequest request;
      request.mutable_filter()->set_path_contains(CitizenNumber(random() % options.citizens));
      request.set_page_size(1000);
      const auto start = Clock::now();
      uint64_t pages = 0;
      while (true) {
        const StatusOr<v1::QueryExchangesResponse> page =
            gateway::audit::QueryLog(**log, request, [](const v1::AuditRecord&) { return true; });
        if (!page.ok()) return fail(page.status());
        ++pages;
        if (page->next_page_token().empty()) break;
        request.set_page_token(page->next_page_token());
      }
      const double seconds = SecondsSince(start);
      fmt::print("{:<52} {:>10.2f} s  ({} pages of a scan)\n",
                 "who read citizen X, by scanning every path", seconds, pages);
      out["scan_query_seconds"] = seconds;
    }

    (*sealer).reset();
    (*log).reset();  // Its committer is done.
    if (Status flushed = (*store)->Flush(); !flushed.ok()) return fail(flushed);
    table_bytes = (*store)->TableBytes();
  }

  // --- Storage: the table files of the closed store, its memtables flushed (the write-ahead
  // log, preallocated, then holds nothing more) ------------------------------------------------
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir + "/store")) {
    if (entry.is_regular_file() && entry.path().extension() == ".sst") {
      stored_bytes += entry.file_size();
    }
  }
  fmt::print(
      "{:<52} {:>10.0f} bytes per exchange ({:.1f} MB in all, 1 KiB incompressible response bodies "
      "kept)\n",
      "storage", static_cast<double>(stored_bytes) / options.exchanges, stored_bytes / 1e6);
  out["bytes_per_exchange"] = static_cast<double>(stored_bytes) / options.exchanges;
  for (const auto& [prefix, bytes] : table_bytes) {
    const std::string name = prefix.empty() ? "indexes, tree state, certificates" : prefix;
    fmt::print("  {:<50} {:>10.0f} bytes per exchange\n", name,
               static_cast<double>(bytes) / options.exchanges);
    out["bytes_per_exchange_by_part"][name] = static_cast<double>(bytes) / options.exchanges;
  }

  // --- Verification, as `truc audit --gateway-config FILE verify` does it: the store's files,
  // the tree entries, then every record in place (heads, tree, records); and as the audit API
  // gives the log to a remote auditor: an archive exported, then verified -----------------------
  {
    auto store = storage::RocksDbStore::Open(dir + "/store",
                                             {.create_if_missing = false, .read_only = true});
    if (!store.ok()) return fail(store.status());
    auto log = gateway::audit::AuditLog::Open(**store, {});
    if (!log.ok()) return fail(log.status());
    const uint64_t records = (*log)->Head().size;
    const StatusOr<std::string> configuration = ReadFile(dir + "/globalconf.signed");
    if (!configuration.ok()) return fail(configuration.status());
    double total = 0;
    const auto step = [&](const char* name, const char* key, auto&& run) -> Status {
      const auto start = Clock::now();
      TRUC_RETURN_IF_ERROR(run());
      const double seconds = SecondsSince(start);
      total += seconds;
      fmt::print("  {:<50} {:>10.1f} s  {:>10.0f} records/s\n", name, seconds, records / seconds);
      out["verify_steps_seconds"][key] = seconds;
      return OkStatus();
    };
    const auto check_report = [&](const gateway::audit::VerifyReport& report) -> Status {
      if (!report.ok()) {
        return InternalError(fmt::format("the log does not verify: {}: {}",
                                         report.problems[0].where, report.problems[0].what));
      }
      if (report.records_verified != records) {
        return InternalError(
            fmt::format("{} of {} records verified", report.records_verified, records));
      }
      return OkStatus();
    };
    const gateway::audit::SegmentSpec everything{.server_id = std::string(kServerId),
                                                 .signed_configuration = *configuration};

    fmt::print("verification in the gateway's store, step by step (in this process):\n");
    Status verified = step("the store's files: block checksums", "checksums",
                           [&] { return (*store)->VerifyChecksums(); });
    if (verified.ok()) {
      verified = step("the tree entries and the tree state", "tree", [&] {
        return (*log)->Verify(nullptr, gateway::audit::AuditLog::VerifyScope::kTreeOnly);
      });
    }
    if (verified.ok()) {
      verified = step("every record, the sealed heads, the tree", "records", [&] {
        return check_report(gateway::audit::VerifyStoredLog(**log, **store, everything, trust,
                                                            SystemClock::Instance().Now()));
      });
    }
    if (!verified.ok()) return fail(verified);
    fmt::print("{:<52} {:>10.1f} s  {:>10.0f} records/s\n", "verification in the store, in all",
               total, records / total);
    out["verify_seconds"] = total;
    out["verify_records_per_second"] = records / total;

    total = 0;
    fmt::print("through an archive, as the audit API gives the log:\n");
    const std::string archive = dir + "/archive";
    verified = step("an archive of the whole log exported", "export", [&]() -> Status {
      std::ofstream file(archive, std::ios::binary);
      return gateway::audit::ExportSegment(**log, **store, everything, [&](std::string_view bytes) {
        file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return file ? OkStatus() : InternalError("writing failed");
      });
    });
    if (verified.ok()) {
      verified = step("the archive: heads, tree, every record", "archive", [&]() -> Status {
        std::ifstream in(archive, std::ios::binary);
        return check_report(
            gateway::audit::VerifyArchive(in, trust, SystemClock::Instance().Now()));
      });
    }
    // As `truc audit verify` does through the audit API: verified while it is exported.
    if (verified.ok()) {
      verified = step("the same, verified while exported", "streamed", [&]() -> Status {
        const StatusOr<gateway::audit::VerifyReport> report =
            gateway::audit::VerifyArchiveAsProduced(
                [&](const gateway::audit::ArchiveSink& sink) {
                  return gateway::audit::ExportSegment(**log, **store, everything, sink);
                },
                trust, SystemClock::Instance().Now());
        TRUC_RETURN_IF_ERROR(report.status());
        return check_report(*report);
      });
    }
    if (!verified.ok()) return fail(verified);
    const double streamed = out["verify_steps_seconds"]["streamed"].get<double>();
    fmt::print("{:<52} {:>10.1f} s  {:>10.0f} records/s\n",
               "verification through an archive, streamed", streamed, records / streamed);
    out["archive_verify_seconds"] = streamed;
    out["archive_verify_records_per_second"] = records / streamed;
  }
  if (!options.truc.empty()) {
    // The same through the auditor's tool, as a user runs it.
    const std::string command = fmt::format(
        "{} audit --gateway-config {}/gateway.toml verify --anchor {}/root-ca.pem > {}/verify.out "
        "2>&1",
        options.truc, dir, dir, dir);
    const auto start = Clock::now();
    const int status = std::system(command.c_str());
    const double seconds = SecondsSince(start);
    const std::string said = ReadFile(dir + "/verify.out").value_or("");
    if (status != 0 || said.find("OK: every record") == std::string::npos) {
      return fail(InternalError(fmt::format("`{}` failed:\n{}", command, said)));
    }
    const double records = 2.0 * options.exchanges;
    fmt::print("{:<52} {:>10.1f} s  {:>10.0f} records/s\n",
               "truc audit --gateway-config ... verify", seconds, records / seconds);
    out["truc_verify_seconds"] = seconds;
    out["truc_verify_records_per_second"] = records / seconds;
  }

  if (options.keep) {
    fmt::print(
        "kept {}: `truc audit --gateway-config {}/gateway.toml verify --anchor "
        "{}/root-ca.pem`\n",
        dir, dir, dir);
  } else {
    std::filesystem::remove_all(dir);
  }
  if (!options.json.empty()) std::ofstream(options.json) << out.dump(2) << "\n";
  return 0;
}

}  // namespace
}  // namespace truc::bench

int main(int argc, char** argv) {
  truc::bench::Options options;
  CLI::App app("The audit log at scale: build, query, verify, storage");
  app.add_option("--exchanges", options.exchanges, "Exchanges to log (two records each)");
  app.add_option("--citizens", options.citizens, "Distinct end users they are for");
  app.add_option("--dir", options.dir, "Where the database goes (removed afterwards)");
  app.add_option("--json", options.json, "Also write the figures as JSON here");
  app.add_option("--truc", options.truc, "The truc binary: also time its audit verify");
  app.add_flag("--keep", options.keep, "Leave the gateway's directory, to profile tools on it");
  CLI11_PARSE(app, argc, argv);
  return truc::bench::Run(options);
}
