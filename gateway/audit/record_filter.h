// Selecting exchanges in the audit log by what an auditor asks about (v1::AuditFilter): time,
// client, service, message, end user, purpose, outcome, what the request path contains. Used by the
// audit API and by the auditor CLI on archives alike.
#pragma once

#include <string>

#include "core/base/status.h"
#include "truc/v1/audit.pb.h"
#include "truc/v1/gateway_audit.pb.h"

namespace truc::gateway::audit {

// Parses a filter's identifiers once, to match many records. Errors: kInvalidArgument naming
// the field ("filter.client: ...").
// A value type.
class RecordFilter {
 public:
  static StatusOr<RecordFilter> Create(const v1::AuditFilter& filter);
  // Whether the final record (response or failure) of an exchange matches.
  bool Matches(const v1::AuditRecord& record) const;

  const v1::AuditFilter& filter() const { return filter_; }
  // The client asked for: a subsystem or member id in canonical form, or empty.
  const std::string& client() const { return client_; }
  // The service asked for: a service, subsystem or member id in canonical form, or empty.
  const std::string& service() const { return service_; }

 private:
  v1::AuditFilter filter_;
  std::string client_;   // A subsystem or member id, as text, or empty.
  std::string service_;  // A service, subsystem or member id, as text, or empty.
};

// The log position a query's page token names ("" for the start): decimal digits only, as the
// audit API gives them. kInvalidArgument ("audit.bad_page_token") for anything else.
StatusOr<uint64_t> ParsePageToken(const std::string& token);

}  // namespace truc::gateway::audit
