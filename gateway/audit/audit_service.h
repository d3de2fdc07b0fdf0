// The gateway's audit API (GatewayAudit in proto/truc/v1/gateway_audit.proto): queries, the
// evidence of one exchange, archives and sealed heads, for auditors only, each within its scope.
//
// Serve it with rpc::MutualTlsServerCredentials (the admin listener's): the caller is identified
// by the SHA-256 fingerprint of its TLS client certificate; one that is not an auditor's gets
// PERMISSION_DENIED (reason audit.not_auditor). An auditor sees the records of the exchanges of
// the members in its scope: those whose subsystem on this gateway's side (the client on the
// consumer side, the provider on the provider side) belongs to one of them. Out of scope records
// are skipped by queries and withheld (as leaf hashes) from archives; tree heads and proofs are
// for everyone, as they reveal nothing but hashes.
//
// Thread-safe: gRPC may call it from several threads at once.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>

#include "core/ids/identifiers.h"
#include "gateway/audit/audit_log.h"
#include "gateway/audit/record_filter.h"
#include "gateway/audit/tree_head_sealer.h"
#include "truc/v1/gateway_audit.grpc.pb.h"

namespace truc::gateway::audit {

// kPermissionDenied: the caller's certificate is not an auditor's.
inline constexpr std::string_view kNotAuditor = "audit.not_auditor";
// kFailedPrecondition from GetExchangeEvidence: the records are not yet covered by a sealed head.
inline constexpr std::string_view kNotSealed = "audit.not_sealed";

// The members whose exchanges an auditor may see.
using AuditorScope = std::set<ids::MemberId>;

struct AuditServiceOptions {
  std::string server_id;
  // Auditor certificate fingerprints (raw SHA-256, as crypto::Certificate::Fingerprint gives
  // them) and their scopes.
  std::map<std::string, AuditorScope> auditors;
  // The SignedGlobalConfiguration the gateway holds, for archives and evidence.
  std::function<StatusOr<std::string>()> signed_configuration;
};

class AuditService final : public v1::GatewayAudit::Service {
 public:
  // `log`, `sealer` and `store` (theirs) must outlive the service.
  AuditService(const AuditLog& log, const TreeHeadSealer& sealer,
               const storage::KeyValueStore& store, AuditServiceOptions options)
      : log_(log), sealer_(sealer), store_(store), options_(std::move(options)) {}

  // QueryLog, for the caller's scope.
  grpc::Status QueryExchanges(grpc::ServerContext* context,
                              const v1::QueryExchangesRequest* request,
                              v1::QueryExchangesResponse* response) override;
  // Finds the message's records through the log's message index.
  grpc::Status GetExchangeEvidence(grpc::ServerContext* context,
                                   const v1::ExchangeEvidenceRequest* request,
                                   v1::ExchangeEvidence* response) override;
  grpc::Status ExportSegment(grpc::ServerContext* context, const v1::ExportSegmentRequest* request,
                             grpc::ServerWriter<v1::ArchiveChunk>* writer) override;
  grpc::Status ListSealedHeads(grpc::ServerContext* context, const v1::SealedHeadsRequest* request,
                               v1::SealedHeadsResponse* response) override;
  grpc::Status GetConsistencyProof(grpc::ServerContext* context,
                                   const v1::ConsistencyProofRequest* request,
                                   v1::ConsistencyProofResponse* response) override;

  static constexpr uint64_t kScanBudget = 50'000;

 private:
  // The caller's scope, or kNotAuditor.
  StatusOr<const AuditorScope*> ScopeOf(const grpc::ServerContext& context) const;
  // The head sealed at exactly `size`; NOT_FOUND otherwise.
  StatusOr<v1::SignedTreeHead> SealedHeadAt(uint64_t size) const;

  const AuditLog& log_;
  const TreeHeadSealer& sealer_;
  const storage::KeyValueStore& store_;
  const AuditServiceOptions options_;
};

// Whether `record` is the exchange of a member in `scope` (see above).
bool InScope(const v1::AuditRecord& record, const AuditorScope& scope);

// One page of the exchanges of `log` whose final record matches `request`'s filter and
// `in_scope`, in log order from the position its page token names. A message id is looked up
// in the message index. A filter with a subject, user id, purpose, client or service is
// answered from the log's indexes: the one with the fewest entries is walked, a candidate must
// be in the others too before its record is read; the page holds up to page_size matches from
// anywhere in the log, and the first page says how many match in all (total_matches, unless
// there are more than kMaxCounted candidates). A time range narrows the positions read to those
// its minutes span (AuditLog::TimeRange). Records logged before the log was indexed, and
// filters no index answers, are scanned, at most AuditService::kScanBudget records per page.
// Errors: the filter's and the page token's (kInvalidArgument), the log's.
inline constexpr uint64_t kMaxCounted = 100'000;
StatusOr<v1::QueryExchangesResponse> QueryLog(
    const AuditLog& log, const v1::QueryExchangesRequest& request,
    const std::function<bool(const v1::AuditRecord&)>& in_scope);

}  // namespace truc::gateway::audit
