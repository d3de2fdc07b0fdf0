// An audit record as the auditor's tools read it from a log or an archive: parsed, matched against
// filters, turned into a report row, shown in a table and CSV. Whatever it holds, the output holds
// no control character.
#include "cli/audit_report.h"
#include "cli/table.h"

#include "core/base/utf8.h"
#include "core/ids/id_proto.h"
#include "gateway/audit/audit_record.h"
#include "gateway/audit/record_filter.h"
#include "tests/fuzz/fuzz_support.h"
#include "truc/v1/gateway_audit.pb.h"

namespace {

const std::vector<truc::gateway::audit::RecordFilter>& Filters() {
  static const auto* const filters = [] {
    auto* made = new std::vector<truc::gateway::audit::RecordFilter>();
    truc::v1::AuditFilter filter;
    made->push_back(truc::gateway::audit::RecordFilter::Create(filter).value());
    filter.set_client("VN/GOV/000900");
    filter.set_service("VN/GOV/000100/population/citizens");
    filter.set_user_id("VN079123456789");
    filter.set_path_contains("079123456789");
    filter.set_outcome(truc::v1::AuditFilter::OUTCOME_FAILED);
    made->push_back(truc::gateway::audit::RecordFilter::Create(filter).value());
    return made;
  }();
  return *filters;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  truc::v1::AuditRecord record;
  record.set_sequence(17);
  record.set_kind(truc::v1::AuditRecord::KIND_REQUEST);
  record.set_side(truc::v1::AuditRecord::SIDE_CONSUMER);
  record.set_message_id("5c0e7a52");
  *record.mutable_client() =
      truc::ids::ToProto(truc::ids::SubsystemId::Parse("VN/GOV/000900/portal").value());
  *record.mutable_service() =
      truc::ids::ToProto(truc::ids::ServiceId::Parse("VN/GOV/000100/population/citizens").value());
  record.set_user_id("VN079123456789");
  record.set_purpose("HS-2026-000123 Nguyễn Văn A");
  record.set_method("GET");
  record.set_path("/citizens/079123456789");
  truc::v1::Header* header = record.add_headers();
  header->set_name("x-road-userid");
  header->set_value("VN079123456789");
  std::vector<std::string> seeds = {record.SerializeAsString()};
  record.set_kind(truc::v1::AuditRecord::KIND_FAILURE);
  record.set_error_type("Server.ServerProxy.ServiceFailed");
  record.set_error_message("backend said \x1b[31m no");
  seeds.push_back(record.SerializeAsString());
  truc::fuzz::WriteFreshSeeds("audit-record", seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  truc::v1::LoggedRecord logged;
  logged.set_sequence(size);
  logged.set_record(std::string(reinterpret_cast<const char*>(data), size));
  truc::v1::AuditRecord record;
  if (!record.ParseFromString(logged.record())) return 0;
  for (const truc::gateway::audit::RecordFilter& filter : Filters()) (void)filter.Matches(record);
  truc::v1::AuditRecord derived = record;
  truc::gateway::audit::SetRequestFields(record.headers(), derived);
  truc::StatusOr<truc::cli::ExchangeRow> row = truc::cli::RowOf(logged);
  if (!row.ok()) return 0;
  std::ostringstream table, csv;
  truc::cli::WriteRows({*row}, truc::cli::ReportFormat::kTable, table);
  truc::cli::WriteRows({*row}, truc::cli::ReportFormat::kCsv, csv);
  for (const std::string& text : {table.str(), csv.str()}) {
    truc::fuzz::Require(truc::IsValidUtf8(text), "reports are UTF-8");
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      truc::fuzz::Require(byte >= 0x20 || byte == '\n' || byte == '\r' || byte == ' ',
                          "reports hold no control character but line ends");
      truc::fuzz::Require(byte != 0x7f, "reports hold no DEL");
    }
  }
  return 0;
}
