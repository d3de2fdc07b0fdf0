// How `truc audit` presents what it reads from an audit log: exchanges as a table, JSON or CSV,
// one exchange in full, and the per client × service statistics.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "core/base/status.h"
#include "truc/v1/audit.pb.h"
#include "truc/v1/gateway_audit.pb.h"

namespace truc::cli {

enum class ReportFormat { kTable, kJson, kCsv };

// Parses "table", "json" or "csv". kInvalidArgument otherwise.
StatusOr<ReportFormat> ParseReportFormat(const std::string& text);

// One exchange as a query row shows it, read from its final record.
struct ExchangeRow {
  uint64_t sequence = 0;
  std::string ended;  // RFC 3339
  std::string side;   // "consumer" or "provider"
  std::string client;
  std::string service;
  std::string request;  // "GET /citizens/0791..."
  std::string user_id;
  std::string purpose;
  std::string outcome;  // The HTTP status, or the X-Road error type.
  bool failed = false;
  double duration_ms = 0;
  std::string message_id;
};

// The row of a final record; kDataLoss when the record does not parse.
StatusOr<ExchangeRow> RowOf(const v1::LoggedRecord& logged);

// Writes `rows` in `format`; the table and CSV have a header line, JSON is one array.
void WriteRows(const std::vector<ExchangeRow>& rows, ReportFormat format, std::ostream& out);

// Writes one exchange's evidence in full: every record with its fields, header fields, body (when
// kept and printable), signer and proof. JSON gives the records as protobuf JSON.
Status WriteExchange(const v1::ExchangeEvidence& evidence, ReportFormat format, std::ostream& out);

// Counts, failures and latencies of the exchanges per client × service.
class ExchangeStats {
 public:
  void Add(const ExchangeRow& row);
  // Table: one line per pair, busiest first; JSON: an array of objects. CSV is as the table.
  void Write(ReportFormat format, std::ostream& out) const;

 private:
  struct Pair {
    uint64_t failed = 0;
    std::vector<double> durations_ms;
  };
  std::map<std::pair<std::string, std::string>, Pair> pairs_;
};

}  // namespace truc::cli
