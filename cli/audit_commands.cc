#include "cli/audit_commands.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "cli/admin_client.h"
#include "cli/audit_report.h"
#include "cli/audit_source.h"
#include "cli/table.h"
#include "cli/verify_checkpoint.h"
#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/encoding.h"
#include "core/base/strings.h"
#include "core/crypto/certificate.h"
#include "core/crypto/trust_store.h"
#include "gateway/audit/evidence_bundle.h"
#include "gateway/audit/evidence_verifier.h"
#include "proto/timestamp_conversion.h"

namespace truc::cli {
namespace {

// Where the log is read from: the audit API or an archive.
struct SourceOptions {
  ConnectionOptions connection{.peer = "gateway"};
  std::string archive;
  std::string gateway_config;
};

StatusOr<std::unique_ptr<AuditSource>> OpenSource(const SourceOptions& options) {
  const int named = (options.connection.address.empty() ? 0 : 1) +
                    (options.archive.empty() ? 0 : 1) + (options.gateway_config.empty() ? 0 : 1);
  if (named != 1) {
    return InvalidArgumentError(
        "name one log to read: --gateway HOST:PORT (with --cert, --key, --ca), --archive FILE or "
        "--gateway-config FILE",
        "cli.bad_arguments");
  }
  if (!options.archive.empty()) return OpenArchiveAuditSource(options.archive);
  if (!options.gateway_config.empty()) return OpenStoreAuditSource(options.gateway_config);
  return OpenRemoteAuditSource(options.connection);
}

// "2026-11-01" (midnight UTC), or an RFC 3339 time with a zone: "2026-11-01T08:00:00Z",
// "2026-11-01T08:00:00+07:00", "2026-11-01T08:00:00.250Z" (as `truc` prints times).
StatusOr<google::protobuf::Timestamp> ParseTime(std::string_view option, const std::string& text) {
  const bool date_only = text.size() == 10 && text.find('T') == std::string::npos;
  google::protobuf::Timestamp timestamp;
  if (!google::protobuf::util::TimeUtil::FromString(date_only ? text + "T00:00:00Z" : text,
                                                    &timestamp)) {
    return InvalidArgumentError(
        fmt::format("{}: \"{}\" is not a date (2026-11-01) or an RFC 3339 time "
                    "(2026-11-01T08:00:00Z, 2026-11-01T08:00:00+07:00)",
                    option, EscapeForDisplay(text)),
        "cli.bad_arguments");
  }
  return timestamp;
}

struct FilterOptions {
  std::string since;
  std::string until;
  std::string client;
  std::string service;
  std::string message_id;
  std::string user_id;
  std::string purpose;
  std::string outcome;
  std::string path_contains;
  std::string subject;
  std::string format = "table";
};

void AddFilterOptions(CLI::App& command, FilterOptions& options) {
  command.add_option("--since", options.since, "Exchanges that ended at or after this time");
  command.add_option("--until", options.until, "Exchanges that ended before this time");
  command.add_option("--client", options.client, "A client subsystem, or all of a member's");
  command.add_option("--service", options.service,
                     "A service, or all of a provider subsystem's or member's");
  command.add_option("--message-id", options.message_id, "One message id");
  command.add_option("--user-id", options.user_id, "The end user (X-Road-UserId)");
  command.add_option("--purpose", options.purpose, "The purpose or case number (X-Road-Issue)");
  command.add_option("--outcome", options.outcome, "succeeded or failed");
  command.add_option("--path-contains", options.path_contains,
                     "Requests whose path contains this, e.g. a citizen's id number");
  command.add_option("--subject", options.subject,
                     "The citizen, parcel or enterprise whose data was read, where the service "
                     "declares where its requests name it (answered from an index)");
}

StatusOr<v1::AuditFilter> FilterFrom(const FilterOptions& options) {
  v1::AuditFilter filter;
  if (!options.since.empty()) {
    TRUC_ASSIGN_OR_RETURN(*filter.mutable_since(), ParseTime("--since", options.since));
  }
  if (!options.until.empty()) {
    TRUC_ASSIGN_OR_RETURN(*filter.mutable_until(), ParseTime("--until", options.until));
  }
  filter.set_client(options.client);
  filter.set_service(options.service);
  filter.set_message_id(options.message_id);
  filter.set_user_id(options.user_id);
  filter.set_purpose(options.purpose);
  filter.set_path_contains(options.path_contains);
  filter.set_subject(options.subject);
  if (options.outcome == "succeeded") {
    filter.set_outcome(v1::AuditFilter::OUTCOME_SUCCEEDED);
  } else if (options.outcome == "failed") {
    filter.set_outcome(v1::AuditFilter::OUTCOME_FAILED);
  } else if (!options.outcome.empty()) {
    return InvalidArgumentError(
        fmt::format("--outcome: \"{}\" is not succeeded or failed", options.outcome),
        "cli.bad_arguments");
  }
  return filter;
}

// Calls `visit` with every row of every page from `request` on, or of the first page only. Records
// the log could not read are reported on `err`, not ended at.
Status ForEachPage(AuditSource& source, v1::QueryExchangesRequest request, bool all_pages,
                   std::ostream& err,
                   const std::function<Status(const v1::QueryExchangesResponse&)>& visit) {
  for (;;) {
    TRUC_ASSIGN_OR_RETURN(const v1::QueryExchangesResponse page, source.Query(request));
    for (const v1::UnreadableRecord& skipped : page.unreadable()) {
      err << fmt::format("warning: record {} cannot be read and was skipped: {}\n",
                         skipped.sequence(), EscapeForDisplay(skipped.problem()));
    }
    TRUC_RETURN_IF_ERROR(visit(page));
    if (page.next_page_token().empty() || !all_pages) return OkStatus();
    request.set_page_token(page.next_page_token());
  }
}

struct QueryOptions {
  FilterOptions filter;
  uint32_t limit = 100;
  std::string page_token;
  bool all = false;
};

Status Query(const QueryOptions& options, const SourceOptions& source_options,
             const Output& output) {
  TRUC_ASSIGN_OR_RETURN(const ReportFormat format, ParseReportFormat(options.filter.format));
  v1::QueryExchangesRequest request;
  TRUC_ASSIGN_OR_RETURN(*request.mutable_filter(), FilterFrom(options.filter));
  request.set_page_size(options.limit);
  request.set_page_token(options.page_token);
  TRUC_ASSIGN_OR_RETURN(const std::unique_ptr<AuditSource> source, OpenSource(source_options));
  std::vector<ExchangeRow> rows;
  std::string next;
  std::optional<uint64_t> total;
  TRUC_RETURN_IF_ERROR(ForEachPage(*source, request, options.all, output.err,
                                   [&](const v1::QueryExchangesResponse& page) -> Status {
                                     if (page.has_total_matches()) total = page.total_matches();
                                     for (const v1::LoggedRecord& record : page.records()) {
                                       TRUC_ASSIGN_OR_RETURN(ExchangeRow row, RowOf(record));
                                       rows.push_back(std::move(row));
                                     }
                                     next = page.next_page_token();
                                     return OkStatus();
                                   }));
  WriteRows(rows, format, output.out);
  // Under the table (JSON and CSV stay plain arrays and rows).
  if (total.has_value() && format == ReportFormat::kTable) {
    output.out << fmt::format("{} exchanges match in all\n", *total);
  }
  if (!next.empty() && !options.all) {
    output.err << fmt::format("more exchanges may match: --page-token {} for the next page\n",
                              next);
  }
  return OkStatus();
}

struct StatsOptions {
  FilterOptions filter;
};

Status Stats(const StatsOptions& options, const SourceOptions& source_options,
             const Output& output) {
  TRUC_ASSIGN_OR_RETURN(const ReportFormat format, ParseReportFormat(options.filter.format));
  v1::QueryExchangesRequest request;
  TRUC_ASSIGN_OR_RETURN(*request.mutable_filter(), FilterFrom(options.filter));
  request.set_page_size(1000);
  TRUC_ASSIGN_OR_RETURN(const std::unique_ptr<AuditSource> source, OpenSource(source_options));
  ExchangeStats stats;
  TRUC_RETURN_IF_ERROR(ForEachPage(*source, request, /*all_pages=*/true, output.err,
                                   [&](const v1::QueryExchangesResponse& page) -> Status {
                                     for (const v1::LoggedRecord& record : page.records()) {
                                       TRUC_ASSIGN_OR_RETURN(const ExchangeRow row, RowOf(record));
                                       stats.Add(row);
                                     }
                                     return OkStatus();
                                   }));
  stats.Write(format, output.out);
  return OkStatus();
}

struct ShowOptions {
  std::string message_id;
  std::string format = "table";
};

Status Show(const ShowOptions& options, const SourceOptions& source_options, const Output& output) {
  TRUC_ASSIGN_OR_RETURN(const ReportFormat format, ParseReportFormat(options.format));
  TRUC_ASSIGN_OR_RETURN(const std::unique_ptr<AuditSource> source, OpenSource(source_options));
  TRUC_ASSIGN_OR_RETURN(const v1::ExchangeEvidence evidence, source->Evidence(options.message_id));
  return WriteExchange(evidence, format, output.out);
}

StatusOr<crypto::TrustStore> LoadAnchors(const std::string& file) {
  if (file.empty()) {
    return InvalidArgumentError(
        "--anchor: your own copy of the federation's root CA certificate is needed",
        "cli.bad_arguments");
  }
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> anchors,
                        crypto::Certificate::LoadPemFile(file));
  return crypto::TrustStore::Create(std::move(anchors));
}

struct RangeOptions {
  uint64_t first = 0;
  uint64_t end = 0;
  std::string anchor;
  std::string out;
  std::string checkpoint;  // verify only
};

// Writes the source's archive of [first, end) to the file at `path`.
Status SaveArchive(AuditSource& source, uint64_t first, uint64_t end, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return InvalidArgumentError(fmt::format("cannot write {}", path));
  TRUC_RETURN_IF_ERROR(source.Archive(first, end, [&](std::string_view bytes) -> Status {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return out ? OkStatus() : InternalError(fmt::format("writing {} failed", path));
  }));
  out.close();
  return out ? OkStatus() : InternalError(fmt::format("writing {} failed", path));
}

void WriteReport(const gateway::audit::VerifyReport& report, std::ostream& out) {
  out << fmt::format("Audit log of gateway {}, records {} to {}:\n", report.server_id, report.first,
                     report.end == 0 ? 0 : report.end - 1);
  out << fmt::format(
      "  {} records verified (digests, message signatures, certificate chains)\n"
      "  {} records of other members withheld or pruned, checked by their leaf hashes\n"
      "  {} tree heads verified (signed by the gateway's owner, timestamped by an approved TSA)\n"
      "  trust from the federation's configuration version {}\n",
      report.records_verified, report.records_withheld, report.heads_verified,
      report.configuration_version);
  if (report.ok()) {
    out << "OK: every record is in the signed, timestamped log, unchanged.\n";
    return;
  }
  out << fmt::format("FAILED: {} problems\n", report.problems.size() + report.more_problems);
  for (const auto& problem : report.problems) {
    out << fmt::format("  {}: {}\n", problem.where, problem.what);
  }
  if (report.more_problems > 0) out << fmt::format("  ... and {} more\n", report.more_problems);
}

// Shows how far verification is on the terminal, when stderr is one: records verified, their
// rate and the time left, on one line that is rewritten and finally cleared.
class ProgressLine {
 public:
  explicit ProgressLine(const Output& output)
      : err_(output.err), shown_(&output.err == &std::cerr && isatty(STDERR_FILENO) == 1) {}
  ~ProgressLine() {
    if (drawn_) err_ << "\r\033[K" << std::flush;
  }

