// Durable appends per second to the audit log: 1, 4 and 16 threads append exchanges at once to an
// AuditLog on RocksDB on disk, each Append returning once its batch is fsync'd. An exchange is two
// records of 3 to 4 KiB (a 1 KiB request body, a 2 KiB response body, header fields, and a
// signature with a two-certificate chain), as a REST call makes them.
//
// Usage: truc_audit_bench [DIRECTORY]
// The database goes into a fresh subdirectory of DIRECTORY (default: the current directory, so
// that it is on disk rather than on a tmpfs) and is removed afterwards.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench/bench_util.h"
#include "core/storage/rocksdb_store.h"
#include "gateway/audit/audit_log.h"

namespace truc::bench {
namespace {

constexpr int kAppendsPerThread = 200;

void AddHeader(v1::ExchangeMessage& message, std::string name, std::string value) {
  v1::Header* header = message.add_headers();
  header->set_name(std::move(name));
  header->set_value(std::move(value));
}

void FillMessage(v1::ExchangeMessage& message, const std::string& id, size_t body_bytes) {
  v1::MessageEvidence& evidence = *message.mutable_evidence();
  evidence.set_message_id(id);
  evidence.set_request_id("request-" + id);
  evidence.mutable_client()->set_subsystem_code("portal");
  evidence.mutable_service()->set_service_code("citizens");
  evidence.mutable_digests()->set_headers_sha256(std::string(32, 'h'));
  evidence.mutable_digests()->set_body_sha256(std::string(32, 'b'));
  v1::BatchSignature& signature = *message.mutable_signature();
  signature.set_merkle_root(std::string(32, 'r'));
  signature.mutable_signature()->set_value(std::string(72, 's'));
  signature.add_certificate_chain(std::string(700, 'c'));
  signature.add_certificate_chain(std::string(700, 'c'));
  AddHeader(message, "content-type", "application/json");
  message.set_body(std::string(body_bytes, 'x'));
}

gateway::ExchangeRecord Exchange(const std::string& id) {
  gateway::ExchangeRecord exchange;
  AddHeader(exchange.request, ":method", "POST");
  AddHeader(exchange.request, ":path", "/citizens/search");
  AddHeader(exchange.request, "x-road-userid", "VN079123456789");
  AddHeader(exchange.request, "x-road-issue", "HS-2026-001");
  FillMessage(exchange.request, id, 1024);
  AddHeader(exchange.response.emplace(), ":status", "200");
  FillMessage(*exchange.response, id, 2048);
  exchange.started = std::chrono::system_clock::now();
  exchange.finished = exchange.started + std::chrono::milliseconds(20);
  return exchange;
}

int Run(const std::string& parent) {
  std::string pattern = parent + "/audit-bench-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    fmt::print(stderr, "cannot make a directory in {}\n", parent);
    return 1;
  }
  const std::string dir = pattern;
  int exit_code = 0;
  {
    auto store = storage::RocksDbStore::Open(dir + "/db");
    if (!store.ok()) {
      fmt::print(stderr, "{}\n", store.status().ToString());
      return 1;
    }
    std::atomic<uint64_t> writes{0};
    gateway::audit::AuditLogOptions options;
    options.on_durable = [&](const gateway::audit::TreeHead&) { ++writes; };
    auto log = gateway::audit::AuditLog::Open(**store, std::move(options));
    if (!log.ok()) {
      fmt::print(stderr, "{}\n", log.status().ToString());
      return 1;
    }
    const gateway::ExchangeRecord exchange = Exchange("bench");
    fmt::print("durable audit log appends (one exchange, two records, each) on RocksDB in {}\n",
               dir);
    for (const int appenders : {1, 4, 16}) {
      std::atomic<int> failures{0};
      const uint64_t writes_before = writes.load();
      const double seconds = BestSeconds(1, [&] {
        std::vector<std::thread> threads;
        threads.reserve(appenders);
        for (int t = 0; t < appenders; ++t) {
          threads.emplace_back([&] {
            for (int i = 0; i < kAppendsPerThread; ++i) {
              if (!(*log)->Append(exchange).ok()) ++failures;
            }
          });
        }
        for (std::thread& thread : threads) thread.join();
      });
      const size_t appends = static_cast<size_t>(appenders) * kAppendsPerThread;
      Report(fmt::format(
                 "{:>2} appenders, {:.1f} appends per write", appenders,
                 static_cast<double>(appends) / static_cast<double>(writes.load() - writes_before)),
             appends, "appends", seconds);
      if (failures.load() > 0) {
        fmt::print(stderr, "{} appends failed\n", failures.load());
        exit_code = 1;
      }
    }
  }
  std::error_code removed;
  std::filesystem::remove_all(dir, removed);
  return exit_code;
}

}  // namespace
}  // namespace truc::bench

int main(int argc, char** argv) { return truc::bench::Run(argc > 1 ? argv[1] : "."); }
