#include "gateway/audit/record_filter.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/base/strings.h"
#include "core/ids/id_proto.h"
#include "core/ids/identifiers.h"
#include "proto/timestamp_conversion.h"

namespace truc::gateway::audit {
namespace {

// `text` as a canonical id of one of the kinds Parse accepts, or the error of the last.
template <typename... Ids>
StatusOr<std::string> CanonicalId(std::string_view field, const std::string& text) {
  if (text.empty()) return std::string();
  Status last;
  std::string canonical;
  const auto attempt = [&]<typename Id>() {
    if (!canonical.empty()) return;
    StatusOr<Id> parsed = Id::Parse(text);
    if (parsed.ok()) {
      canonical = parsed->ToString();
    } else {
      last = parsed.status();
    }
  };
  (attempt.template operator()<Ids>(), ...);
  if (!canonical.empty()) return canonical;
  return InvalidArgumentError(
      fmt::format("filter.{}: \"{}\" is not an identifier: {}", field, text, last.message()),
      "audit.bad_filter");
}

}  // namespace

StatusOr<RecordFilter> RecordFilter::Create(const v1::AuditFilter& filter) {
  RecordFilter result;
  result.filter_ = filter;
  TRUC_ASSIGN_OR_RETURN(result.client_,
                        (CanonicalId<ids::SubsystemId, ids::MemberId>("client", filter.client())));
  TRUC_ASSIGN_OR_RETURN(
      result.service_,
      (CanonicalId<ids::ServiceId, ids::SubsystemId, ids::MemberId>("service", filter.service())));
  return result;
}

bool RecordFilter::Matches(const v1::AuditRecord& record) const {
  if (record.kind() != v1::AuditRecord::KIND_RESPONSE &&
      record.kind() != v1::AuditRecord::KIND_FAILURE) {
    return false;
  }
  const TimePoint time = proto::FromProtoTimestamp(record.time());
  if (filter_.has_since() && time < proto::FromProtoTimestamp(filter_.since())) return false;
  if (filter_.has_until() && time >= proto::FromProtoTimestamp(filter_.until())) return false;
  const auto differs = [](const std::string& wanted, const std::string& actual) {
    return !wanted.empty() && wanted != actual;
  };
  if (differs(filter_.message_id(), record.message_id()) ||
      differs(filter_.user_id(), record.user_id()) ||
      differs(filter_.purpose(), record.purpose())) {
    return false;
  }
  if (!filter_.path_contains().empty() &&
      record.path().find(filter_.path_contains()) == std::string::npos) {
    return false;
  }
  if (!filter_.subject().empty() && std::find(record.subjects().begin(), record.subjects().end(),
                                              filter_.subject()) == record.subjects().end()) {
    return false;
  }
  const bool failed = !record.error_type().empty();
  if (filter_.outcome() == v1::AuditFilter::OUTCOME_SUCCEEDED && failed) return false;
  if (filter_.outcome() == v1::AuditFilter::OUTCOME_FAILED && !failed) return false;
  if (!client_.empty()) {
    const StatusOr<ids::SubsystemId> client = ids::FromProto(record.client());
    if (!client.ok() || (client->ToString() != client_ && client->member().ToString() != client_)) {
      return false;
    }
  }
  if (!service_.empty()) {
    const StatusOr<ids::ServiceId> service = ids::FromProto(record.service());
    if (!service.ok() ||
        (service->ToString() != service_ && service->provider().ToString() != service_ &&
         service->provider().member().ToString() != service_)) {
      return false;
    }
  }
  return true;
}

StatusOr<uint64_t> ParsePageToken(const std::string& token) {
  if (token.empty()) return uint64_t{0};
  uint64_t position = 0;
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), position);
  if (error != std::errc() || end != token.data() + token.size()) {
    return InvalidArgumentError(
        fmt::format("page token \"{}\" is not one a query gave", EscapeForDisplay(token)),
        "audit.bad_page_token");
  }
  return position;
}

}  // namespace truc::gateway::audit