  gateway::audit::VerifyProgress Callback() {
    if (!shown_) return nullptr;
    return [this](uint64_t read, uint64_t total) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      if (seconds <= 0) return;
      const double rate = read / seconds;
      const double left = rate > 0 ? (total - std::min(read, total)) / rate : 0;
      err_ << fmt::format("\r\033[K  {} of {} records read, {:.0f} records/s, {:.0f} s left", read,
                          total, rate, left)
           << std::flush;
      drawn_ = true;
    };
  }

 private:
  std::ostream& err_;
  const bool shown_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool drawn_ = false;
};

// Reports what verification found.
Status Reported(const gateway::audit::VerifyReport& report, const Output& output) {
  WriteReport(report, output.out);
  if (report.ok()) return OkStatus();
  return DataLossError(fmt::format("the audit log does not verify: {} problems",
                                   report.problems.size() + report.more_problems),
                       "audit.verify_failed");
}

// Verifies the archive file at `path`.
StatusOr<gateway::audit::VerifyReport> VerifyFile(const std::string& path,
                                                  const crypto::TrustStore& anchors,
                                                  const Output& output) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(fmt::format("cannot open the archive {}", path));
  ProgressLine progress(output);
  return gateway::audit::VerifyArchive(in, anchors, SystemClock::Instance().Now(),
                                       progress.Callback());
}

