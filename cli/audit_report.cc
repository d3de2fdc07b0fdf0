#include "cli/audit_report.h"

#include <algorithm>
#include <cmath>

#include "cli/table.h"
#include <fmt/format.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "core/base/clock.h"
#include "core/base/encoding.h"
#include "core/base/strings.h"
#include "core/crypto/certificate.h"
#include "core/ids/id_proto.h"
#include "proto/timestamp_conversion.h"

namespace truc::cli {
namespace {

using google::protobuf::Value;

std::string IdText(const v1::SubsystemId& id) {
  const StatusOr<ids::SubsystemId> parsed = ids::FromProto(id);
  return parsed.ok() ? parsed->ToString() : "(invalid)";
}

std::string IdText(const v1::ServiceId& id) {
  const StatusOr<ids::ServiceId> parsed = ids::FromProto(id);
  return parsed.ok() ? parsed->ToString() : "(invalid)";
}

double Milliseconds(const google::protobuf::Duration& duration) {
  return static_cast<double>(duration.seconds()) * 1e3 + duration.nanos() / 1e6;
}

Value StringValue(const std::string& text) {
  Value value;
  value.set_string_value(text);
  return value;
}

Value NumberValue(double number) {
  Value value;
  value.set_number_value(number);
  return value;
}

// Writes `values` (a JSON array) with a newline.
void WriteJson(const google::protobuf::ListValue& values, std::ostream& out) {
  Value list;
  *list.mutable_list_value() = values;
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(list, &json, options);
  out << json << "\n";
}

std::string CsvField(const std::string& raw) {
  const std::string text = EscapeForDisplay(raw);  // No control character reaches a terminal.
  if (text.find_first_of(",\"") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// The value at fraction `p` of sorted `values` (nearest rank).
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::string PolicyText(const v1::AuditRecord& record) {
  switch (record.body_policy()) {
    case v1::BODY_POLICY_ENCRYPT:
      return "kept encrypted";
    case v1::BODY_POLICY_DIGEST_ONLY:
      return "digest only";
    default:
      return "kept";
  }
}

bool Printable(const std::string& body) {
  return std::all_of(body.begin(), body.end(), [](char c) {
    return c == '\n' || c == '\r' || c == '\t' || static_cast<unsigned char>(c) >= 0x20;
  });
}

void WriteRecordText(const v1::LoggedRecord& logged, const v1::AuditRecord& record,
                     std::ostream& out) {
  out << fmt::format("\nrecord {}: {} on the {} side, {}\n", logged.sequence(),
                     record.kind() == v1::AuditRecord::KIND_REQUEST    ? "request"
                     : record.kind() == v1::AuditRecord::KIND_RESPONSE ? "response"
                                                                       : "failure",
                     record.side() == v1::AuditRecord::SIDE_CONSUMER ? "consumer" : "provider",
                     FormatRfc3339(proto::FromProtoTimestamp(record.time())));
  std::vector<std::vector<std::string>> rows = {
      {"  message id", record.message_id()},
      {"  request id", record.request_id()},
      {"  client", IdText(record.client())},
      {"  service", IdText(record.service())},
      {"  end user", record.user_id()},
      {"  purpose", record.purpose()},
      {"  request", record.method() + " " + record.path()},
  };
  if (!record.subjects().empty()) {
    std::string subjects;
    for (const std::string& subject : record.subjects()) {
      subjects += (subjects.empty() ? "" : ", ") + subject;
    }
    rows.push_back({"  subjects", subjects});
  }
  if (record.kind() != v1::AuditRecord::KIND_REQUEST) {
    rows.push_back({"  outcome", record.error_type().empty()
                                     ? fmt::format("HTTP {}", record.http_status())
                                     : record.error_type() + ": " + record.error_message()});
    rows.push_back({"  duration", fmt::format("{:.1f} ms", Milliseconds(record.duration()))});
  }
  if (record.kind() != v1::AuditRecord::KIND_FAILURE) {
    rows.push_back(
        {"  body", fmt::format("{} bytes, {}, SHA-256 {}", record.body_size(), PolicyText(record),
                               HexEncode(record.evidence().digests().body_sha256()))});
    const v1::BatchSignature& signature = record.signature();
    std::string signer = "(no certificate)";
    if (!signature.certificate_chain().empty()) {
      const StatusOr<crypto::Certificate> cert =
          crypto::Certificate::FromDer(signature.certificate_chain(0));
      if (cert.ok()) signer = "CN=" + cert->SubjectAttribute("CN");
    }
    rows.push_back(
        {"  signed by", fmt::format("{} at {}, in a batch of {}", signer,
                                    FormatRfc3339(proto::FromProtoTimestamp(signature.signed_at())),
                                    signature.proof().tree_size())});
  }
  out << FormatTable(rows) << "\n";
  if (!record.headers().empty()) {
    out << "  header fields:\n";
    for (const v1::Header& header : record.headers()) {
      out << "    " << header.name() << ": " << header.value() << "\n";
    }
  }
  if (record.stored_body_case() == v1::AuditRecord::kBody && !record.body().empty()) {
    if (Printable(record.body())) {
      constexpr size_t kShown = 4096;
      out << "  body:\n    " << record.body().substr(0, kShown)
          << (record.body().size() > kShown ? "\n    ..." : "") << "\n";
    } else {
      out << "  body: binary, not shown\n";
    }
  }
}

}  // namespace

StatusOr<ReportFormat> ParseReportFormat(const std::string& text) {
  if (text == "table") return ReportFormat::kTable;
  if (text == "json") return ReportFormat::kJson;
  if (text == "csv") return ReportFormat::kCsv;
  return InvalidArgumentError(fmt::format("--format: \"{}\" is not one of table, json, csv", text),
                              "cli.bad_arguments");
}

StatusOr<ExchangeRow> RowOf(const v1::LoggedRecord& logged) {
  v1::AuditRecord record;
  if (!record.ParseFromString(logged.record())) {
    return DataLossError(fmt::format("record {} does not parse", logged.sequence()));
  }
  ExchangeRow row;
  row.sequence = logged.sequence();
  row.ended = FormatRfc3339(proto::FromProtoTimestamp(record.time()));
  row.side = record.side() == v1::AuditRecord::SIDE_CONSUMER ? "consumer" : "provider";
  row.client = IdText(record.client());
  row.service = IdText(record.service());
  row.request = record.method() + " " + record.path();
  row.user_id = record.user_id();
  row.purpose = record.purpose();
  row.failed = !record.error_type().empty();
  row.outcome = row.failed ? record.error_type() : std::to_string(record.http_status());
  row.duration_ms = Milliseconds(record.duration());
  row.message_id = record.message_id();
  return row;
}

void WriteRows(const std::vector<ExchangeRow>& rows, ReportFormat format, std::ostream& out) {
  const std::vector<std::string> header = {"seq",     "ended",   "side",      "client",
                                           "service", "request", "user",      "purpose",
                                           "outcome", "ms",      "message id"};
  const auto cells = [](const ExchangeRow& row) {
    return std::vector<std::string>{std::to_string(row.sequence),
                                    row.ended,
                                    row.side,
                                    row.client,
                                    row.service,
                                    row.request,
                                    row.user_id,
                                    row.purpose,
                                    row.outcome,
                                    fmt::format("{:.1f}", row.duration_ms),
                                    row.message_id};
  };
  switch (format) {
    case ReportFormat::kTable: {
      std::vector<std::vector<std::string>> table = {header};
      for (const ExchangeRow& row : rows) table.push_back(cells(row));
      out << FormatTable(table) << "\n";
      return;
    }
    case ReportFormat::kCsv: {
      std::vector<std::vector<std::string>> table = {header};
      for (const ExchangeRow& row : rows) table.push_back(cells(row));
      for (const std::vector<std::string>& line : table) {
        std::string text;
        for (const std::string& cell : line) text += (text.empty() ? "" : ",") + CsvField(cell);
        out << text << "\r\n";
      }
      return;
    }
    case ReportFormat::kJson: {
      google::protobuf::ListValue list;
      for (const ExchangeRow& row : rows) {
        google::protobuf::Struct& object = *list.add_values()->mutable_struct_value();
        auto& fields = *object.mutable_fields();
        fields["sequence"] = NumberValue(static_cast<double>(row.sequence));
        fields["ended"] = StringValue(row.ended);
        fields["side"] = StringValue(row.side);
        fields["client"] = StringValue(row.client);
        fields["service"] = StringValue(row.service);
        fields["request"] = StringValue(row.request);
        fields["user_id"] = StringValue(row.user_id);
        fields["purpose"] = StringValue(row.purpose);
        fields["outcome"] = StringValue(row.outcome);
        fields["failed"].set_bool_value(row.failed);
        fields["duration_ms"] = NumberValue(row.duration_ms);
        fields["message_id"] = StringValue(row.message_id);
      }
      WriteJson(list, out);
      return;
    }
  }
}

Status WriteExchange(const v1::ExchangeEvidence& evidence, ReportFormat format, std::ostream& out) {
  google::protobuf::ListValue list;
  if (format == ReportFormat::kTable || format == ReportFormat::kCsv) {
    out << fmt::format(
        "Exchange as logged by gateway {}; proven against its tree head at size {}, "
        "sealed {}\n",
        evidence.server_id(), evidence.head().head().size(),
        FormatRfc3339(proto::FromProtoTimestamp(evidence.head().signed_at())));
  }
  for (const v1::ProvenRecord& proven : evidence.records()) {
    v1::AuditRecord record;
    if (!record.ParseFromString(proven.record().record())) {
      return DataLossError(fmt::format("record {} does not parse", proven.record().sequence()));
    }
    if (format == ReportFormat::kJson) {
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(record, &json);
      Value value;
      (void)google::protobuf::util::JsonStringToMessage(json, &value);
      *list.add_values() = value;
    } else {
      WriteRecordText(proven.record(), record, out);
    }
  }
  if (format == ReportFormat::kJson) WriteJson(list, out);
  return OkStatus();
}

void ExchangeStats::Add(const ExchangeRow& row) {
  Pair& pair = pairs_[{row.client, row.service}];
  pair.durations_ms.push_back(row.duration_ms);
  if (row.failed) ++pair.failed;
}

void ExchangeStats::Write(ReportFormat format, std::ostream& out) const {
  struct Line {
    std::string client, service;
    size_t count;
    uint64_t failed;
    double p50, p90, p99;
  };
  std::vector<Line> lines;
  for (const auto& [key, pair] : pairs_) {
    std::vector<double> sorted = pair.durations_ms;
    std::sort(sorted.begin(), sorted.end());
    lines.push_back({key.first, key.second, sorted.size(), pair.failed, Percentile(sorted, 0.5),
                     Percentile(sorted, 0.9), Percentile(sorted, 0.99)});
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Line& a, const Line& b) { return a.count > b.count; });
  if (format == ReportFormat::kJson) {
    google::protobuf::ListValue list;
    for (const Line& line : lines) {
      auto& fields = *list.add_values()->mutable_struct_value()->mutable_fields();
      fields["client"] = StringValue(line.client);
      fields["service"] = StringValue(line.service);
      fields["exchanges"] = NumberValue(static_cast<double>(line.count));
      fields["failed"] = NumberValue(static_cast<double>(line.failed));
      fields["failure_rate"] = NumberValue(static_cast<double>(line.failed) / line.count);
      fields["p50_ms"] = NumberValue(line.p50);
      fields["p90_ms"] = NumberValue(line.p90);
      fields["p99_ms"] = NumberValue(line.p99);
    }
    WriteJson(list, out);
    return;
  }
  std::vector<std::vector<std::string>> table = {
      {"client", "service", "exchanges", "failed", "failure %", "p50 ms", "p90 ms", "p99 ms"}};
  for (const Line& line : lines) {
    table.push_back({line.client, line.service, std::to_string(line.count),
                     std::to_string(line.failed),
                     fmt::format("{:.1f}", 100.0 * static_cast<double>(line.failed) / line.count),
                     fmt::format("{:.1f}", line.p50), fmt::format("{:.1f}", line.p90),
                     fmt::format("{:.1f}", line.p99)});
  }
  out << FormatTable(table) << "\n";
}

}  // namespace truc::cli
