// Faults around two real gateways, as operators meet them: the registry down within and past the
// configuration's validity, a full disk under the provider's audit log, a slow and a dead backend,
// a dead, silent or stalling peer, peers with expired certificates. Each case checks what the
// caller saw, that no thread or descriptor piles up, and that what was acknowledged is in the logs,
// which still verify. (A gateway killed under load and a TSA outage are in gateway_test.cc.)
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <dirent.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include "core/base/file.h"
#include "tests/integration/logged_records.h"
#include "tests/support/gateway_federation.h"

namespace truc {
namespace {

using testing::GatewayFederation;

std::string ErrorType(const net::HttpResponse& response) {
  return response.headers.Get("X-Road-Error").value_or("");
}

// Threads and open descriptors of process `pid`.
struct Resources {
  int threads = 0;
  int descriptors = 0;
};

Resources ResourcesOf(pid_t pid) {
  Resources resources;
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("Threads:")) resources.threads = std::stoi(line.substr(8));
  }
  if (DIR* fds = opendir(fmt::format("/proc/{}/fd", pid).c_str())) {
    while (readdir(fds) != nullptr) ++resources.descriptors;
    closedir(fds);
  }
  return resources;
}

// Waits (up to 20 s) until gateway `name` holds no more threads and descriptors than `baseline`
// plus a little slack (the gRPC runtime's own pollers and channels come and go); the last count.
Resources SettledResources(GatewayFederation& federation, const std::string& name,
                           const Resources& baseline) {
  Resources now;
  for (int attempt = 0; attempt < 100; ++attempt) {
    now = ResourcesOf(federation.GatewayPid(name));
    if (now.threads <= baseline.threads + 4 && now.descriptors <= baseline.descriptors + 8) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return now;
}

TEST_CASE("With the registry down, gateways serve until their configuration expires, then refuse") {
  GatewayFederation federation;
  // A configuration valid for a few seconds more, then the registry goes away.
  federation.Publish(federation.Configuration(2, std::chrono::seconds(4)));
  const auto expires = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  federation.SetGlobalconfAvailable(false);
  CHECK(federation.CallCitizens("GET", "/citizens/1").status == 200);  // Within the validity.

  std::this_thread::sleep_until(expires + std::chrono::milliseconds(500));
  const net::HttpResponse refused = federation.CallCitizens("GET", "/citizens/2");
  INFO(refused.body);
  CHECK(refused.status == 500);
  CHECK(ErrorType(refused) == "Server.ClientProxy.OutdatedGlobalConf");

  // The registry returns with a fresh configuration: the gateways serve again, unattended.
  federation.SetGlobalconfAvailable(true);
  federation.Publish(federation.Configuration(3));
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    served = federation.CallCitizens("GET", "/citizens/3").status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  CHECK(served);
  federation.StopGateways();
  // The refused call left no record: each log holds the two exchanges that were served.
  for (const std::string name : {"consumer", "provider"}) {
    CHECK(testing::LoggedRecords(federation, name).size() == 4);
  }
}

TEST_CASE("A full disk under the provider's log refuses exchanges, and they resume once freed") {
  // The provider's store keeps 32 MiB free; the file system holds 64.
  GatewayFederation federation(
      {.provider_audit = "min_free_bytes = 33554432\n", .provider_data_tmpfs_mib = 64});
  std::set<std::string> acknowledged;
  const auto call = [&](int i) {
    const net::HttpResponse response = federation.CallCitizens(
        "POST", fmt::format("/citizens/{}/notes", i), {}, std::string(256 << 10, 'n'));
    if (response.status == 200) acknowledged.insert(response.headers.Get("X-Road-Id").value());
    return response;
  };
  REQUIRE(call(0).status == 200);

  // Fill the file system to the last byte.
  const std::string filler = federation.File("provider-data/filler");
  {
    std::FILE* file = std::fopen(filler.c_str(), "wb");
    REQUIRE(file != nullptr);
    const std::string chunk(1 << 20, 'f');
    while (std::fwrite(chunk.data(), 1, chunk.size(), file) == chunk.size()) {
    }
    std::fclose(file);
  }
  std::string refusal;
  for (int i = 1; i < 200 && refusal.empty(); ++i) {
    const net::HttpResponse response = call(i);
    if (response.status != 200) refusal = ErrorType(response);
  }
  CHECK(refusal == "Server.ServerProxy.LoggingFailed");

  // Space is freed: service resumes at once, unattended.
  std::filesystem::remove(filler);
  bool resumed = false;
  std::string last;
  for (int i = 1000; i < 1100 && !resumed; ++i) {
    const net::HttpResponse response = call(i);
    resumed = response.status == 200;
    last = response.body;
    if (!resumed) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  INFO(last);
  INFO(federation.GatewayOutput("provider"));
  CHECK(resumed);

  // Every exchange a caller was told succeeded is in both logs, which verify.
  federation.StopGateways();
  for (const std::string name : {"consumer", "provider"}) {
    INFO(name);
    std::set<std::string> logged;
    for (const v1::AuditRecord& record : testing::LoggedRecords(federation, name)) {
      if (record.kind() == v1::AuditRecord::KIND_RESPONSE) logged.insert(record.message_id());
    }
    for (const std::string& id : acknowledged) CHECK(logged.count(id) == 1);
  }
}

TEST_CASE("Slow and dead backends get clean errors, and leave no threads or descriptors behind") {
  GatewayFederation federation;
  REQUIRE(federation.CallCitizens("GET", "/citizens/1").status == 200);
  const Resources provider = ResourcesOf(federation.GatewayPid("provider"));
  const Resources consumer = ResourcesOf(federation.GatewayPid("consumer"));

  // Slower than the service's 5 s backend timeout, eight at once.
  std::vector<std::future<net::HttpResponse>> slow;
  for (int i = 0; i < 8; ++i) {
    slow.push_back(std::async(std::launch::async, [&federation] {
      return federation.CallCitizens("GET", "/citizens/slow-7000");
    }));
  }
  for (int i = 0; i < 8; ++i) {
    const net::HttpResponse dead = federation.Rest("GET", "/r1/VN/GOV/000100/population/down/x",
                                                   {{"X-Road-Client", testing::kClient}});
    CHECK(ErrorType(dead) == "Server.ServerProxy.ServiceFailed");
  }
  for (auto& call : slow) {
    const net::HttpResponse response = call.get();
    INFO(response.body);
    CHECK(ErrorType(response) == "Server.ServerProxy.Timeout");
  }
  const Resources provider_after = SettledResources(federation, "provider", provider);
  const Resources consumer_after = SettledResources(federation, "consumer", consumer);
  CHECK(provider_after.threads <= provider.threads + 4);
  CHECK(provider_after.descriptors <= provider.descriptors + 8);
  CHECK(consumer_after.threads <= consumer.threads + 4);
  CHECK(consumer_after.descriptors <= consumer.descriptors + 8);
  CHECK(federation.CallCitizens("GET", "/citizens/2").status == 200);
}

// Publishes a configuration (version `version`) in which the provider's gateway gw1 is at
// `address` with the TLS certificate `tls`.
void MoveProviderGateway(GatewayFederation& federation, uint64_t version,
                         const std::string& address, const testing::KeyAndCertificate& tls) {
  v1::GlobalConfiguration configuration = federation.Configuration(version);
  for (v1::Gateway& gateway : *configuration.mutable_gateways()) {
    if (gateway.id().server_code() == "gw1" && gateway.id().owner().member_code() == "000100") {
      gateway.set_address(address);
      gateway.clear_tls_certificate_fingerprints();
      gateway.add_tls_certificate_fingerprints(tls.certificate.Fingerprint());
    }
  }
  federation.Publish(configuration);
}

// The transports between gateways, for the tests that run over each.
std::string Transport() {
  std::string transport = GENERATE(as<std::string>{}, "grpc", "https", "http2");
  return transport;
}

TEST_CASE("A dead peer gets NetworkError at once, and the consumer recovers when it returns") {
  const std::string transport = Transport();
  INFO("transport " << transport);
  GatewayFederation federation({.exchange_transport = transport});
  REQUIRE(federation.CallCitizens("GET", "/citizens/1").status == 200);
  const Resources consumer = ResourcesOf(federation.GatewayPid("consumer"));
  federation.KillGateway("provider", SIGKILL);
  for (int i = 0; i < 8; ++i) {
    const net::HttpResponse refused = federation.CallCitizens("GET", "/citizens/2");
    INFO(refused.body);
    CHECK(ErrorType(refused) == "Server.ClientProxy.NetworkError");
  }
  const Resources after = SettledResources(federation, "consumer", consumer);
  CHECK(after.threads <= consumer.threads + 4);
  CHECK(after.descriptors <= consumer.descriptors + 8);
  federation.RestartGateway("provider");
  CHECK(federation.CallCitizens("GET", "/citizens/3").status == 200);
}

TEST_CASE("A peer that accepts connections but never answers costs a caller its deadline only") {
  const std::string transport = Transport();
  INFO("transport " << transport);
  GatewayFederation federation({.exchange_timeout = "3s", .exchange_transport = transport});
  // A listening socket nobody serves: connections wait in its backlog.
  const int silent = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  REQUIRE(listen(silent, 64) == 0);
  socklen_t length = sizeof(address);
  REQUIRE(getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  MoveProviderGateway(federation, 2, fmt::format("127.0.0.1:{}", ntohs(address.sin_port)),
                      federation.provider_tls());
  const Resources consumer = ResourcesOf(federation.GatewayPid("consumer"));
  for (int i = 0; i < 4; ++i) {
    const net::HttpResponse response = federation.CallCitizens("GET", "/citizens/1");
    INFO(response.body);
    const std::string type = ErrorType(response);
    CHECK((type == "Server.ClientProxy.Timeout" || type == "Server.ClientProxy.NetworkError"));
  }
  const Resources after = SettledResources(federation, "consumer", consumer);
  CHECK(after.threads <= consumer.threads + 4);
  CHECK(after.descriptors <= consumer.descriptors + 8);
  close(silent);
}

// A gateway exchange service that takes each request and then holds it until its caller gives
// up: a peer that stalls in the middle of an exchange.
class Stalling final : public v1::GatewayExchange::Service {
 public:
  grpc::Status Exchange(grpc::ServerContext* context, const v1::ExchangeMessage*,
                        v1::ExchangeMessage*) override {
    ++calls;
    while (!context->IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return grpc::Status::CANCELLED;
  }

  std::atomic<int> calls{0};
};

TEST_CASE("A peer that takes requests and then stalls costs its callers their deadline only") {
  const std::string transport = Transport();
  INFO("transport " << transport);
  GatewayFederation federation({.exchange_timeout = "3s", .exchange_transport = transport});
  REQUIRE(federation.CallCitizens("GET", "/citizens/0").status == 200);
  // The provider's own certificate, so that the consumer's gateway authenticates the peer and
  // sends it requests.
  Stalling stalling;
  // Over HTTPS: requests taken and never answered (dropped unanswered at the end).
  std::mutex held_mu;
  std::vector<net::HttpResponder> held;
  const std::string stalled_at =
      transport != "grpc" ? federation.ServeHttpsExchangeEndpoint(
                                federation.provider_tls(),
                                [&](net::HttpRequest, net::HttpResponder respond) {
                                  ++stalling.calls;
                                  std::lock_guard lock(held_mu);
                                  held.push_back(std::move(respond));
                                })
                          : federation.ServeExchangeEndpoint(federation.provider_tls(), &stalling);
  MoveProviderGateway(federation, 2, stalled_at, federation.provider_tls());
  const Resources consumer = ResourcesOf(federation.GatewayPid("consumer"));
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::future<net::HttpResponse>> calls;
  for (int i = 1; i <= 6; ++i) {
    calls.push_back(std::async(std::launch::async, [&federation, i] {
      return federation.CallCitizens("GET", fmt::format("/citizens/{}", i));
    }));
  }
  for (auto& call : calls) {
    const net::HttpResponse response = call.get();
    INFO(response.body);
    CHECK(ErrorType(response) == "Server.ClientProxy.Timeout");
  }
  // Six calls in parallel took about one deadline (3 s), not six; the bound is loose on purpose.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(15));
  CHECK(stalling.calls == 6);
  {
    std::lock_guard lock(held_mu);
    for (net::HttpResponder& respond : held) respond(net::MakeResponse(503, "text/plain", ""));
    held.clear();
  }
  const Resources after = SettledResources(federation, "consumer", consumer);
  CHECK(after.threads <= consumer.threads + 4);
  CHECK(after.descriptors <= consumer.descriptors + 8);

  // The consumer's log holds each request it signed and the timeout as its outcome, and verifies.
  federation.StopGateways();
  int timeouts = 0;
  for (const v1::AuditRecord& record : testing::LoggedRecords(federation, "consumer")) {
    if (record.kind() == v1::AuditRecord::KIND_FAILURE) {
      CHECK(record.error_type() == "Server.ClientProxy.Timeout");
      ++timeouts;
    }
  }
  CHECK(timeouts == 6);
}

// The parts that call the provider's exchange port themselves do so with gRPC stubs, holding a
// connection across a new configuration: these federations talk gRPC. The checks are the
// transport's common code (PeerCheckForGateways at the handshake, AuthenticateGateway on every
// request); gateway_test.cc runs the exchange over each transport.
TEST_CASE("Expired gateway certificates are refused on both sides of an exchange") {
  GatewayFederation federation({.exchange_transport = "grpc"});
  REQUIRE(federation.CallCitizens("GET", "/citizens/1").status == 200);
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(SystemClock::Instance().Now());
  const auto expired = [&](const char* server) {
    return federation.pki().IssueAt(pki::Profile::kGatewayTls, server, {"IP:127.0.0.1"},
                                    now - std::chrono::days(60), std::chrono::days(30));
  };

  SECTION("the consumer's gateway refuses a provider whose certificate expired") {
    const testing::KeyAndCertificate provider = expired("VN/GOV/000100/gw1");
    Stalling never_reached;
    MoveProviderGateway(federation, 2, federation.ServeExchangeEndpoint(provider, &never_reached),
                        provider);
    const net::HttpResponse refused = federation.CallCitizens("GET", "/citizens/2");
    INFO(refused.body);
    CHECK(ErrorType(refused) == "Server.ClientProxy.SslAuthenticationFailed");
    CHECK(refused.body.find("is not valid now") != std::string::npos);
    CHECK(never_reached.calls == 0);
  }

  SECTION("the provider's gateway refuses a consumer's gateway whose certificate expired") {
    const testing::KeyAndCertificate consumer = expired("VN/GOV/000200/gw1");
    v1::GlobalConfiguration configuration = federation.Configuration(2);
    for (v1::Gateway& gateway : *configuration.mutable_gateways()) {
      if (gateway.id().owner().member_code() == "000200") {
        gateway.add_tls_certificate_fingerprints(consumer.certificate.Fingerprint());
      }
    }
    federation.Publish(configuration);
    const int backend_before = federation.backend_requests();
    v1::ExchangeMessage response;
    const grpc::Status refused = GatewayFederation::SendOn(
        *federation.StubPresenting(consumer),
        federation.SignedRequest(federation.consumer_signing(), "expired-1"), &response);
    INFO(refused.error_message());
    CHECK(refused.error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK(federation.backend_requests() == backend_before);
    // The gateway's own certificate still works on the same configuration.
    CHECK(GatewayFederation::SendOn(
              *federation.StubAsConsumerGateway(),
              federation.SignedRequest(federation.consumer_signing(), "current-1"), &response)
              .ok());
  }

  // Whatever was refused left both logs verifiable, with only the exchanges that happened.
  federation.StopGateways();
  for (const std::string name : {"consumer", "provider"}) {
    INFO(name);
    for (const v1::AuditRecord& record : testing::LoggedRecords(federation, name)) {
      CHECK(record.message_id().find("expired") == std::string::npos);
    }
  }
}

TEST_CASE(
    "A peer whose TLS certificate is revoked is refused, and accepted again once reinstated") {
  GatewayFederation federation({.exchange_transport = "grpc"});  // See above: gRPC stubs.
  REQUIRE(federation.CallCitizens("GET", "/citizens/1").status == 200);
  v1::GlobalConfiguration revoking = federation.Configuration(2);
  revoking.add_revoked_certificate_fingerprints(
      federation.provider_tls().certificate.Fingerprint());
  federation.Publish(revoking);
  const net::HttpResponse refused = federation.CallCitizens("GET", "/citizens/2");
  INFO(refused.body);
  CHECK(ErrorType(refused) == "Server.ClientProxy.SslAuthenticationFailed");
  CHECK(refused.body.find("is revoked") != std::string::npos);
  // A configuration without the revocation: what was refused is not remembered.
  federation.Publish(federation.Configuration(3));
  CHECK(federation.CallCitizens("GET", "/citizens/3").status == 200);

  // The provider checks its peer on every request, not only at the handshake: a consumer's
  // gateway whose certificate is revoked is refused on the connection it already holds.
  const auto connection = federation.StubAsConsumerGateway();
  v1::ExchangeMessage response;
  REQUIRE(
      GatewayFederation::SendOn(
          *connection, federation.SignedRequest(federation.consumer_signing(), "held-1"), &response)
          .ok());
  v1::GlobalConfiguration revoking_consumer = federation.Configuration(4);
  revoking_consumer.add_revoked_certificate_fingerprints(
      federation.consumer_tls().certificate.Fingerprint());
  federation.Publish(revoking_consumer);
  const grpc::Status held = GatewayFederation::SendOn(
      *connection, federation.SignedRequest(federation.consumer_signing(), "held-2"), &response);
  CHECK(held.error_details() == "Server.ServerProxy.SslAuthenticationFailed");
  CHECK(held.error_message().find("is revoked") != std::string::npos);
}

}  // namespace
}  // namespace truc