// Checks that the log `report` verified continues the one `checkpoint` records: same gateway,
// starting where it ended, with the root it verified (from the segment's frontier), and, where
// the source gives proofs, that the gateway's signed heads at both sizes are consistent.
Status ContinuesCheckpoint(const VerifyCheckpoint& checkpoint, const std::string& file,
                           const gateway::audit::VerifyReport& report, AuditSource* source,
                           const crypto::TrustStore& anchors) {
  const auto rewritten = [&](std::string what) {
    return DataLossError(
        fmt::format("{}: the log is not the one verified on {} up to size {} (checkpoint {})", what,
                    FormatRfc3339(checkpoint.verified_at), checkpoint.size, file),
        "audit.unexpected_root");
  };
  if (report.server_id != checkpoint.server_id) {
    return InvalidArgumentError(fmt::format("the checkpoint {} is of gateway {}, this log of {}",
                                            file, checkpoint.server_id, report.server_id),
                                "cli.bad_checkpoint");
  }
  if (report.first != checkpoint.size) {
    return InvalidArgumentError(
        fmt::format("the records verified start at {}, the checkpoint {} ends at {}", report.first,
                    file, checkpoint.size),
        "cli.bad_checkpoint");
  }
  if (report.start_root != checkpoint.root) {
    return rewritten(fmt::format("the records before {} now have the root {}, not {}",
                                 checkpoint.size, HexEncode(report.start_root),
                                 HexEncode(checkpoint.root)));
  }
  if (source == nullptr || report.end == checkpoint.size) return OkStatus();
  StatusOr<v1::ConsistencyProofResponse> proof = source->Consistency(checkpoint.size, report.end);
  // A store or an archive gives no proofs: the frontier above is the proof.
  if (!proof.ok() && proof.status().reason() == "cli.bad_arguments") return OkStatus();
  TRUC_RETURN_IF_ERROR(proof.status());
  TRUC_ASSIGN_OR_RETURN(
      const gateway::audit::ConsistencyReport consistent,
      gateway::audit::VerifyConsistency(*proof, anchors, SystemClock::Instance().Now()));
  if (consistent.old_head.root_hash() != checkpoint.root ||
      consistent.new_head.root_hash() != report.end_root) {
    return rewritten(
        fmt::format("the gateway's signed heads at sizes {} and {} have the roots "
                    "{} and {}",
                    checkpoint.size, report.end, HexEncode(consistent.old_head.root_hash()),
                    HexEncode(consistent.new_head.root_hash())));
  }
  return OkStatus();
}

