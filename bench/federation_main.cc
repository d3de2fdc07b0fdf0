// Two federations of real gateways for the benchmark suite (bench/run.sh), identical but for the
// audit log: each a consumer's and a provider's gateway (processes), a global configuration
// server and an RFC 3161 TSA, with the citizens service's backend at --backend. Writes their
// endpoints, process ids and start-to-ready times to --out as JSON, then runs until SIGINT or
// SIGTERM, and stops every process it started.
//
//   truc_bench_federation --backend http://127.0.0.1:9000/api --out federation.json
#include <csignal>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/base/file.h"
#include "tests/support/gateway_federation.h"

namespace truc::bench {
namespace {

nlohmann::json Describe(testing::GatewayFederation& federation) {
  nlohmann::json gateways;
  for (const std::string name : {"consumer", "provider"}) {
    gateways[name] = {
        {"pid", federation.GatewayPid(name)},
        {"start_to_ready_ms", federation.StartToReady(name).count() / 1000.0},
    };
  }
  return {{"rest", federation.rest_endpoint()},
          {"grpc", federation.grpc_endpoint()},
          {"client", testing::kClient},
          {"service", testing::kCitizens},
          {"gateways", gateways}};
}

}  // namespace
}  // namespace truc::bench

int main(int argc, char** argv) {
  using namespace truc;
  CLI::App app("Two benchmark federations of real gateways, until SIGINT or SIGTERM");
  std::string backend;
  std::string out;
  std::string consumer_settings;
  app.add_option("--backend", backend, "the citizens service's backend URL prefix")->required();
  app.add_option("--out", out, "where to write the endpoints (JSON)")->required();
  app.add_option("--consumer-settings", consumer_settings,
                 "lines appended to both consumers' [consumer] tables");
  CLI11_PARSE(app, argc, argv);

  // Blocked before any thread starts, so that only sigwait below receives them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  testing::FederationOptions options{.provider_rate = 1e9,
                                     .consumer_settings = consumer_settings,
                                     .citizens_backend_url = backend};
  testing::GatewayFederation logged(options);
  // The same, the consumer's member signing key on a SoftHSM2 token (issue "Keys in a hardware
  // security module").
  testing::FederationOptions on_token_options = options;
  on_token_options.consumer_signing_on_token = true;
  testing::GatewayFederation on_token(on_token_options);
  // The same, the gateways talking HTTP/1.1 of our own ([exchange] transport = "https").
  testing::FederationOptions https_options = options;
  https_options.exchange_transport = "https";
  testing::GatewayFederation over_https(https_options);
  // The same, the gateways talking gRPC (the default is HTTP/2 of our own).
  testing::FederationOptions grpc_options = options;
  grpc_options.exchange_transport = "grpc";
  testing::GatewayFederation over_grpc(grpc_options);
  options.audit_enabled = false;
  testing::GatewayFederation unlogged(options);
  const nlohmann::json description = {{"audit_on", bench::Describe(logged)},
                                      {"audit_on_hsm", bench::Describe(on_token)},
                                      {"audit_on_https", bench::Describe(over_https)},
                                      {"audit_on_grpc", bench::Describe(over_grpc)},
                                      {"audit_off", bench::Describe(unlogged)}};
  if (const Status written = WriteFileAtomically(out, description.dump(2) + "\n", 0644);
      !written.ok()) {
    std::fprintf(stderr, "%s\n", written.ToString().c_str());
    return 1;
  }
  int signal = 0;
  sigwait(&stop, &signal);
  return 0;
}
