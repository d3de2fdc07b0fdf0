#include "gateway/audit/audit_service.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "core/ids/id_proto.h"
#include "core/ids/identifiers.h"
#include "core/rpc/grpc_util.h"
#include "gateway/audit/archive.h"
#include "proto/timestamp_conversion.h"

namespace truc::gateway::audit {
namespace {

constexpr uint32_t kDefaultPageSize = 100;
constexpr uint32_t kMaxPageSize = 1000;
constexpr size_t kMaxHeads = 1000;
// Archives are streamed in pieces of about this size.
constexpr size_t kChunkBytes = 1 << 20;
// A page of query results stops growing once its records hold this many bytes, well below
// gRPC's default 4 MiB message limit; a single larger record still makes a page of its own.
constexpr size_t kMaxPageBytes = 2 << 20;

void AddRecord(const StoredRecord& stored, v1::LoggedRecord& logged) {
  logged.set_sequence(stored.record.sequence());
  logged.set_record(stored.bytes);
}

}  // namespace

bool InScope(const v1::AuditRecord& record, const AuditorScope& scope) {
  if (record.side() == v1::AuditRecord::SIDE_CONSUMER) {
    const StatusOr<ids::SubsystemId> client = ids::FromProto(record.client());
    return client.ok() && scope.count(client->member()) > 0;
  }
  const StatusOr<ids::ServiceId> service = ids::FromProto(record.service());
  return service.ok() && scope.count(service->provider().member()) > 0;
}

StatusOr<const AuditorScope*> AuditService::ScopeOf(const grpc::ServerContext& context) const {
  const std::optional<std::string> fingerprint = rpc::PeerCertificateFingerprint(context);
  const auto it = fingerprint ? options_.auditors.find(*fingerprint) : options_.auditors.end();
  if (it == options_.auditors.end()) {
    return PermissionDeniedError(
        "the audit API needs an auditor certificate; the caller's is not one",
        std::string(kNotAuditor));
  }
  return &it->second;
}

grpc::Status AuditService::QueryExchanges(grpc::ServerContext* context,
                                          const v1::QueryExchangesRequest* request,
                                          v1::QueryExchangesResponse* response) {
  return rpc::ToGrpcStatus([&]() -> Status {
    TRUC_ASSIGN_OR_RETURN(const AuditorScope* scope, ScopeOf(*context));
    TRUC_ASSIGN_OR_RETURN(*response,
                          QueryLog(log_, *request, [scope](const v1::AuditRecord& record) {
                            return InScope(record, *scope);
                          }));
    return OkStatus();
  }());
}

namespace {

// The conditions of `filter` that the log's indexes answer, as (index, value).
std::vector<std::pair<AuditLog::Index, std::string>> IndexedConditions(const RecordFilter& filter) {
  std::vector<std::pair<AuditLog::Index, std::string>> conditions;
  const v1::AuditFilter& wanted = filter.filter();
  for (const auto& [index, value] : {std::pair{AuditLog::Index::kSubject, &wanted.subject()},
                                     std::pair{AuditLog::Index::kUserId, &wanted.user_id()},
                                     std::pair{AuditLog::Index::kPurpose, &wanted.purpose()},
                                     std::pair{AuditLog::Index::kClient, &filter.client()}}) {
    if (!value->empty()) conditions.emplace_back(index, *value);
  }
  if (!filter.service().empty()) {
    // The service index holds service ids and providers' member ids: a provider subsystem's
    // exchanges are among its member's (the filter then keeps the subsystem's).
    std::string value = filter.service();
    if (const StatusOr<ids::SubsystemId> provider = ids::SubsystemId::Parse(value); provider.ok()) {
      value = provider->member().ToString();
    }
    conditions.emplace_back(AuditLog::Index::kService, std::move(value));
  }
  return conditions;
}

// How many entries `condition` has in [begin, end), counting up to `cap`.
StatusOr<uint64_t> CountEntries(const AuditLog& log,
                                const std::pair<AuditLog::Index, std::string>& condition,
                                uint64_t begin, uint64_t end, uint64_t cap) {
  uint64_t count = 0;
  TRUC_RETURN_IF_ERROR(
      log.ScanIndex(condition.first, condition.second, begin, [&](uint64_t sequence) {
        if (sequence >= end) return false;
        return ++count < cap;
      }));
  return count;
}

}  // namespace

StatusOr<v1::QueryExchangesResponse> QueryLog(
    const AuditLog& log, const v1::QueryExchangesRequest& request,
    const std::function<bool(const v1::AuditRecord&)>& in_scope) {
  TRUC_ASSIGN_OR_RETURN(const RecordFilter filter, RecordFilter::Create(request.filter()));
  TRUC_ASSIGN_OR_RETURN(const uint64_t first, ParsePageToken(request.page_token()));
  const uint32_t page_size =
      request.page_size() == 0 ? kDefaultPageSize : std::min(request.page_size(), kMaxPageSize);
  const uint64_t end = log.Head().size;
  v1::QueryExchangesResponse response;
  size_t page_bytes = 0;
  const auto matches = [&](const v1::AuditRecord& record) {
    return filter.Matches(record) && in_scope(record);
  };
  // Adds `stored` when it matches; whether the page has room for more.
  const auto take = [&](const StoredRecord& stored) {
    if (matches(stored.record)) {
      AddRecord(stored, *response.add_records());
      page_bytes += stored.bytes.size();
    }
    // A page holds at least one record, however large (up to the gateway's body limit).
    return response.records_size() < static_cast<int>(page_size) && page_bytes < kMaxPageBytes;
  };
  const auto unreadable = [&](uint64_t sequence, const Status& problem) {
    v1::UnreadableRecord& skipped = *response.add_unreadable();
    skipped.set_sequence(sequence);
    skipped.set_problem(problem.message());
  };
  // Calls `visit` with the positions that are candidates, from `candidates` (in order), and adds
  // the matching records to the page until it is full: the next candidate then starts the next
  // page. Whether the page still has room.
  const auto take_candidates =
      [&](const std::function<Status(const std::function<bool(uint64_t)>&)>& candidates)
      -> StatusOr<bool> {
    bool room = response.records_size() < static_cast<int>(page_size) && page_bytes < kMaxPageBytes;
    TRUC_RETURN_IF_ERROR(candidates([&](uint64_t sequence) {
      if (!room) {
        response.set_next_page_token(std::to_string(sequence));
        return false;
      }
      StatusOr<StoredRecord> stored = log.Read(sequence);
      if (!stored.ok()) {
        unreadable(sequence, stored.status());
        return true;
      }
      room = take(*stored);
      return true;
    }));
    return room;
  };

  // One exchange: the message index lists its records.
  if (!request.filter().message_id().empty()) {
    TRUC_ASSIGN_OR_RETURN(const std::vector<uint64_t> positions,
                          log.FindMessage(request.filter().message_id()));
    TRUC_RETURN_IF_ERROR(take_candidates([&](const std::function<bool(uint64_t)>& visit) -> Status {
                           for (const uint64_t sequence : positions) {
                             if (sequence >= first && sequence < end && !visit(sequence)) break;
                           }
                           return OkStatus();
                         }).status());
    return response;
  }

  const std::vector<std::pair<AuditLog::Index, std::string>> conditions = IndexedConditions(filter);
  const bool timed = request.filter().has_since() || request.filter().has_until();
  // Indexes answer for the records from `indexed_from` on; before, records are scanned.
  uint64_t indexed_from = end;
  if (!conditions.empty() || timed) {
    indexed_from = timed ? log.time_indexed_from() : 0;
    for (const auto& [index, value] : conditions) {
      indexed_from = std::max(indexed_from, log.indexed_from(index));
    }
  }
  // Scans [begin, limit) for at most kScanBudget records; whether the page is done (full, or
  // the budget spent before `limit`), in which case the next page token is set if anything
  // before `last` remains.
  uint64_t next = first;
  const auto scan = [&](uint64_t begin, uint64_t limit, uint64_t last) -> StatusOr<bool> {
    if (begin >= limit) return false;
    bool room = true;
    next = begin;
    const uint64_t budget_end = std::min(limit, begin + AuditService::kScanBudget);
    TRUC_RETURN_IF_ERROR(log.Scan(
        begin, budget_end,
        [&](const StoredRecord& stored) {
          next = stored.record.sequence() + 1;
          return room = take(stored);
        },
        [&](uint64_t sequence, const Status& problem) {
          next = sequence + 1;
          unreadable(sequence, problem);
          return true;
        }));
    next = std::max(next, budget_end);
    if (!room) next = response.records(response.records_size() - 1).sequence() + 1;
    if (!room || next < limit) {
      if (next < last) response.set_next_page_token(std::to_string(next));
      return true;
    }
    return false;
  };

  // Scanned: the whole log without an index, else the part logged before it was indexed.
  TRUC_ASSIGN_OR_RETURN(const bool done, scan(first, std::min(end, indexed_from), end));
  if (done || indexed_from >= end) return response;

  // The indexed part, narrowed to the positions of the time range.
  AuditLog::PositionRange window{std::max(first, indexed_from), end};
  if (timed) {
    const auto time = [](const google::protobuf::Timestamp& value, bool present) {
      return present ? std::optional(proto::FromProtoTimestamp(value)) : std::nullopt;
    };
    TRUC_ASSIGN_OR_RETURN(
        const AuditLog::PositionRange range,
        log.TimeRange(time(request.filter().since(), request.filter().has_since()),
                      time(request.filter().until(), request.filter().has_until())));
    window.begin = std::max(window.begin, range.begin);
    window.end = std::min(window.end, range.end);
  }
  // The first page counts the matches in all, when the whole live log is indexed and the
  // candidates are not too many.
  const bool count_all = request.page_token().empty() && indexed_from <= log.pruned_before();
  if (window.begin >= window.end) {
    if (count_all && !conditions.empty()) response.set_total_matches(0);
    return response;
  }
  if (conditions.empty()) {
    // A time range alone: its positions are scanned.
    TRUC_RETURN_IF_ERROR(scan(window.begin, window.end, window.end).status());
    return response;
  }

  // The condition with the fewest entries drives; a candidate must be in the others' indexes
  // too before its record is read.
  size_t driver = 0;
  if (conditions.size() > 1) {
    constexpr uint64_t kSampled = 4096;
    uint64_t fewest = UINT64_MAX;
    for (size_t i = 0; i < conditions.size(); ++i) {
      TRUC_ASSIGN_OR_RETURN(const uint64_t count,
                            CountEntries(log, conditions[i], window.begin, window.end, kSampled));
      if (count < fewest) {
        fewest = count;
        driver = i;
      }
    }
  }
  Status failed;
  // Calls `visit` with the positions in [begin, window.end) in every condition's index.
  const auto candidates_from = [&](uint64_t begin, const std::function<bool(uint64_t)>& visit) {
    return log.ScanIndex(conditions[driver].first, conditions[driver].second, begin,
                         [&](uint64_t sequence) {
                           if (sequence >= window.end) return false;
                           for (size_t i = 0; i < conditions.size(); ++i) {
                             if (i == driver) continue;
                             const StatusOr<bool> indexed =
                                 log.IsIndexed(conditions[i].first, conditions[i].second, sequence);
                             if (!indexed.ok()) {
                               failed = indexed.status();
                               return false;
                             }
                             if (!*indexed) return true;
                           }
                           return visit(sequence);
                         });
  };
  TRUC_RETURN_IF_ERROR(take_candidates([&](const std::function<bool(uint64_t)>& visit) {
                         return candidates_from(window.begin, visit);
                       }).status());
  TRUC_RETURN_IF_ERROR(failed);
  if (count_all) {
    uint64_t total = 0;
    uint64_t candidates = 0;
    TRUC_RETURN_IF_ERROR(candidates_from(window.begin, [&](uint64_t sequence) {
      if (++candidates > kMaxCounted) return false;
      const StatusOr<StoredRecord> stored = log.Read(sequence);
      if (stored.ok() && matches(stored->record)) ++total;
      return true;
    }));
    TRUC_RETURN_IF_ERROR(failed);
    if (candidates <= kMaxCounted) response.set_total_matches(total);
  }
  return response;
}

grpc::Status AuditService::GetExchangeEvidence(grpc::ServerContext* context,
                                               const v1::ExchangeEvidenceRequest* request,
                                               v1::ExchangeEvidence* response) {
  return rpc::ToGrpcStatus([&]() -> Status {
    TRUC_ASSIGN_OR_RETURN(const AuditorScope* scope, ScopeOf(*context));
    if (request->message_id().empty()) {
      return InvalidArgumentError("message_id: empty", "audit.bad_request");
    }
    const std::optional<v1::SignedTreeHead> head = sealer_.Latest();
    std::vector<StoredRecord> found;
    TRUC_ASSIGN_OR_RETURN(const std::vector<uint64_t> positions,
                          log_.FindMessage(request->message_id()));
    for (const uint64_t sequence : positions) {
      TRUC_ASSIGN_OR_RETURN(StoredRecord stored, log_.Read(sequence));
      if (InScope(stored.record, *scope)) found.push_back(std::move(stored));
    }
    if (found.empty()) {
      const uint64_t pruned = log_.pruned_before();
      return NotFoundError(
          fmt::format("no exchange with message id \"{}\" in this log (within your scope){}",
                      request->message_id(),
                      pruned == 0 ? ""
                                  : fmt::format("; records before {} were pruned after they were "
                                                "archived: look in the archives",
                                                pruned)),
          "audit.no_such_exchange");
    }
    const uint64_t last = found.back().record.sequence();
    if (!head.has_value() || head->head().size() <= last) {
      return FailedPreconditionError(
          fmt::format("record {} is not yet covered by a sealed tree head; try again after the "
                      "next seal interval",
                      last),
          std::string(kNotSealed));
    }
    for (const StoredRecord& stored : found) {
      v1::ProvenRecord& proven = *response->add_records();
      AddRecord(stored, *proven.mutable_record());
      TRUC_ASSIGN_OR_RETURN(const std::vector<std::string> path,
                            log_.InclusionProof(stored.record.sequence(), head->head().size()));
      for (const std::string& hash : path) proven.add_audit_path(hash);
    }
    response->set_server_id(options_.server_id);
    *response->mutable_head() = *head;
    TRUC_ASSIGN_OR_RETURN(*response->mutable_signed_configuration(),
                          options_.signed_configuration());
    return OkStatus();
  }());
}

grpc::Status AuditService::ExportSegment(grpc::ServerContext* context,
                                         const v1::ExportSegmentRequest* request,
                                         grpc::ServerWriter<v1::ArchiveChunk>* writer) {
  return rpc::ToGrpcStatus([&]() -> Status {
    TRUC_ASSIGN_OR_RETURN(const AuditorScope* scope, ScopeOf(*context));
    TRUC_ASSIGN_OR_RETURN(std::string configuration, options_.signed_configuration());
    SegmentSpec spec{
        .first = request->first(),
        .end = request->end(),
        .server_id = options_.server_id,
        .signed_configuration = std::move(configuration),
        .in_scope = [scope](const v1::AuditRecord& record) { return InScope(record, *scope); }};
    v1::ArchiveChunk chunk;
    const auto flush = [&]() -> Status {
      if (!writer->Write(chunk)) {
        return Status(StatusCode::kCancelled, "the auditor stopped reading the archive");
      }
      chunk.clear_data();
      return OkStatus();
    };
    TRUC_RETURN_IF_ERROR(
        audit::ExportSegment(log_, store_, std::move(spec), [&](std::string_view bytes) -> Status {
          // No chunk exceeds kChunkBytes, however large a record is.
          while (!bytes.empty()) {
            const size_t room = kChunkBytes - chunk.data().size();
            chunk.mutable_data()->append(bytes.substr(0, room));
            bytes.remove_prefix(std::min(room, bytes.size()));
            if (chunk.data().size() < kChunkBytes) continue;
            if (Status flushed = flush(); !flushed.ok()) return flushed;
          }
          return OkStatus();
        }));
    return chunk.data().empty() ? OkStatus() : flush();
  }());
}

grpc::Status AuditService::ListSealedHeads(grpc::ServerContext* context,
                                           const v1::SealedHeadsRequest* request,
                                           v1::SealedHeadsResponse* response) {
  return rpc::ToGrpcStatus([&]() -> Status {
    TRUC_RETURN_IF_ERROR(ScopeOf(*context).status());
    const uint64_t max_size =
        request->max_size() == 0 ? std::numeric_limits<uint64_t>::max() : request->max_size();
    TRUC_ASSIGN_OR_RETURN(const std::vector<v1::SignedTreeHead> heads,
                          sealer_.SealedHeads(request->min_size(), max_size, kMaxHeads));
    for (const v1::SignedTreeHead& head : heads) *response->add_heads() = head;
    return OkStatus();
  }());
}

StatusOr<v1::SignedTreeHead> AuditService::SealedHeadAt(uint64_t size) const {
  TRUC_ASSIGN_OR_RETURN(std::vector<v1::SignedTreeHead> heads, sealer_.SealedHeads(size, size, 1));
  if (heads.empty()) {
    return NotFoundError(fmt::format("no tree head was sealed at size {}", size),
                         "audit.no_sealed_head");
  }
  return std::move(heads.front());
}

grpc::Status AuditService::GetConsistencyProof(grpc::ServerContext* context,
                                               const v1::ConsistencyProofRequest* request,
                                               v1::ConsistencyProofResponse* response) {
  return rpc::ToGrpcStatus([&]() -> Status {
    TRUC_RETURN_IF_ERROR(ScopeOf(*context).status());
    const std::optional<v1::SignedTreeHead> latest = sealer_.Latest();
    if (!latest.has_value()) {
      return NotFoundError("no tree head has been sealed yet", "audit.no_sealed_head");
    }
    TRUC_ASSIGN_OR_RETURN(*response->mutable_old_head(), SealedHeadAt(request->old_size()));
    if (request->new_size() == 0) {
      *response->mutable_new_head() = *latest;
    } else {
      TRUC_ASSIGN_OR_RETURN(*response->mutable_new_head(), SealedHeadAt(request->new_size()));
    }
    TRUC_ASSIGN_OR_RETURN(const std::vector<std::string> proof,
                          log_.ConsistencyProof(response->old_head().head().size(),
                                                response->new_head().head().size()));
    for (const std::string& hash : proof) response->add_proof(hash);
    response->set_server_id(options_.server_id);
    TRUC_ASSIGN_OR_RETURN(*response->mutable_signed_configuration(),
                          options_.signed_configuration());
    return OkStatus();
  }());
}

}  // namespace truc::gateway::audit