Status Verify(const RangeOptions& options, const SourceOptions& source_options,
              const Output& output) {
  TRUC_ASSIGN_OR_RETURN(const crypto::TrustStore anchors, LoadAnchors(options.anchor));
  std::optional<VerifyCheckpoint> checkpoint;
  if (!options.checkpoint.empty()) {
    TRUC_ASSIGN_OR_RETURN(checkpoint, ReadVerifyCheckpoint(options.checkpoint));
    if (options.first != 0) {
      return InvalidArgumentError(
          checkpoint.has_value()
              ? "--first: a checkpoint says where verification starts"
              : "--first: a new checkpoint covers the log from its start; leave --first out",
          "cli.bad_arguments");
    }
  }
  const uint64_t first = checkpoint.has_value() ? checkpoint->size : options.first;
  std::unique_ptr<AuditSource> source;
  std::optional<gateway::audit::VerifyReport> report;
  if (!source_options.archive.empty()) {
    TRUC_ASSIGN_OR_RETURN(report, VerifyFile(source_options.archive, anchors, output));
  } else {
    TRUC_ASSIGN_OR_RETURN(source, OpenSource(source_options));
    // The storage's own checks (one thread reading every file) run while the records are
    // verified (on every core), rather than before: together they keep both busy.
    std::future<Status> storage =
        std::async(std::launch::async, [&source] { return source->VerifyStorage(); });
    {
      ProgressLine progress(output);
      report = source->VerifyInPlace(first, options.end, anchors, progress.Callback());
    }
    if (const Status checked = storage.get(); !checked.ok()) {
      output.out << "FAILED: the gateway's store: " << checked.message() << "\n";
      return checked;
    }
    if (!report.has_value()) {
      // Verified as it downloads: the gateway's export and our checks run at once, and nothing
      // is written to disk.
      ProgressLine progress(output);
      TRUC_ASSIGN_OR_RETURN(report,
                            gateway::audit::VerifyArchiveAsProduced(
                                [&](const gateway::audit::ArchiveSink& sink) {
                                  return source->Archive(first, options.end, sink);
                                },
                                anchors, SystemClock::Instance().Now(), progress.Callback()));
    }
  }
  if (checkpoint.has_value()) {
    if (const Status continues =
            ContinuesCheckpoint(*checkpoint, options.checkpoint, *report, source.get(), anchors);
        !continues.ok()) {
      output.out << "FAILED: " << continues.message() << "\n";
      return continues;
    }
    output.out << fmt::format(
        "Resumed at size {} (verified on {}): the log before it is unchanged (root {}).\n",
        checkpoint->size, FormatRfc3339(checkpoint->verified_at), HexEncode(checkpoint->root));
  }
  TRUC_RETURN_IF_ERROR(Reported(*report, output));
  if (!options.checkpoint.empty()) {
    TRUC_RETURN_IF_ERROR(WriteVerifyCheckpoint(
        options.checkpoint, {.server_id = report->server_id,
                             .size = report->end,
                             .root = report->end_root,
                             .verified_at = SystemClock::Instance().Now(),
                             .configuration_version = report->configuration_version}));
    output.out << fmt::format("Checkpoint: verified up to size {}, recorded in {}.\n", report->end,
                              options.checkpoint);
  }
  return OkStatus();
}

