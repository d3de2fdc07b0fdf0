// Where `truc audit` reads a gateway's audit log from: the gateway's audit API (remote, over
// mutual TLS, within the auditor's scope) or an archive file exported earlier (offline). Both
// answer the same questions, in the audit API's terms (proto/truc/v1/gateway_audit.proto).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cli/admin_client.h"
#include <fmt/format.h>

#include "core/base/status.h"
#include "gateway/audit/archive.h"
#include "gateway/audit/evidence_verifier.h"
#include "truc/v1/gateway_audit.pb.h"

namespace truc::cli {

class AuditSource {
 public:
  virtual ~AuditSource() = default;

  // One page of the exchanges that match (QueryExchanges).
  virtual StatusOr<v1::QueryExchangesResponse> Query(const v1::QueryExchangesRequest& request) = 0;
  // The records of one message id with their proofs (GetExchangeEvidence).
  virtual StatusOr<v1::ExchangeEvidence> Evidence(const std::string& message_id) = 0;
  // Writes the archive of records [first, end) (end 0: all that is sealed) to `sink`. An archive
  // source gives its whole file, whatever the range.
  virtual Status Archive(uint64_t first, uint64_t end, const gateway::audit::ArchiveSink& sink) = 0;
  // The sealed heads with min_size <= size <= max_size (0: no limit). Errors where the source
  // has none.
  virtual StatusOr<v1::SealedHeadsResponse> Heads(uint64_t min_size, uint64_t max_size) = 0;
  // The consistency proof between two sealed heads (GetConsistencyProof); the audit API only.
  virtual StatusOr<v1::ConsistencyProofResponse> Consistency(uint64_t old_size, uint64_t new_size) {
    return InvalidArgumentError(
        fmt::format("proofs between heads {} and {} come from a gateway's audit API: use --gateway",
                    old_size, new_size),
        "cli.bad_arguments");
  }
  // Checks the storage under the log where the source has one: a store's files (block
  // checksums) and the log's own structure (AuditLog::Verify), each failure saying where. OK for
  // the others, whose bytes the archive's own checks cover.
  virtual Status VerifyStorage() { return OkStatus(); }
  // Verifies records [first, end) (end 0: up to the latest sealed head) where the source holds
  // them, as an archive of them would be verified, without writing one; nullopt for a source that
  // must give an archive to be verified (the audit API). A gateway's store checks its records
  // here, so its VerifyStorage checks only the tree entries.
  virtual std::optional<gateway::audit::VerifyReport> VerifyInPlace(
      uint64_t /*first*/, uint64_t /*end*/, const crypto::TrustStore& /*anchors*/,
      const gateway::audit::VerifyProgress& /*progress*/) {
    return std::nullopt;
  }
};

// The gateway's audit API at connection.address.
StatusOr<std::unique_ptr<AuditSource>> OpenRemoteAuditSource(const ConnectionOptions& connection);

// The store of the gateway whose configuration file is `config_file` (its server_id and
// data_dir), opened read-only, so the gateway may be running: it can be verified and archived;
// Query and Evidence are refused (archive it, then read the archive).
StatusOr<std::unique_ptr<AuditSource>> OpenStoreAuditSource(const std::string& config_file);

// The archive file at `path`.
StatusOr<std::unique_ptr<AuditSource>> OpenArchiveAuditSource(const std::string& path);

}  // namespace truc::cli
