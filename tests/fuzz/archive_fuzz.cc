// An audit archive as an auditor receives it (a file, or the audit API's stream): read part by
// part, then verified in full against the auditor's anchor. Damage is reported, never a crash or
// an allocation of what a damaged length announces. Fresh seeds: an archive of a small log of
// this run's throwaway federation.
#include <sstream>

#include "core/storage/memory_store.h"
#include "gateway/audit/archive.h"
#include "gateway/audit/audit_log.h"
#include "gateway/audit/evidence_verifier.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/gateway/audit/test_exchanges.h"
#include "truc/v1/tree_head.pb.h"

namespace {

truc::gateway::audit::testing::TestExchanges& Exchanges() {
  static auto* const exchanges = new truc::gateway::audit::testing::TestExchanges();
  return *exchanges;
}

// Counts what it is shown, touching every part.
struct Visitor final : truc::gateway::audit::ArchiveVisitor {
  void Header(const truc::v1::AuditSegmentHeader& header,
              truc::gateway::audit::ArchiveSpan) override {
    parts += header.heads_size();
  }
  void Entry(truc::gateway::audit::ArchiveEntry& entry,
             truc::gateway::audit::ArchiveSpan) override {
    parts += entry.record.empty() ? 0 : 1;
    parts += entry.TakeLogged().ok() ? 1 : 0;
  }
  size_t parts = 0;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace truc::gateway::audit;
  truc::storage::MemoryStore store;
  std::unique_ptr<AuditLog> log = AuditLog::Open(store, {}).value();
  testing::TestExchanges& exchanges = Exchanges();
  for (int i = 0; i < 3; ++i) {
    const auto side = i % 2 == 0 ? truc::gateway::ExchangeRecord::Side::kConsumer
                                 : truc::gateway::ExchangeRecord::Side::kProvider;
    (void)log->Append(i == 2 ? exchanges.Failed(side, "m-" + std::to_string(i))
                             : exchanges.Answered(side, "m-" + std::to_string(i)));
  }
  const TreeHead head = log->Head();
  truc::v1::SignedTreeHead sealed;
  sealed.mutable_head()->set_size(head.size);
  sealed.mutable_head()->set_root_hash(head.root);
  const std::string key =
      "sth/" + std::string(20 - std::to_string(head.size).size(), '0') + std::to_string(head.size);
  truc::storage::WriteBatch write;
  write.Put(key, sealed.SerializeAsString());
  write.Put("sth-latest", key);
  (void)store.Write(write, /*sync=*/false);
  std::string archive;
  (void)ExportSegment(*log, store, {.server_id = "VN/GOV/000900/gw1"}, [&](std::string_view bytes) {
    archive += bytes;
    return truc::OkStatus();
  });
  truc::fuzz::WriteFreshSeeds("archive", {archive});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  {
    std::istringstream in(bytes);
    Visitor visitor;
    (void)truc::gateway::audit::ReadArchive(in, visitor);
  }
  std::istringstream in(bytes);
  const truc::gateway::audit::VerifyReport report =
      truc::gateway::audit::VerifyArchive(in, Exchanges().trust(), Exchanges().clock().Now());
  (void)report;
  return 0;
}
