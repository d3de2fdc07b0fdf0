// Exchanges per second and their latency through two real gateways on loopback (consumer and
// provider processes, signing, verification, mutual TLS 1.3, the audit log), compared with
// calling the backend directly, and with the same two gateways running with their audit log
// switched off ([audit] enabled = false), which shows what the evidence costs. REST calls open a
// new connection each; each gRPC client keeps one channel.
//
//   build/bench/truc_gateway_bench [calls per client, default 200]
#include <algorithm>
#include <cstdlib>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "tests/support/gateway_federation.h"

namespace truc::bench {
namespace {

using Call = std::function<bool()>;

// Runs `clients` threads that each make `calls` calls; prints throughput and latency percentiles.
void Measure(std::string_view what, int clients, int calls, const std::function<Call()>& client) {
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<int> failures{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      const Call call = client();
      for (int i = 0; i < calls; ++i) {
        const auto begin = std::chrono::steady_clock::now();
        if (!call()) ++failures;
        latencies[c].push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
                .count());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (const auto& per_client : latencies)
    all.insert(all.end(), per_client.begin(), per_client.end());
  std::sort(all.begin(), all.end());
  const auto percentile = [&](double p) { return all[static_cast<size_t>(p * (all.size() - 1))]; };
  fmt::print("{:<44} {:>3} clients {:>8.0f} calls/s   p50 {:>6.2f} ms   p99 {:>6.2f} ms{}\n", what,
             clients, all.size() / seconds, percentile(0.5), percentile(0.99),
             failures > 0 ? fmt::format("   ({} FAILED)", failures.load()) : "");
}

// The calls an information system makes through the consumer's gateway of `federation`.
struct GatewayCalls {
  // Over REST r1, with a new connection for each call.
  std::function<Call()> rest;
  // Over the gRPC service API, with one channel for each client.
  std::function<Call()> grpc;
};

GatewayCalls CallsThrough(const testing::GatewayFederation& federation) {
  const std::string rest_url = fmt::format("http://{}/r1/{}/citizens/079123456789",
                                           federation.rest_endpoint(), testing::kCitizens);
  net::HttpHeaders rest_headers;
  rest_headers.Add("X-Road-Client", testing::kClient);
  rest_headers.Add("X-Road-UserId", "VN079123456789");
  rest_headers.Add("X-Road-Issue", "HS-2026-000123");
  return {
      .rest =
          [rest_url, rest_headers] {
            return [rest_url, rest_headers] {
              const auto response = net::HttpFetch("GET", rest_url, rest_headers, "");
              return response.ok() && response->status == 200;
            };
          },
      .grpc =
          [&federation] {
            return [stub = std::shared_ptr(federation.GrpcApi())] {
              v1::CallRequest request;
              *request.mutable_client() =
                  ids::ToProto(ids::SubsystemId::Parse(testing::kClient).value());
              *request.mutable_service() =
                  ids::ToProto(ids::ServiceId::Parse(testing::kCitizens).value());
              request.set_user_id("VN079123456789");
              request.set_purpose("HS-2026-000123");
              request.set_path("/citizens/079123456789");
              grpc::ClientContext context;
              context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
              v1::CallResponse response;
              return stub->Call(&context, request, &response).ok() && response.status() == 200;
            };
          },
  };
}

}  // namespace
}  // namespace truc::bench

int main(int argc, char** argv) {
  using namespace truc;
  const int calls = argc > 1 ? std::atoi(argv[1]) : 200;
  // Two federations, identical but for the gateways' audit log: the difference between them is
  // what the evidence costs (durable records, sealing and timestamping).
  const testing::GatewayFederation logged({.provider_rate = 1e9});
  const testing::GatewayFederation unlogged({.provider_rate = 1e9, .audit_enabled = false});
  const bench::GatewayCalls with_log = bench::CallsThrough(logged);
  const bench::GatewayCalls without_log = bench::CallsThrough(unlogged);
  const std::string backend_url =
      fmt::format("http://{}/api/citizens/079123456789", logged.backend_endpoint());

  for (const int clients : {1, 8, 32}) {
    bench::Measure("backend directly (HTTP, new connection each)", clients, calls, [&] {
      return [&] {
        const auto response = net::HttpFetch("GET", backend_url, {}, "");
        return response.ok() && response->status == 200;
      };
    });
    bench::Measure("REST r1 via 2 gateways, audit log on", clients, calls, with_log.rest);
    bench::Measure("REST r1 via 2 gateways, audit log off", clients, calls, without_log.rest);
    bench::Measure("gRPC API via 2 gateways, audit log on", clients, calls, with_log.grpc);
    bench::Measure("gRPC API via 2 gateways, audit log off", clients, calls, without_log.grpc);
  }
  return 0;
}
