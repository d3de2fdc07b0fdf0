// What a stopped gateway of a GatewayFederation logged, read straight from its store.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/storage/rocksdb_store.h"
#include "gateway/audit/audit_log.h"
#include "tests/support/gateway_federation.h"

namespace truc::testing {

// The records of gateway `name` ("consumer" or "provider", stopped) that `keep` selects (all when
// it is empty), once its log verifies.
inline std::vector<v1::AuditRecord> LoggedRecords(
    const GatewayFederation& federation, const std::string& name,
    const std::function<bool(const v1::AuditRecord&)>& keep = nullptr) {
  INFO(name);
  std::unique_ptr<storage::RocksDbStore> store =
      storage::RocksDbStore::Open(federation.StorePath(name)).value();
  std::unique_ptr<gateway::audit::AuditLog> log =
      gateway::audit::AuditLog::Open(*store, {}).value();
  const Status verified = log->Verify();
  INFO(verified.ToString());
  CHECK(verified.ok());
  std::vector<v1::AuditRecord> records;
  REQUIRE(log->Scan(0, UINT64_MAX,
                    [&](const gateway::audit::StoredRecord& stored) {
                      if (keep == nullptr || keep(stored.record)) records.push_back(stored.record);
                      return true;
                    })
              .ok());
  return records;
}

}  // namespace truc::testing
