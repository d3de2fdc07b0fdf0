#include "cli/audit_source.h"

#include <fstream>

#include <fmt/format.h>

#include "core/base/file.h"
#include "core/config/config.h"
#include "core/daemon/daemon.h"
#include "core/storage/rocksdb_store.h"
#include "gateway/audit/record_filter.h"
#include "truc/v1/gateway_audit.grpc.pb.h"

namespace truc::cli {
namespace {

using Stub = v1::GatewayAudit::Stub;

// Archives can be long: their download gets more time than other calls.
constexpr std::chrono::minutes kArchiveDeadline{30};

class RemoteAuditSource final : public AuditSource {
 public:
  explicit RemoteAuditSource(AdminClient<Stub> client) : client_(std::move(client)) {}

  StatusOr<v1::QueryExchangesResponse> Query(const v1::QueryExchangesRequest& request) override {
    return client_.Call(&Stub::QueryExchanges, request);
  }

  StatusOr<v1::ExchangeEvidence> Evidence(const std::string& message_id) override {
    v1::ExchangeEvidenceRequest request;
    request.set_message_id(message_id);
    return client_.Call(&Stub::GetExchangeEvidence, request);
  }

  StatusOr<v1::SealedHeadsResponse> Heads(uint64_t min_size, uint64_t max_size) override {
    v1::SealedHeadsRequest request;
    request.set_min_size(min_size);
    request.set_max_size(max_size);
    return client_.Call(&Stub::ListSealedHeads, request);
  }

  StatusOr<v1::ConsistencyProofResponse> Consistency(uint64_t old_size,
                                                     uint64_t new_size) override {
    v1::ConsistencyProofRequest request;
    request.set_old_size(old_size);
    request.set_new_size(new_size);
    return client_.Call(&Stub::GetConsistencyProof, request);
  }

  Status Archive(uint64_t first, uint64_t end, const gateway::audit::ArchiveSink& sink) override {
    v1::ExportSegmentRequest request;
    request.set_first(first);
    request.set_end(end);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kArchiveDeadline);
    std::unique_ptr<grpc::ClientReader<v1::ArchiveChunk>> reader =
        client_.stub().ExportSegment(&context, request);
    v1::ArchiveChunk chunk;
    Status written = OkStatus();
    while (written.ok() && reader->Read(&chunk)) written = sink(chunk.data());
    if (!written.ok()) {
      context.TryCancel();
      reader->Finish();
      return written;
    }
    const grpc::Status status = reader->Finish();
    return status.ok() ? OkStatus() : client_.channel().CallFailure(status);
  }

 private:
  AdminClient<Stub> client_;
};

// Queries an archive by reading it through, from the position the page token names.
class QueryCollector final : public gateway::audit::ArchiveVisitor {
 public:
  QueryCollector(const gateway::audit::RecordFilter& filter, uint64_t from, uint32_t page_size,
                 v1::QueryExchangesResponse& response)
      : filter_(filter), from_(from), page_size_(page_size), response_(response) {}

  void Header(const v1::AuditSegmentHeader&, gateway::audit::ArchiveSpan) override {}
  void Entry(gateway::audit::ArchiveEntry& entry, gateway::audit::ArchiveSpan) override {
    if (entry.sequence < from_ || entry.record.empty()) return;
    if (full_) {
      if (response_.next_page_token().empty()) {
        response_.set_next_page_token(std::to_string(entry.sequence));
      }
      return;
    }
    StatusOr<std::string> bytes = entry.TakeLogged();
    v1::AuditRecord record;
    if (!bytes.ok() || !record.ParseFromString(*bytes)) {
      v1::UnreadableRecord& skipped = *response_.add_unreadable();
      skipped.set_sequence(entry.sequence);
      skipped.set_problem(fmt::format("record {} does not parse", entry.sequence));
      return;
    }
    if (!filter_.Matches(record)) return;
    v1::LoggedRecord& logged = *response_.add_records();
    logged.set_sequence(entry.sequence);
    logged.set_record(*std::move(bytes));
    full_ = response_.records_size() >= static_cast<int>(page_size_);
  }