Status Archive(const RangeOptions& options, const SourceOptions& source_options,
               const Output& output) {
  if (!source_options.archive.empty()) {
    return InvalidArgumentError(
        "archive reads from a gateway (--gateway or --gateway-config), not from an archive",
        "cli.bad_arguments");
  }
  TRUC_ASSIGN_OR_RETURN(const std::unique_ptr<AuditSource> source, OpenSource(source_options));
  TRUC_RETURN_IF_ERROR(SaveArchive(*source, options.first, options.end, options.out));
  output.out << fmt::format("saved {} ({} bytes)\n", options.out,
                            std::filesystem::file_size(options.out));
  return OkStatus();
}

struct HeadsOptions {
  uint64_t from = 0;
  uint64_t to = 0;
};

Status Heads(const HeadsOptions& options, const SourceOptions& source_options,
             const Output& output) {
  TRUC_ASSIGN_OR_RETURN(const std::unique_ptr<AuditSource> source, OpenSource(source_options));
  TRUC_ASSIGN_OR_RETURN(const v1::SealedHeadsResponse heads,
                        source->Heads(options.from, options.to));
  std::vector<std::vector<std::string>> table = {{"size", "signed at", "root"}};
  for (const v1::SignedTreeHead& head : heads.heads()) {
    table.push_back({std::to_string(head.head().size()),
                     FormatRfc3339(proto::FromProtoTimestamp(head.signed_at())),
                     HexEncode(head.head().root_hash())});
  }
  output.out << FormatTable(table) << "\n";
  return OkStatus();
}

struct ConsistencyOptions {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  std::string expect_root;
  std::string anchor;
};

