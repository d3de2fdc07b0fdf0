// For the audit log's crash test: appends exchanges to an audit log on RocksDB from four threads
// until killed, and after each Append that succeeds writes the exchange's message id and a newline
// to the acknowledgement file, as a gateway answers its caller.
//
// Usage: truc_audit_crash_writer DATABASE_DIR ACK_FILE
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "core/storage/rocksdb_store.h"
#include "gateway/audit/audit_log.h"

namespace {

truc::gateway::ExchangeRecord Exchange(const std::string& message_id) {
  truc::gateway::ExchangeRecord exchange;
  exchange.request.mutable_evidence()->set_message_id(message_id);
  exchange.request.mutable_evidence()->set_request_id("request-" + message_id);
  truc::v1::Header* method = exchange.request.add_headers();
  method->set_name(":method");
  method->set_value("GET");
  exchange.request.set_body(std::string(1024, 'x'));
  exchange.outcome = truc::UnavailableError("no response", "Server.ClientProxy.NetworkError");
  return exchange;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    fmt::print(stderr, "usage: {} DATABASE_DIR ACK_FILE\n", argv[0]);
    return 2;
  }
  auto store = truc::storage::RocksDbStore::Open(argv[1]);
  if (!store.ok()) {
    fmt::print(stderr, "{}\n", store.status().ToString());
    return 1;
  }
  auto log = truc::gateway::audit::AuditLog::Open(**store, {});
  if (!log.ok()) {
    fmt::print(stderr, "{}\n", log.status().ToString());
    return 1;
  }
  const int acks = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (acks < 0) return 1;
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        const std::string id = fmt::format("t{}-{}", t, i);
        const truc::Status appended = (*log)->Append(Exchange(id));
        if (!appended.ok()) {
          fmt::print(stderr, "{}\n", appended.ToString());
          std::_Exit(1);
        }
        // One write per line: a kill never leaves half an acknowledgement.
        const std::string line = id + "\n";
        if (write(acks, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
          std::_Exit(1);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return 0;
}