 private:
  const gateway::audit::RecordFilter& filter_;
  const uint64_t from_;
  const uint32_t page_size_;
  v1::QueryExchangesResponse& response_;
  bool full_ = false;
};

// Keeps an archive's header.
struct HeaderReader final : public gateway::audit::ArchiveVisitor {
  void Header(const v1::AuditSegmentHeader& read, gateway::audit::ArchiveSpan) override {
    header = read;
  }
  void Entry(gateway::audit::ArchiveEntry&, gateway::audit::ArchiveSpan) override {}

  v1::AuditSegmentHeader header;
};

class ArchiveAuditSource final : public AuditSource {
 public:
  explicit ArchiveAuditSource(std::string path) : path_(std::move(path)) {}

  StatusOr<v1::QueryExchangesResponse> Query(const v1::QueryExchangesRequest& request) override {
    TRUC_ASSIGN_OR_RETURN(const gateway::audit::RecordFilter filter,
                          gateway::audit::RecordFilter::Create(request.filter()));
    StatusOr<uint64_t> parsed = gateway::audit::ParsePageToken(request.page_token());
    if (!parsed.ok()) return parsed.status().Annotate("--page-token");
    const uint64_t from = *parsed;
    v1::QueryExchangesResponse response;
    QueryCollector collector(filter, from, request.page_size() == 0 ? 100 : request.page_size(),
                             response);
    TRUC_ASSIGN_OR_RETURN(std::ifstream in, Open());
    TRUC_RETURN_IF_ERROR(gateway::audit::ReadArchive(in, collector).Annotate(path_));
    return response;
  }

  StatusOr<v1::ExchangeEvidence> Evidence(const std::string& message_id) override {
    TRUC_ASSIGN_OR_RETURN(std::ifstream in, Open());
    return gateway::audit::ExchangeEvidenceFromArchive(in, message_id);
  }

  StatusOr<v1::SealedHeadsResponse> Heads(uint64_t min_size, uint64_t max_size) override {
    HeaderReader header;
    TRUC_ASSIGN_OR_RETURN(std::ifstream in, Open());
    TRUC_RETURN_IF_ERROR(gateway::audit::ReadArchive(in, header).Annotate(path_));
    v1::SealedHeadsResponse response;
    for (const v1::SignedTreeHead& head : header.header.heads()) {
      if (head.head().size() >= min_size && (max_size == 0 || head.head().size() <= max_size)) {
        *response.add_heads() = head;
      }
    }
    return response;
  }

  Status Archive(uint64_t, uint64_t, const gateway::audit::ArchiveSink& sink) override {
    TRUC_ASSIGN_OR_RETURN(std::ifstream in, Open());
    std::string buffer(1 << 20, '\0');
    while (in) {
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      TRUC_RETURN_IF_ERROR(sink(std::string_view(buffer.data(), in.gcount())));
    }
    return OkStatus();
  }

 private:
  StatusOr<std::ifstream> Open() const {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return NotFoundError(fmt::format("cannot open the archive {}", path_));
    return in;
  }

  const std::string path_;
};

// A gateway's data directory: its RocksDB store and cached global configuration.
class StoreAuditSource final : public AuditSource {
 public:
  static StatusOr<std::unique_ptr<AuditSource>> Open(const std::string& config_file) {
    TRUC_ASSIGN_OR_RETURN(config::ConfigDocument document,
                          config::ConfigDocument::FromFile(config_file));
    config::ConfigTable root = document.root();
    TRUC_ASSIGN_OR_RETURN(std::string server_id, root.GetString("server_id"));
    TRUC_ASSIGN_OR_RETURN(const std::string data_dir, root.GetString("data_dir"));
    auto source = std::unique_ptr<StoreAuditSource>(
        new StoreAuditSource(daemon::ResolvePath(config_file, data_dir), std::move(server_id)));
    TRUC_ASSIGN_OR_RETURN(source->store_, storage::RocksDbStore::Open(
                                              source->data_dir_ + "/store",
                                              {.create_if_missing = false, .read_only = true}));
    TRUC_ASSIGN_OR_RETURN(source->log_, gateway::audit::AuditLog::Open(*source->store_, {}));
    return std::unique_ptr<AuditSource>(std::move(source));
  }