Status Consistency(const ConsistencyOptions& options, const SourceOptions& source_options,
                   const Output& output) {
  TRUC_ASSIGN_OR_RETURN(const crypto::TrustStore anchors, LoadAnchors(options.anchor));
  TRUC_ASSIGN_OR_RETURN(const std::unique_ptr<AuditSource> source, OpenSource(source_options));
  TRUC_ASSIGN_OR_RETURN(const v1::ConsistencyProofResponse proof,
                        source->Consistency(options.old_size, options.new_size));
  TRUC_ASSIGN_OR_RETURN(
      const gateway::audit::ConsistencyReport report,
      gateway::audit::VerifyConsistency(proof, anchors, SystemClock::Instance().Now()));
  const std::string old_root = HexEncode(report.old_head.root_hash());
  std::string expected = options.expect_root;  // Hex as the auditor noted it, any case.
  std::transform(expected.begin(), expected.end(), expected.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!expected.empty() && expected != old_root) {
    return DataLossError(
        fmt::format("the gateway's head at size {} has the root {}, not the {} you expected: its "
                    "log is not the one you audited",
                    report.old_head.size(), old_root, options.expect_root),
        "audit.unexpected_root");
  }
  output.out << fmt::format(
      "OK: the log of gateway {} sealed at size {} (root {}, timestamped {}) is a prefix of the "
      "log sealed at size {} (root {}, timestamped {}): nothing before was changed or removed\n",
      proof.server_id(), report.old_head.size(), old_root, FormatRfc3339(report.old_timestamp),
      report.new_head.size(), HexEncode(report.new_head.root_hash()),
      FormatRfc3339(report.new_timestamp));
  return OkStatus();
}

struct ExportOptions {
  std::string message_id;
  std::string out;
};

Status Export(const ExportOptions& options, const SourceOptions& source_options,
              const Output& output) {
  TRUC_ASSIGN_OR_RETURN(const std::unique_ptr<AuditSource> source, OpenSource(source_options));
  TRUC_ASSIGN_OR_RETURN(const v1::ExchangeEvidence evidence, source->Evidence(options.message_id));
  TRUC_RETURN_IF_ERROR(gateway::audit::WriteBundle(evidence, options.out));
  output.out << fmt::format(
      "wrote the evidence of {} ({} records) to {}; check it with `bash {}/verify-with-openssl.sh "
      "ROOT-CA.pem` or `truc audit verify-bundle --bundle {} --anchor ROOT-CA.pem`\n",
      options.message_id, evidence.records_size(), options.out, options.out, options.out);
  return OkStatus();
}

struct BundleOptions {
  std::string bundle;
  std::string anchor;
};

Status VerifyBundle(const BundleOptions& options, const Output& output) {
  TRUC_ASSIGN_OR_RETURN(const crypto::TrustStore anchors, LoadAnchors(options.anchor));
  TRUC_ASSIGN_OR_RETURN(
      const gateway::audit::BundleReport report,
      gateway::audit::VerifyBundle(options.bundle, anchors, SystemClock::Instance().Now()));
  output.out << fmt::format(
      "OK: {} records logged by gateway {}, in its tree head at size {} timestamped {}; every "
      "signature, certificate chain and proof verifies\n",
      report.records, report.server_id, report.head_size, FormatRfc3339(report.head_timestamp));
  return OkStatus();
}

// Registers `audit <name>`, which runs `run` with its options and the source options.
template <typename Options>
CLI::App* AddSourceCommand(CLI::App& audit, const std::string& name, const std::string& description,
                           Status (*run)(const Options&, const SourceOptions&, const Output&),
                           const std::shared_ptr<Options>& options,
                           const std::shared_ptr<SourceOptions>& source, const Output& output,
                           Status* result) {
  return AddCommand(
      audit, name, description, [=, &output] { return run(*options, *source, output); }, result);
}

void AddAnchorOption(CLI::App& command, std::string& anchor) {
  command.add_option("--anchor", anchor, "Your copy of the federation's root CA (PEM)")->required();
}

// --first and --end: records [first, end) of a gateway's log.
void AddRangeOptions(CLI::App& command, RangeOptions& range) {
  command.add_option("--first", range.first, "From this record (default 0)");
  command.add_option("--end", range.end,
                     "Up to this sealed size (default: the latest sealed head)");
}

}  // namespace

