// Throughput of timestamping: the TSA answering queries (in process, and over HTTP on loopback
// with the client verifying every reply), and batch timestamping, where one token covers the
// Merkle root of many items.
//
//   truc_timestamp_bench [queries] [batch_items]      defaults 2000 and 10000
#include <atomic>
#include <cstdlib>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "core/base/worker_pool.h"
#include "core/crypto/digest.h"
#include "core/pki/certificate_authority.h"
#include "core/timestamp/batch_timestamp.h"
#include "core/timestamp/timestamp_authority.h"
#include "core/timestamp/timestamper.h"
#include "core/timestamp/tsa_http_service.h"

namespace truc::timestamp {
namespace {

template <typename T>
T OrDie(StatusOr<T> value) {
  if (!value.ok()) {
    fmt::print(stderr, "benchmark setup failed: {}\n", value.status().ToString());
    std::exit(1);
  }
  return *std::move(value);
}

struct Federation {
  Federation() {
    const pki::ProfileOptions now{.now = SystemClock::Instance().Now()};
    root_key.emplace(OrDie(crypto::PrivateKey::Generate(crypto::KeyType::kEcP256)));
    root.emplace(OrDie(pki::IssueRootCertificate({{"CN", "Bench Root CA"}}, *root_key, now)));
    crypto::PrivateKey tsa_key = OrDie(crypto::PrivateKey::Generate(crypto::KeyType::kEcP256));
    tsa_certificate.emplace(
        OrDie(pki::IssueWithProfile(pki::Profile::kTimestampAuthority, {{"CN", "VN/GOV/000001"}},
                                    tsa_key.public_key(), now, *root, *root_key)));
    TsaOptions options;
    options.policy_oid = "1.3.6.1.4.1.99999.1.1";
    authority = OrDie(TimestampAuthority::Create(
        options, std::move(tsa_key), {*tsa_certificate},
        OrDie(SerialCounter::Open(fmt::format("/tmp/truc-bench-{}.serial", getpid()))),
        SystemClock::Instance()));
  }
  ~Federation() { std::remove(fmt::format("/tmp/truc-bench-{}.serial", getpid()).c_str()); }

  TimestampVerifier Verifier() const {
    return OrDie(
        TimestampVerifier::Create({*tsa_certificate}, OrDie(crypto::TrustStore::Create({*root}))));
  }

  std::optional<crypto::PrivateKey> root_key;
  std::optional<crypto::Certificate> root;
  std::optional<crypto::Certificate> tsa_certificate;
  std::unique_ptr<TimestampAuthority> authority;
};

// Runs `per_thread` calls of `work` on each of `threads` threads; returns seconds.
template <typename Work>
double Parallel(int threads, int per_thread, Work work) {
  return bench::BestSeconds(3, [&] {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        for (int i = 0; i < per_thread; ++i) work();
      });
    }
    for (std::thread& thread : pool) thread.join();
  });
}

void Run(int queries, int batch_items) {
  Federation federation;
  const std::string query =
      OrDie(MakeTimestampQuery(crypto::Sha256("bench"), std::string("\x01\x02\x03\x04", 4)));
  fmt::print("Timestamping benchmark ({} queries, batches of {} items)\n", queries, batch_items);

  for (int threads : {1, 2}) {
    const double seconds = Parallel(threads, queries / threads, [&] {
      if (!federation.authority->Respond(query).ok()) std::abort();
    });
    bench::Report(fmt::format("TSA in process, {} thread(s)", threads), queries, "timestamps",
                  seconds);
  }

  WorkerPool workers(2);
  auto server =
      OrDie(net::HttpServer::Start({}, MakeTsaHttpHandler(*federation.authority, workers)));
  const std::string url = "http://" + server->endpoint() + "/";
  auto client = OrDie(HttpTimestamper::Create({url}, federation.Verifier()));
  for (int threads : {1, 4}) {
    const double seconds = Parallel(threads, queries / 4 / threads, [&] {
      if (!client->Timestamp(crypto::Sha256("item")).ok()) std::abort();
    });
    bench::Report(fmt::format("TSA over HTTP + client verification, {} client(s)", threads),
                  queries / 4, "timestamps", seconds);
  }

  std::vector<std::string> digests;
  for (int i = 0; i < batch_items; ++i) digests.push_back(crypto::Sha256(std::to_string(i)));
  const double batch_seconds = bench::BestSeconds(3, [&] {
    if (!TimestampBatch(*client, digests).ok()) std::abort();
  });
  bench::Report("batch over HTTP: tree + 1 timestamp + all proofs", digests.size(), "items",
                batch_seconds);
  server->Stop();
}

}  // namespace
}  // namespace truc::timestamp

int main(int argc, char** argv) {
  const int queries = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int batch_items = argc > 2 ? std::atoi(argv[2]) : 10'000;
  truc::timestamp::Run(queries, batch_items);
  return 0;
}