  StatusOr<v1::QueryExchangesResponse> Query(const v1::QueryExchangesRequest&) override {
    return Unsupported();
  }
  StatusOr<v1::ExchangeEvidence> Evidence(const std::string&) override { return Unsupported(); }
  StatusOr<v1::SealedHeadsResponse> Heads(uint64_t min_size, uint64_t max_size) override {
    TRUC_ASSIGN_OR_RETURN(const std::vector<v1::SignedTreeHead> heads,
                          gateway::audit::ReadSealedHeads(
                              *store_, min_size, max_size == 0 ? UINT64_MAX : max_size, 1000));
    v1::SealedHeadsResponse response;
    for (const v1::SignedTreeHead& head : heads) *response.add_heads() = head;
    return response;
  }

  Status Archive(uint64_t first, uint64_t end, const gateway::audit::ArchiveSink& sink) override {
    TRUC_ASSIGN_OR_RETURN(std::string configuration, ReadFile(data_dir_ + "/globalconf.signed"));
    return gateway::audit::ExportSegment(*log_, *store_,
                                         {.first = first,
                                          .end = end,
                                          .server_id = server_id_,
                                          .signed_configuration = std::move(configuration)},
                                         sink);
  }

  Status VerifyStorage() override {
    TRUC_RETURN_IF_ERROR(store_->VerifyChecksums());
    return log_->Verify(nullptr, gateway::audit::AuditLog::VerifyScope::kTreeOnly);
  }

  std::optional<gateway::audit::VerifyReport> VerifyInPlace(
      uint64_t first, uint64_t end, const crypto::TrustStore& anchors,
      const gateway::audit::VerifyProgress& progress) override {
    StatusOr<std::string> configuration = ReadFile(data_dir_ + "/globalconf.signed");
    if (!configuration.ok()) {
      gateway::audit::VerifyReport report;
      report.server_id = server_id_;
      report.problems.push_back(
          {"the gateway's configuration", std::string(configuration.status().message())});
      return report;
    }
    return gateway::audit::VerifyStoredLog(*log_, *store_,
                                           {.first = first,
                                            .end = end,
                                            .server_id = server_id_,
                                            .signed_configuration = *std::move(configuration)},
                                           anchors, SystemClock::Instance().Now(), progress);
  }

 private:
  StoreAuditSource(std::string data_dir, std::string server_id)
      : data_dir_(std::move(data_dir)), server_id_(std::move(server_id)) {}

  static Status Unsupported() {
    return InvalidArgumentError(
        "a gateway's store can be verified, archived and its heads listed; to query it, archive it "
        "(truc audit "
        "--gateway-config FILE archive --out ARCHIVE) and read the archive",
        "cli.bad_arguments");
  }

  const std::string data_dir_;
  const std::string server_id_;
  std::unique_ptr<storage::RocksDbStore> store_;
  std::unique_ptr<gateway::audit::AuditLog> log_;
};

}  // namespace

StatusOr<std::unique_ptr<AuditSource>> OpenStoreAuditSource(const std::string& config_file) {
  return StoreAuditSource::Open(config_file);
}

StatusOr<std::unique_ptr<AuditSource>> OpenRemoteAuditSource(const ConnectionOptions& connection) {
  TRUC_ASSIGN_OR_RETURN(AdminClient<Stub> client, AdminClient<Stub>::Open(connection));
  return std::unique_ptr<AuditSource>(new RemoteAuditSource(std::move(client)));
}

StatusOr<std::unique_ptr<AuditSource>> OpenArchiveAuditSource(const std::string& path) {
  return std::unique_ptr<AuditSource>(new ArchiveAuditSource(path));
}

}  // namespace truc::cli