void AddAuditCommands(CLI::App& app, const Output& output, Status* result) {
  CLI::App* audit = AddGroup(app, "audit", "Query and verify gateways' audit logs");
  audit->fallthrough();
  auto source = std::make_shared<SourceOptions>();
  audit->add_option("--gateway", source->connection.address,
                    "The gateway's audit API (its admin listener), HOST:PORT");
  audit->add_option("--cert", source->connection.cert,
                    "Our auditor certificate chain (PEM, leaf first)");
  audit->add_option("--key", source->connection.key, "Its private key (PEM, mode 0600)");
  audit->add_option("--ca", source->connection.ca,
                    "CA certificates to trust for the gateway's server certificate (PEM)");
  audit->add_option("--archive", source->archive, "Read an archive file instead of a gateway");
  audit->add_option("--gateway-config", source->gateway_config,
                    "Read the store of the gateway with this configuration file, on its machine "
                    "(verify and archive only)");

  auto query = std::make_shared<QueryOptions>();
  CLI::App* command = AddSourceCommand(*audit, "query", "Exchanges that match a filter", &Query,
                                       query, source, output, result);
  AddFilterOptions(*command, query->filter);
  command->add_option("--format", query->filter.format, "table, json or csv");
  command->add_option("--limit", query->limit, "Exchanges per page (default 100, at most 1000)");
  command->add_option("--page-token", query->page_token, "Go on where a previous page ended");
  command->add_flag("--all", query->all, "Follow every page");

  auto stats = std::make_shared<StatsOptions>();
  command = AddSourceCommand(*audit, "stats",
                             "Exchanges, failure rates and latencies per client and service",
                             &Stats, stats, source, output, result);
  AddFilterOptions(*command, stats->filter);
  command->add_option("--format", stats->filter.format, "table or json");

  auto show = std::make_shared<ShowOptions>();
  command = AddSourceCommand(*audit, "show", "Every record of one exchange, in full", &Show, show,
                             source, output, result);
  command->add_option("--message-id", show->message_id, "The exchange's message id")->required();
  command->add_option("--format", show->format, "table or json");

  auto verify = std::make_shared<RangeOptions>();
  command = AddSourceCommand(*audit, "verify",
                             "Verify the log or an archive: records, tree, signatures, timestamps",
                             &Verify, verify, source, output, result);
  AddAnchorOption(*command, verify->anchor);
  AddRangeOptions(*command, *verify);
  command->add_option("--checkpoint", verify->checkpoint,
                      "Resume after the head this file records (from an earlier run), checking "
                      "that the log before it is unchanged; record the new one in it");

  auto archive = std::make_shared<RangeOptions>();
  command = AddSourceCommand(*audit, "archive", "Save an archive of the log for offline audits",
                             &Archive, archive, source, output, result);
  command->add_option("--out", archive->out, "The archive file to write")->required();
  AddRangeOptions(*command, *archive);

  auto heads = std::make_shared<HeadsOptions>();
  command = AddSourceCommand(*audit, "heads", "The sealed tree heads: size, signing time, root",
                             &Heads, heads, source, output, result);
  command->add_option("--from", heads->from, "From this size (default 0)");
  command->add_option("--to", heads->to, "Up to this size (default: the latest)");

  auto consistency = std::make_shared<ConsistencyOptions>();
  command = AddSourceCommand(*audit, "consistency",
                             "Prove that today's log extends a head sealed earlier (remote)",
                             &Consistency, consistency, source, output, result);
  command->add_option("--old", consistency->old_size, "The size of the earlier sealed head")
      ->required();
  command->add_option("--new", consistency->new_size,
                      "The size of the later sealed head (default: the latest)");
  command->add_option("--expect-root", consistency->expect_root,
                      "The earlier head's root (hex) as you noted it, to compare");
  AddAnchorOption(*command, consistency->anchor);

  auto export_options = std::make_shared<ExportOptions>();
  command = AddSourceCommand(*audit, "export",
                             "Write the evidence bundle of one exchange, checkable with openssl",
                             &Export, export_options, source, output, result);
  command->add_option("--message-id", export_options->message_id, "The exchange's message id")
      ->required();
  command->add_option("--out", export_options->out, "The bundle directory to create")->required();

  auto bundle = std::make_shared<BundleOptions>();
  command = AddCommand(
      *audit, "verify-bundle", "Verify an evidence bundle",
      [bundle, &output] { return VerifyBundle(*bundle, output); }, result);
  command->add_option("--bundle", bundle->bundle, "The bundle directory")->required();
  AddAnchorOption(*command, bundle->anchor);
}

}  // namespace truc::cli
