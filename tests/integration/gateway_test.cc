// Two truc-gateway processes and a backend on loopback, with the global configuration served as a
// signed snapshot: an information system calls a service of another agency through its gateway,
// over REST (r1) and over the gRPC service API, and every behaviour of the X-Road REST profile
// that an integrator meets is checked as the integrator sees it. Then the attacks: a peer that is
// not the provider's registered gateway, a tampered message, a revoked signing certificate and a
// replayed message id.
#include <csignal>
#include <future>
#include <mutex>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "core/base/encoding.h"
#include "core/base/file.h"
#include "core/base/strings.h"
#include "core/evidence/message_signing.h"
#include "core/globalconf/signed_configuration.h"
#include "core/ids/id_proto.h"
#include "core/net/http_client.h"
#include "core/net/http_server.h"
#include "core/rpc/grpc_util.h"
#include "core/rpc/pinned_tls.h"
#include "core/storage/rocksdb_store.h"
#include "gateway/audit/audit_log.h"
#include "gateway/exchange/service_call.h"
#include "proto/timestamp_conversion.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_federation.h"
#include "truc/v1/gateway_exchange.grpc.pb.h"
#include "truc/v1/service_api.grpc.pb.h"

namespace truc {
namespace {

using pki::Profile;
using testing::ChildProcess;
using testing::KeyAndCertificate;
using testing::TestFederation;

constexpr char kProvider[] = "VN/GOV/000100";  // The population registry.
constexpr char kConsumer[] = "VN/GOV/000200";  // A provincial portal.
constexpr char kStranger[] = "VN/GOV/000900";  // A member whose gateway is not the provider's.
constexpr char kImpersonated[] = "VN/GOV/000300";
constexpr char kClient[] = "VN/GOV/000200/portal";
constexpr char kCitizens[] = "VN/GOV/000100/population/citizens";
constexpr char kOpenApiDocument[] = R"({"openapi":"3.0.0","info":{"title":"Citizens"}})";

v1::MemberId MemberProto(std::string_view id) {
  return ids::ToProto(ids::MemberId::Parse(id).value());
}

// Answers every exchange with the message it was sent: the gRPC backend of the grpc-echo service.
class EchoService final : public v1::GatewayExchange::Service {
  grpc::Status Exchange(grpc::ServerContext*, const v1::ExchangeMessage* request,
                        v1::ExchangeMessage* response) override {
    *response = *request;
    return grpc::Status::OK;
  }
};

struct FederationOptions {
  // Whether the consumer's gateway serves its information systems over TLS, with client
  // certificates mapped to subsystems, rather than plain HTTP on loopback.
  bool consumer_tls = false;
  // Appended to the provider's configuration, e.g. an [audit] table; its key file
  // "audit-body.key" (kAuditBodyKeyHex) exists with mode 0600.
  std::string provider_config;
};

constexpr char kAuditBodyKeyHex[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

// Everything else the gateways need, in one temporary directory, and the processes.
class GatewayFederation {
 public:
  explicit GatewayFederation(FederationOptions options = {})
      : options_(options), pki_(SystemClock::Instance().Now()) {
    const std::string d = dir_.path();
    REQUIRE(
        WriteFileAtomically(dir_.File("root-ca.pem"), pki_.root().certificate.ToPem(), 0644).ok());
    TestFederation::Write(provider_signing_, d, "provider-signing");
    TestFederation::Write(consumer_signing_, d, "consumer-signing");
    TestFederation::Write(provider_tls_, d, "provider-tls");
    TestFederation::Write(consumer_tls_, d, "consumer-tls");
    TestFederation::Write(pki_.Issue(Profile::kGatewayTls, "VN/GOV/000100/admin", {"DNS:admin"}), d,
                          "admin");
    REQUIRE(WriteFileAtomically(dir_.File("audit-body.key"), kAuditBodyKeyHex, 0600).ok());

    if (options_.consumer_tls) {
      TestFederation::Write(
          pki_.Issue(Profile::kGatewayTls, std::string(kConsumer) + "/interface", {"IP:127.0.0.1"}),
          d, "consumer-interface");
      TestFederation::Write(
          pki_.Issue(Profile::kGatewayTls, std::string(kConsumer) + "/portal-app", {"DNS:portal"}),
          d, "portal-client");
      TestFederation::Write(
          pki_.Issue(Profile::kGatewayTls, std::string(kConsumer) + "/other-app", {"DNS:other"}), d,
          "other-client");
    }
    StartGlobalconfServer();
    StartBackend();
    StartGrpcBackend();
    StartStranger();
    WriteGatewayConfigs();
    provider_ = StartGateway("provider");
    consumer_ = StartGateway("consumer");
    Publish(Configuration(1));
    WaitUntilRouting();
    Grant({"--client", kClient, "--method", "GET", "--path", "/citizens/*"});
    Grant({"--client", kClient, "--method", "POST", "--path", "/citizens/*/notes"});
    Grant({"--client", kClient, "--service", "VN/GOV/000100/population/down"});
    Grant({"--client", kClient, "--service", "VN/GOV/000100/population/closed"});
    Grant({"--client", kClient, "--service", "VN/GOV/000100/population/grpc-echo"});
  }

  ~GatewayFederation() {
    for (auto* process : {&consumer_, &provider_}) {
      if (process->process != nullptr) process->process->Stop(SIGTERM);
    }
    if (stranger_server_) stranger_server_->Shutdown();
    if (grpc_backend_) grpc_backend_->Shutdown();
    if (backend_) backend_->Stop();
    if (globalconf_server_) globalconf_server_->Stop();
  }

  // A REST call to the consumer's gateway, as an information system makes it.
  // Over TLS, `client_certificate` names the certificate presented ("" for none).
  net::HttpResponse Rest(const std::string& method, const std::string& target,
                         std::vector<std::pair<std::string, std::string>> headers = {},
                         const std::string& body = "",
                         const std::string& client_certificate = "") const {
    net::HttpHeaders fields;
    for (auto& [name, value] : headers) fields.Add(name, value);
    net::HttpClientOptions options;
    if (options_.consumer_tls) {
      options.tls.ca_file = dir_.File("root-ca.pem");
      if (!client_certificate.empty()) {
        options.tls.certificate_chain_file = dir_.File(client_certificate + ".pem");
        options.tls.key_file = dir_.File(client_certificate + ".key");
      }
    }
    StatusOr<net::HttpResponse> response = net::HttpFetch(
        method,
        fmt::format("{}://{}{}", options_.consumer_tls ? "https" : "http", consumer_.rest, target),
        fields, body, options);
    INFO(response.status().ToString());
    REQUIRE(response.ok());
    return *response;
  }

  // A REST call of the citizens service as the portal.
  net::HttpResponse CallCitizens(const std::string& method, const std::string& path,
                                 std::vector<std::pair<std::string, std::string>> headers = {},
                                 const std::string& body = "") const {
    headers.emplace_back("X-Road-Client", kClient);
    return Rest(method, fmt::format("/r1/{}{}", kCitizens, path), std::move(headers), body);
  }

  const std::string& rest_endpoint() const { return consumer_.rest; }
  const std::string& grpc_endpoint() const { return consumer_.grpc; }

  std::unique_ptr<v1::ServiceGateway::Stub> GrpcApi() const {
    return v1::ServiceGateway::NewStub(
        grpc::CreateChannel(consumer_.grpc, grpc::InsecureChannelCredentials()));
  }

  // Publishes a new version of the configuration and waits until both gateways hold it.
  void Publish(const v1::GlobalConfiguration& configuration) {
    {
      std::lock_guard lock(mu_);
      signed_configuration_ =
          globalconf::SignConfiguration(configuration, config_signer_.key,
                                        {config_signer_.certificate, pki_.root().certificate})
              .value();
    }
    // Each gateway refreshes every 200 ms; give them several rounds.
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
  }

  // The configuration: the provider, the consumer (with a second, revoked signing certificate),
  // the stranger, and the impersonated member whose registered gateway address leads to the
  // stranger's gateway.
  v1::GlobalConfiguration Configuration(uint64_t version) const {
    v1::GlobalConfiguration configuration;
    configuration.set_instance("VN");
    configuration.set_version(version);
    const TimePoint now = SystemClock::Instance().Now();
    *configuration.mutable_issued_at() = proto::ToProtoTimestamp(now - std::chrono::minutes(5));
    *configuration.mutable_expires_at() = proto::ToProtoTimestamp(now + std::chrono::hours(1));
    const auto add_member = [&](const char* id, const char* name, const char* subsystem,
                                std::vector<const KeyAndCertificate*> signing) {
      v1::Member* member = configuration.add_members();
      *member->mutable_id() = MemberProto(id);
      member->set_name(name);
      member->add_subsystems()->set_subsystem_code(subsystem);
      for (const KeyAndCertificate* cert : signing) {
        member->add_signing_certificates(cert->certificate.ToDer());
      }
    };
    add_member(kProvider, "Cơ sở dữ liệu quốc gia về dân cư", "population", {&provider_signing_});
    add_member(kConsumer, "Cổng dịch vụ công tỉnh", "portal",
               {&consumer_signing_, &revoked_signing_});
    add_member(kStranger, "Stranger", "x", {});
    add_member(kImpersonated, "Impersonated", "data", {});
    const auto add_gateway = [&](std::string id, const std::string& address,
                                 const KeyAndCertificate& tls) {
      v1::Gateway* gateway = configuration.add_gateways();
      *gateway->mutable_id() = ids::ToProto(ids::ServerId::Parse(id).value());
      gateway->set_address(address);
      gateway->add_tls_certificate_fingerprints(tls.certificate.Fingerprint());
    };
    add_gateway(std::string(kProvider) + "/gw1", provider_.exchange, provider_tls_);
    // A second gateway of the provider that is down: calls must reach the healthy one.
    add_gateway(std::string(kProvider) + "/gw0", "127.0.0.1:1", dead_tls_);
    add_gateway(std::string(kConsumer) + "/gw1", consumer_.exchange, consumer_tls_);
    add_gateway(std::string(kStranger) + "/gw1", stranger_address_, stranger_tls_);
    add_gateway(std::string(kImpersonated) + "/gw1", stranger_address_, impersonated_tls_);
    configuration.add_approved_cas(pki_.root().certificate.ToDer());
    configuration.add_revoked_certificate_fingerprints(revoked_signing_.certificate.Fingerprint());
    const auto add_service = [&](const std::string& id, v1::ServiceKind kind,
                                 std::string document) {
      v1::ServiceDescription* service = configuration.add_services();
      *service->mutable_id() = ids::ToProto(ids::ServiceId::Parse(id).value());
      service->set_kind(kind);
      service->set_interface_document(std::move(document));
    };
    add_service(kCitizens, v1::SERVICE_KIND_OPENAPI, kOpenApiDocument);
    add_service(fmt::format("{}/population/grpc-echo", kProvider), v1::SERVICE_KIND_GRPC, "");
    for (const char* code : {"land", "down", "closed"}) {
      add_service(fmt::format("{}/population/{}", kProvider, code), v1::SERVICE_KIND_REST, "");
    }
    add_service(fmt::format("{}/data/records", kImpersonated), v1::SERVICE_KIND_REST, "");
    return configuration;
  }

  // Runs the truc CLI against the provider's admin API; returns its exit code and output.
  testing::CommandResult Admin(const std::string& arguments) const {
    return testing::RunCommand(fmt::format(
        "{} gateway {} --gateway {} --cert {} --key {} --ca {} 2>&1", TRUC_CLI_BINARY, arguments,
        provider_.admin, dir_.File("admin.pem"), dir_.File("admin.key"), dir_.File("root-ca.pem")));
  }

  // Sends `message` straight to the provider's exchange port, as the consumer's gateway would.
  grpc::Status SendAsConsumerGateway(const v1::ExchangeMessage& message,
                                     v1::ExchangeMessage* response) const {
    const rpc::TlsIdentity identity{consumer_tls_.certificate.ToPem(),
                                    std::string(consumer_tls_.key.ToPem().reveal())};
    const auto accept_any = [](const crypto::Certificate&, std::span<const crypto::Certificate>) {
      return OkStatus();
    };
    auto stub = v1::GatewayExchange::NewStub(grpc::CreateChannel(
        provider_.exchange, rpc::PinnedTlsChannelCredentials(identity, accept_any)));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub->Exchange(&context, message, response);
  }

  // A request for the citizens service as the portal, sealed with `signing`.
  v1::ExchangeMessage SignedRequest(const KeyAndCertificate& signing,
                                    const std::string& message_id) const {
    const evidence::BatchSigner signer(signing.key, {signing.certificate}, SystemClock::Instance(),
                                       {});
    v1::ExchangeMessage message;
    gateway::ServiceRequest request{.client = ids::SubsystemId::Parse(kClient).value(),
                                    .service = ids::ServiceId::Parse(kCitizens).value()};
    request.message_id = message_id;
    request.method = "GET";
    request.path = "/citizens/079123456789";
    gateway::SetWireHeaders(gateway::RequestWireHeaders(request), message);
    v1::MessageEvidence& evidence = *message.mutable_evidence();
    evidence.set_kind(v1::MessageEvidence::KIND_REQUEST);
    evidence.set_message_id(message_id);
    evidence.set_request_id(message_id + "-request");
    *evidence.mutable_client() = ids::ToProto(request.client);
    *evidence.mutable_service() = ids::ToProto(request.service);
    *evidence.mutable_digests() =
        evidence::DigestMessage(gateway::WireHeaders(message), message.body());
    *message.mutable_signature() =
        const_cast<evidence::BatchSigner&>(signer).Sign(evidence).get().value();
    return message;
  }

  const KeyAndCertificate& consumer_signing() const { return consumer_signing_; }
  const KeyAndCertificate& revoked_signing() const { return revoked_signing_; }
  // Stops both gateways, as an operator does (SIGTERM).
  void StopGateways() {
    for (auto* gateway : {&consumer_, &provider_}) {
      if (gateway->process == nullptr) continue;
      CHECK(gateway->process->Stop(SIGTERM) == 0);
      gateway->process.reset();
    }
  }

  // The RocksDB store of gateway `name` ("consumer" or "provider").
  std::string StorePath(const std::string& name) const { return dir_.File(name + "-data/store"); }

  // What the backend received last, as it echoed it.
  nlohmann::json last_backend_request() const {
    std::lock_guard lock(mu_);
    return last_backend_request_;
  }

 private:
  struct Gateway {
    std::unique_ptr<ChildProcess> process;
    std::string rest, grpc, exchange, admin;
  };

  void StartGlobalconfServer() {
    globalconf_server_ =
        net::HttpServer::Start({}, [this](net::HttpRequest, net::HttpResponder respond) {
          std::lock_guard lock(mu_);
          if (signed_configuration_.empty()) {
            return respond(net::MakeResponse(503, "text/plain", "not yet"));
          }
          respond(net::MakeResponse(200, "application/octet-stream", signed_configuration_));
        }).value();
  }

  // Echoes what it received as JSON; /api/citizens/teapot answers 418, /api/citizens/moved 302.
  void StartBackend() {
    backend_ =
        net::HttpServer::Start({}, [this](net::HttpRequest request, net::HttpResponder respond) {
          if (request.target == "/api/citizens/teapot") {
            net::HttpResponse teapot = net::MakeResponse(418, "text/plain", "I'm a teapot");
            teapot.headers.Add("X-Backend", "kept");
            return respond(std::move(teapot));
          }
          if (request.target == "/api/citizens/moved") {
            net::HttpResponse moved = net::MakeResponse(302, "text/plain", "");
            moved.headers.Add("Location", "http://elsewhere.example/");
            return respond(std::move(moved));
          }
          nlohmann::json echo = {
              {"method", request.method}, {"target", request.target}, {"body", request.body}};
          for (const char* name : {"X-Road-Client", "X-Road-Service", "X-Road-Id", "X-Road-UserId",
                                   "X-Road-Issue", "X-Road-Request-Id", "X-Custom"}) {
            echo[name] = request.headers.Get(name).value_or("");
          }
          {
            std::lock_guard lock(mu_);
            last_backend_request_ = echo;
          }
          respond(net::MakeResponse(200, "application/json", echo.dump()));
        }).value();
  }

  void StartGrpcBackend() {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&echo_service_);
    grpc_backend_ = builder.BuildAndStart();
    REQUIRE(port != 0);
    grpc_backend_address_ = fmt::format("127.0.0.1:{}", port);
  }

  // A real gateway TLS endpoint with the stranger's certificate, which the configuration also
  // gives as the address of the impersonated member's gateway.
  void StartStranger() {
    const rpc::TlsIdentity identity{stranger_tls_.certificate.ToPem(),
                                    std::string(stranger_tls_.key.ToPem().reveal())};
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(
        "127.0.0.1:0",
        rpc::PinnedTlsServerCredentials(
            identity, [](const crypto::Certificate&,
                         std::span<const crypto::Certificate>) { return OkStatus(); }),
        &port);
    builder.RegisterService(&stranger_service_);
    stranger_server_ = builder.BuildAndStart();
    REQUIRE(port != 0);
    stranger_address_ = fmt::format("127.0.0.1:{}", port);
  }

  void WriteGatewayConfigs() {
    const auto write = [&](const std::string& name, const std::string& server,
                           const std::string& specific) {
      const std::string text = fmt::format(R"(server_id = "{1}"
data_dir = "{0}-data"

[globalconf]
urls = ["http://{2}/globalconf"]
trust_anchor_file = "root-ca.pem"
refresh_interval = "200ms"

[exchange]
port = 0
certificate_file = "{0}-tls.pem"
key_file = "{0}-tls.key"
timeout = "10s"

[consumer]
rest_port = 0
grpc_port = 0

[provider]
requests_per_second = 1000.0
burst = 1000.0

[admin]
port = 0
certificate_file = "{0}-tls.pem"
key_file = "{0}-tls.key"
client_ca_file = "root-ca.pem"
administrators = ["admin.pem"]
{3}
)",
                                           name, server, globalconf_server_->endpoint(), specific);
      REQUIRE(WriteFileAtomically(dir_.File(name + ".toml"), text, 0644).ok());
    };
    write("provider", std::string(kProvider) + "/gw1",
          fmt::format(R"(
[signing]
key_file = "provider-signing.key"
certificate_file = "provider-signing.pem"

[[services]]
id = "{0}"
url = "http://{1}/api"
timeout = "5s"
[[services.endpoints]]
method = "GET"
path = "/citizens/*"
[[services.endpoints]]
method = "POST"
path = "/citizens/*/notes"
[[services.endpoints]]
method = "DELETE"
path = "/citizens/*"

[[services]]
id = "VN/GOV/000100/population/land"
url = "http://{1}/api"

[[services]]
id = "VN/GOV/000100/population/down"
url = "http://127.0.0.1:1/api"
timeout = "2s"

[[services]]
id = "VN/GOV/000100/population/closed"
url = "http://{1}/api"

[[services]]
id = "VN/GOV/000100/population/grpc-echo"
backend = "grpc"
url = "{2}"
{3}
)",
                      kCitizens, backend_->endpoint(), grpc_backend_address_,
                      options_.provider_config));
    const std::string local_clients = options_.consumer_tls ? fmt::format(R"(
[consumer.tls]
certificate_file = "consumer-interface.pem"
key_file = "consumer-interface.key"
client_ca_file = "root-ca.pem"

[[local_clients]]
subsystem = "{}"
certificates = ["portal-client.pem"]
)",
                                                                          kClient)
                                                            : fmt::format(R"(
[[local_clients]]
subsystem = "{}"
require_certificate = false
)",
                                                                          kClient);
    write("consumer", std::string(kConsumer) + "/gw1", R"(
[signing]
key_file = "consumer-signing.key"
certificate_file = "consumer-signing.pem"
)" + local_clients);
  }

  Gateway StartGateway(const std::string& name) {
    Gateway gateway;
    const std::string ready = dir_.File(name + ".ready");
    gateway.process = ChildProcess::Start(
        {TRUC_GATEWAY_BINARY, "--config", dir_.File(name + ".toml"), "--ready-file", ready},
        dir_.File(name + ".log"));
    const std::optional<std::string> lines = gateway.process->WaitForFile(ready);
    INFO(ReadFile(dir_.File(name + ".log")).value_or(""));
    REQUIRE(lines.has_value());
    for (const std::string_view line : SplitString(*lines, '\n')) {
      const size_t space = line.find(' ');
      const std::string_view key = line.substr(0, space);
      const std::string endpoint(line.substr(space + 1));
      if (key == "rest") gateway.rest = endpoint;
      if (key == "grpc") gateway.grpc = endpoint;
      if (key == "exchange") gateway.exchange = endpoint;
      if (key == "admin") gateway.admin = endpoint;
    }
    return gateway;
  }

  void WaitUntilRouting() const {
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (Rest("GET", "/listClients", {}, "", "portal-client").status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    INFO(ReadFile(dir_.File("consumer.log")).value_or(""));
    FAIL("the consumer's gateway never obtained the global configuration");
  }

  void Grant(std::vector<std::string> arguments) const {
    std::string command = "access grant";
    bool has_service = false;
    for (const std::string& argument : arguments) {
      command += " '" + argument + "'";
      has_service = has_service || argument == "--service";
    }
    if (!has_service) command += fmt::format(" --service {}", kCitizens);
    const testing::CommandResult result = Admin(command);
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
  }

  KeyAndCertificate GatewayTls(const char* member) const {
    return pki_.Issue(Profile::kGatewayTls, std::string(member) + "/gw1", {"IP:127.0.0.1"});
  }

  // The stranger's gateway answers nothing useful; it only has to complete TLS handshakes.
  class Unanswering final : public v1::GatewayExchange::Service {};

  const FederationOptions options_;
  testing::TempDir dir_;
  TestFederation pki_;
  const KeyAndCertificate config_signer_ =
      pki_.Issue(Profile::kConfigurationSigning, "VN/GOV/000001");
  const KeyAndCertificate provider_signing_ = pki_.Issue(Profile::kMemberSigning, kProvider);
  const KeyAndCertificate consumer_signing_ = pki_.Issue(Profile::kMemberSigning, kConsumer);
  const KeyAndCertificate revoked_signing_ = pki_.Issue(Profile::kMemberSigning, kConsumer);
  const KeyAndCertificate provider_tls_ = GatewayTls(kProvider);
  const KeyAndCertificate consumer_tls_ = GatewayTls(kConsumer);
  const KeyAndCertificate stranger_tls_ = GatewayTls(kStranger);
  const KeyAndCertificate impersonated_tls_ = GatewayTls(kImpersonated);
  const KeyAndCertificate dead_tls_ = GatewayTls(kProvider);
  mutable std::mutex mu_;
  std::string signed_configuration_;     // Guarded by mu_.
  nlohmann::json last_backend_request_;  // Guarded by mu_.
  std::unique_ptr<net::HttpServer> globalconf_server_;
  std::unique_ptr<net::HttpServer> backend_;
  Unanswering stranger_service_;
  EchoService echo_service_;
  std::unique_ptr<grpc::Server> grpc_backend_;
  std::string grpc_backend_address_;
  std::unique_ptr<grpc::Server> stranger_server_;
  std::string stranger_address_;
  Gateway provider_;
  Gateway consumer_;
};

std::string ErrorType(const net::HttpResponse& response) {
  return response.headers.Get("X-Road-Error").value_or("");
}

TEST_CASE("A REST call reaches the provider's backend with the end user and purpose") {
  GatewayFederation federation;
  const net::HttpResponse response =
      federation.CallCitizens("GET", "/citizens/079123456789?fields=name%2Cbirth",
                              {{"X-Road-UserId", "VN079123456789"},
                               {"X-Road-Issue", "HS-2026-000123"},
                               {"X-Custom", "passes"}});
  INFO(response.body);
  REQUIRE(response.status == 200);
  const nlohmann::json echo = nlohmann::json::parse(response.body);
  CHECK(echo["method"] == "GET");
  CHECK(echo["target"] == "/api/citizens/079123456789?fields=name%2Cbirth");
  CHECK(echo["X-Road-UserId"] == "VN079123456789");
  CHECK(echo["X-Road-Issue"] == "HS-2026-000123");
  CHECK(echo["X-Road-Client"] == kClient);
  CHECK(echo["X-Road-Service"] == kCitizens);
  CHECK(echo["X-Custom"] == "passes");
  // The gateways' headers on the response, bound to this request.
  CHECK(response.headers.Get("X-Road-Client") == kClient);
  CHECK(response.headers.Get("X-Road-Service") == kCitizens);
  CHECK(response.headers.Get("X-Road-Id") == echo["X-Road-Id"].get<std::string>());
  CHECK(response.headers.Get("X-Road-Request-Id") == echo["X-Road-Request-Id"].get<std::string>());
  CHECK(response.headers.Get("X-Road-Request-Hash").value_or("").size() == 88);  // SHA-512.

  SECTION("a body and method pass through, and a service called with no path gets '/'") {
    const net::HttpResponse posted = federation.CallCitizens("POST", "/citizens/079123456789/notes",
                                                             {{"Content-Type", "application/json"}},
                                                             R"({"note":"đã xác minh"})");
    REQUIRE(posted.status == 200);
    CHECK(nlohmann::json::parse(posted.body)["body"] == R"({"note":"đã xác minh"})");
  }
}

// The records of gateway `name`'s audit log that carry `purpose`, once the log verifies.
std::vector<v1::AuditRecord> LoggedRecords(const GatewayFederation& federation,
                                           const std::string& name, const std::string& purpose) {
  INFO(name);
  std::unique_ptr<storage::RocksDbStore> store =
      storage::RocksDbStore::Open(federation.StorePath(name)).value();
  std::unique_ptr<gateway::audit::AuditLog> log =
      gateway::audit::AuditLog::Open(*store, {}).value();
  CHECK(log->Verify().ok());
  std::vector<v1::AuditRecord> records;
  REQUIRE(log->Scan(0, UINT64_MAX,
                    [&](const gateway::audit::StoredRecord& stored) {
                      if (stored.record.purpose() == purpose) records.push_back(stored.record);
                      return true;
                    })
              .ok());
  return records;
}

TEST_CASE("Both gateways log an exchange, each keeping bodies as its audit policy says") {
  GatewayFederation federation({.provider_config = R"(
[audit]
body_policy = "digest_only"
encryption_key_file = "audit-body.key"
[[audit.subsystems]]
subsystem = "VN/GOV/000100/population"
body_policy = "encrypt"
)"});
  const std::string note = R"({"note":"đã xác minh"})";
  const net::HttpResponse response = federation.CallCitizens("POST", "/citizens/079123456789/notes",
                                                             {{"Content-Type", "application/json"},
                                                              {"X-Road-UserId", "VN079123456789"},
                                                              {"X-Road-Issue", "HS-2026-000777"}},
                                                             note);
  REQUIRE(response.status == 200);
  federation.StopGateways();

  for (const std::string name : {"consumer", "provider"}) {
    const std::vector<v1::AuditRecord> records = LoggedRecords(federation, name, "HS-2026-000777");
    REQUIRE(records.size() == 2);
    const v1::AuditRecord& request = records[0];
    const v1::AuditRecord& answer = records[1];
    CHECK(request.kind() == v1::AuditRecord::KIND_REQUEST);
    CHECK(answer.kind() == v1::AuditRecord::KIND_RESPONSE);
    CHECK(request.user_id() == "VN079123456789");
    CHECK(request.method() == "POST");
    CHECK(request.path() == "/citizens/079123456789/notes");
    CHECK(request.message_id() == response.headers.Get("X-Road-Id"));
    CHECK(answer.request_id() == response.headers.Get("X-Road-Request-Id"));
    CHECK(answer.http_status() == 200);
    CHECK(request.body_size() == note.size());
    CHECK(answer.body_size() == response.body.size());
    if (name == "consumer") {
      CHECK(request.side() == v1::AuditRecord::SIDE_CONSUMER);
      CHECK(request.body() == note);
      CHECK(answer.body() == response.body);
    } else {
      CHECK(request.side() == v1::AuditRecord::SIDE_PROVIDER);
      const crypto::Aes256Gcm key =
          crypto::Aes256Gcm::Create(crypto::SecretBytes(HexDecode(kAuditBodyKeyHex).value()))
              .value();
      CHECK(gateway::audit::DecryptBody(request, key).value() == note);
      CHECK(gateway::audit::DecryptBody(answer, key).value() == response.body);
    }
  }
}

TEST_CASE("A gRPC API call reaches the backend with the end user and purpose") {
  GatewayFederation federation;
  v1::CallRequest request;
  *request.mutable_client() = ids::ToProto(ids::SubsystemId::Parse(kClient).value());
  *request.mutable_service() = ids::ToProto(ids::ServiceId::Parse(kCitizens).value());
  request.set_user_id("VN079123456789");
  request.set_purpose("HS-2026-000124");
  request.set_method("GET");
  request.set_path("/citizens/079123456789");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::CallResponse response;
  const grpc::Status status = federation.GrpcApi()->Call(&context, request, &response);
  INFO(status.error_message() << " " << status.error_details());
  REQUIRE(status.ok());
  CHECK(response.status() == 200);
  const nlohmann::json echo = nlohmann::json::parse(response.body());
  CHECK(echo["X-Road-UserId"] == "VN079123456789");
  CHECK(echo["X-Road-Issue"] == "HS-2026-000124");
  CHECK(echo["target"] == "/api/citizens/079123456789");
  CHECK(response.request_hash().size() == 64);
  CHECK_FALSE(response.message_id().empty());

  SECTION("errors carry the X-Road type in the status details") {
    grpc::ClientContext denied_context;
    request.set_path("/admin");
    const grpc::Status denied = federation.GrpcApi()->Call(&denied_context, request, &response);
    CHECK(denied.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(denied.error_details() == "Server.ServerProxy.AccessDenied");
  }
}

TEST_CASE("REST protocol errors are typed and rendered as r1 errors") {
  GatewayFederation federation;
  const std::string citizen = fmt::format("/r1/{}/citizens/1", kCitizens);

  SECTION("missing or malformed client id") {
    net::HttpResponse missing = federation.Rest("GET", citizen);
    CHECK(missing.status == 400);
    CHECK(ErrorType(missing) == "Client.InvalidClientIdentifier");
    net::HttpResponse malformed = federation.Rest("GET", citizen, {{"X-Road-Client", "VN/GOV"}});
    CHECK(malformed.status == 400);
    CHECK(ErrorType(malformed) == "Client.InvalidClientIdentifier");
    const nlohmann::json body = nlohmann::json::parse(malformed.body);
    CHECK(body["type"] == "Client.InvalidClientIdentifier");
    CHECK_FALSE(body["message"].get<std::string>().empty());
    CHECK_FALSE(body["detail"].get<std::string>().empty());
  }
  SECTION("unknown member") {
    const net::HttpResponse response =
        federation.Rest("GET", "/r1/VN/GOV/999999/x/y/1", {{"X-Road-Client", kClient}});
    CHECK(response.status == 500);
    CHECK(ErrorType(response) == "Server.ClientProxy.UnknownMember");
  }
  SECTION("unknown service") {
    const net::HttpResponse response = federation.Rest(
        "GET", "/r1/VN/GOV/000100/population/nosuch/1", {{"X-Road-Client", kClient}});
    CHECK(response.status == 500);
    CHECK(ErrorType(response) == "Server.ServerProxy.UnknownService");
  }
  SECTION("access denied by service and by endpoint, paths normalised first") {
    const net::HttpResponse by_service = federation.Rest(
        "GET", "/r1/VN/GOV/000100/population/land/parcels/1", {{"X-Road-Client", kClient}});
    CHECK(ErrorType(by_service) == "Server.ServerProxy.AccessDenied");
    CHECK(ErrorType(federation.CallCitizens("DELETE", "/citizens/1")) ==
          "Server.ServerProxy.AccessDenied");
    CHECK(ErrorType(federation.CallCitizens("GET", "/admin/users")) ==
          "Server.ServerProxy.AccessDenied");
    CHECK(ErrorType(federation.CallCitizens("GET", "/citizens/../admin")) ==
          "Server.ServerProxy.AccessDenied");
    CHECK(ErrorType(federation.CallCitizens("GET", "/citizens/%2e%2e/admin")) ==
          "Server.ServerProxy.AccessDenied");
    CHECK(ErrorType(federation.CallCitizens("GET", "/citizens/..%2Fadmin")) == "Client.BadRequest");
    // A dot segment that stays inside the grant is resolved before the backend sees it.
    const net::HttpResponse resolved = federation.CallCitizens("GET", "/citizens/x/../42");
    REQUIRE(resolved.status == 200);
    CHECK(nlohmann::json::parse(resolved.body)["target"] == "/api/citizens/42");
  }
  SECTION("disabled service, with its notice") {
    const auto disabled = federation.Admin(
        "service disable --service VN/GOV/000100/population/closed --notice 'Bảo trì đến 8 giờ'");
    INFO(disabled.output);
    REQUIRE(disabled.exit_code == 0);
    const net::HttpResponse response = federation.Rest(
        "GET", "/r1/VN/GOV/000100/population/closed/x", {{"X-Road-Client", kClient}});
    CHECK(ErrorType(response) == "Server.ServerProxy.ServiceDisabled");
    CHECK(response.body.find("Bảo trì đến 8 giờ") != std::string::npos);
  }
  SECTION("backend down") {
    const net::HttpResponse response =
        federation.Rest("GET", "/r1/VN/GOV/000100/population/down/x", {{"X-Road-Client", kClient}});
    CHECK(response.status == 500);
    CHECK(ErrorType(response) == "Server.ServerProxy.ServiceFailed");
  }
  SECTION("a backend error passes through unchanged") {
    const net::HttpResponse response = federation.CallCitizens("GET", "/citizens/teapot");
    CHECK(response.status == 418);
    CHECK(response.body == "I'm a teapot");
    CHECK(response.headers.Get("X-Backend") == "kept");
    CHECK_FALSE(response.headers.Has("X-Road-Error"));
  }
  SECTION("a redirect is returned, not followed") {
    const net::HttpResponse response = federation.CallCitizens("GET", "/citizens/moved");
    CHECK(response.status == 302);
    CHECK(response.headers.Get("Location") == "http://elsewhere.example/");
  }
  SECTION("the error format follows Accept") {
    const net::HttpResponse xml = federation.Rest("GET", citizen, {{"Accept", "application/xml"}});
    CHECK(xml.headers.Get("Content-Type") == "application/xml;charset=utf-8");
    CHECK(xml.body.find("<type>Client.InvalidClientIdentifier</type>") != std::string::npos);
    const net::HttpResponse text_xml = federation.Rest("GET", citizen, {{"Accept", "text/xml"}});
    CHECK(text_xml.headers.Get("Content-Type") == "text/xml;charset=utf-8");
    const net::HttpResponse json = federation.Rest("GET", citizen, {{"Accept", "*/*"}});
    CHECK(json.headers.Get("Content-Type") == "application/json;charset=utf-8");
  }
}

TEST_CASE("Metaservices list clients, methods, allowed methods and the OpenAPI document") {
  GatewayFederation federation;
  const net::HttpResponse clients =
      federation.Rest("GET", "/listClients", {{"Accept", "application/json"}});
  REQUIRE(clients.status == 200);
  const nlohmann::json listed = nlohmann::json::parse(clients.body);
  bool found_portal = false;
  for (const nlohmann::json& entry : listed["member"]) {
    found_portal = found_portal || entry["id"].value("subsystem_code", "") == "portal";
  }
  CHECK(found_portal);
  CHECK(federation.Rest("GET", "/listClients").body.find("<") == 0);  // XML by default.

  const std::string provider = "/r1/VN/GOV/000100/population";
  const net::HttpResponse methods =
      federation.Rest("GET", provider + "/listMethods", {{"X-Road-Client", kClient}});
  INFO(methods.body);
  REQUIRE(methods.status == 200);
  const nlohmann::json all = nlohmann::json::parse(methods.body);
  std::set<std::string> codes;
  for (const nlohmann::json& service : all["service"]) codes.insert(service["service_code"]);
  CHECK(codes == std::set<std::string>{"citizens", "land", "down", "closed"});

  const net::HttpResponse allowed =
      federation.Rest("GET", provider + "/allowedMethods", {{"X-Road-Client", kClient}});
  REQUIRE(allowed.status == 200);
  const nlohmann::json granted = nlohmann::json::parse(allowed.body);
  std::set<std::string> allowed_codes;
  for (const nlohmann::json& service : granted["service"]) {
    allowed_codes.insert(service["service_code"]);
    if (service["service_code"] == "citizens") {
      CHECK(service["service_type"] == "OPENAPI");
      CHECK(service["endpoint_list"].size() == 2);  // GET and POST, not DELETE.
    }
  }
  CHECK(allowed_codes == std::set<std::string>{"citizens", "down", "closed"});

  const net::HttpResponse openapi = federation.Rest(
      "GET", provider + "/getOpenAPI?serviceCode=citizens", {{"X-Road-Client", kClient}});
  CHECK(openapi.status == 200);
  CHECK(openapi.body == kOpenApiDocument);
  const net::HttpResponse no_code =
      federation.Rest("GET", provider + "/getOpenAPI", {{"X-Road-Client", kClient}});
  CHECK(ErrorType(no_code) == "Server.ServerProxy.InvalidRequest");
}

TEST_CASE("A peer that is not the provider's registered gateway is refused") {
  GatewayFederation federation;
  // The impersonated member's gateway address leads to a gateway with a valid certificate that
  // the configuration registers for another member.
  const net::HttpResponse response = federation.Rest(
      "GET", fmt::format("/r1/{}/data/records/1", kImpersonated), {{"X-Road-Client", kClient}});
  INFO(response.body);
  CHECK(response.status == 500);
  CHECK(ErrorType(response) == "Server.ClientProxy.SslAuthenticationFailed");
}

TEST_CASE("Tampered, revoked and replayed requests are rejected by the provider") {
  GatewayFederation federation;
  v1::ExchangeMessage response;

  const v1::ExchangeMessage genuine =
      federation.SignedRequest(federation.consumer_signing(), "direct-1");
  const grpc::Status accepted = federation.SendAsConsumerGateway(genuine, &response);
  INFO(accepted.error_message() << " " << accepted.error_details());
  REQUIRE(accepted.ok());

  SECTION("a tampered message") {
    v1::ExchangeMessage tampered = federation.SignedRequest(federation.consumer_signing(), "t-1");
    tampered.mutable_headers(1)->set_value("/citizens/079999999999");
    const grpc::Status status = federation.SendAsConsumerGateway(tampered, &response);
    CHECK(status.error_details() == "Server.ServerProxy.InvalidSignatureValue");
  }
  SECTION("a tampered signature") {
    v1::ExchangeMessage forged = federation.SignedRequest(federation.consumer_signing(), "t-2");
    std::string& value = *forged.mutable_signature()->mutable_signature()->mutable_value();
    value[value.size() / 2] ^= 0x01;
    const grpc::Status status = federation.SendAsConsumerGateway(forged, &response);
    CHECK(status.error_details() == "Server.ServerProxy.InvalidSignatureValue");
  }
  SECTION("a revoked signing certificate") {
    const grpc::Status status = federation.SendAsConsumerGateway(
        federation.SignedRequest(federation.revoked_signing(), "r-1"), &response);
    CHECK(status.error_details() == "Server.ServerProxy.InvalidSignatureValue");
    CHECK(status.error_message().find("revoked") != std::string::npos);
  }
  SECTION("a replayed message id") {
    const grpc::Status direct = federation.SendAsConsumerGateway(genuine, &response);
    CHECK(direct.error_details() == "Server.ServerProxy.DuplicateMessageId");
    // The same through the REST interface, with the caller's own X-Road-Id.
    CHECK(federation.CallCitizens("GET", "/citizens/1", {{"X-Road-Id", "once-only-42"}}).status ==
          200);
    const net::HttpResponse again =
        federation.CallCitizens("GET", "/citizens/1", {{"X-Road-Id", "once-only-42"}});
    CHECK(ErrorType(again) == "Server.ServerProxy.DuplicateMessageId");
  }
}

TEST_CASE("A provider served by several gateways is reached through a healthy one") {
  // The configuration registers a second gateway of the provider that is down.
  GatewayFederation federation;
  for (int call = 0; call < 6; ++call) {
    CHECK(federation.CallCitizens("GET", fmt::format("/citizens/{}", call)).status == 200);
  }
}

TEST_CASE("Local callers over TLS act only as the subsystems their certificates are mapped to") {
  GatewayFederation federation({.consumer_tls = true});
  const std::string target = fmt::format("/r1/{}/citizens/1", kCitizens);
  const std::vector<std::pair<std::string, std::string>> as_portal = {{"X-Road-Client", kClient}};
  CHECK(federation.Rest("GET", target, as_portal, "", "portal-client").status == 200);
  const net::HttpResponse no_certificate = federation.Rest("GET", target, as_portal);
  CHECK(ErrorType(no_certificate) == "Server.ClientProxy.SslAuthenticationFailed");
  const net::HttpResponse other = federation.Rest("GET", target, as_portal, "", "other-client");
  CHECK(ErrorType(other) == "Server.ClientProxy.SslAuthenticationFailed");
  CHECK(other.body.find(kClient) != std::string::npos);
}

TEST_CASE("The gRPC API streams large bodies, calls gRPC backends and reports its health") {
  GatewayFederation federation;
  const auto api = federation.GrpcApi();

  SECTION("a streamed call") {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auto stream = api->CallStream(&context);
    v1::CallStreamRequest head;
    v1::CallRequest& request = *head.mutable_head();
    *request.mutable_client() = ids::ToProto(ids::SubsystemId::Parse(kClient).value());
    *request.mutable_service() = ids::ToProto(ids::ServiceId::Parse(kCitizens).value());
    request.set_method("POST");
    request.set_path("/citizens/1/notes");
    REQUIRE(stream->Write(head));
    const std::string chunk(256 << 10, 'x');
    for (int i = 0; i < 8; ++i) {
      v1::CallStreamRequest part;
      part.set_body_chunk(chunk);
      REQUIRE(stream->Write(part));
    }
    REQUIRE(stream->WritesDone());
    v1::CallStreamResponse part;
    std::string body;
    int status = 0;
    while (stream->Read(&part)) {
      if (part.has_head()) status = part.head().status();
      body += part.body_chunk();
    }
    const grpc::Status finished = stream->Finish();
    INFO(finished.error_message());
    REQUIRE(finished.ok());
    CHECK(status == 200);
    CHECK(nlohmann::json::parse(body)["body"].get<std::string>().size() == 8 * chunk.size());
  }
  SECTION("a gRPC backend through the generic stub") {
    v1::ExchangeMessage ping;
    ping.set_body("ping");
    v1::CallRequest request;
    *request.mutable_client() = ids::ToProto(ids::SubsystemId::Parse(kClient).value());
    *request.mutable_service() =
        ids::ToProto(ids::ServiceId::Parse("VN/GOV/000100/population/grpc-echo").value());
    request.set_method("POST");
    request.set_path("/truc.v1.GatewayExchange/Exchange");
    request.set_body(ping.SerializeAsString());
    grpc::ClientContext context;
    v1::CallResponse response;
    const grpc::Status status = api->Call(&context, request, &response);
    INFO(status.error_message() << " " << status.error_details());
    REQUIRE(status.ok());
    v1::ExchangeMessage echoed;
    REQUIRE(echoed.ParseFromString(response.body()));
    CHECK(echoed.body() == "ping");
    bool grpc_ok = false;
    for (const v1::Header& header : response.headers()) {
      grpc_ok = grpc_ok || (header.name() == "grpc-status" && header.value() == "0");
    }
    CHECK(grpc_ok);
  }
  SECTION("health checking") {
    grpc::GenericStub stub(
        grpc::CreateChannel(federation.grpc_endpoint(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    const grpc::Slice no_bytes("");  // An empty HealthCheckRequest: the whole server's health.
    const grpc::ByteBuffer empty(&no_bytes, 1);
    grpc::ByteBuffer reply;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &empty, &reply,
                   [&](grpc::Status status) { done.set_value(std::move(status)); });
    CHECK(done.get_future().get().ok());
  }
}

TEST_CASE("The integrator guide's calls work with curl and with truc call") {
  GatewayFederation federation;
  const testing::CommandResult curl = testing::RunCommand(
      fmt::format("curl -s -i http://{}/r1/{}/citizens/079123456789 -H 'X-Road-Client: {}' "
                  "-H 'X-Road-UserId: VN079123456789' -H 'X-Road-Issue: HS-2026-000123'",
                  federation.rest_endpoint(), kCitizens, kClient));
  INFO(curl.output);
  CHECK(curl.exit_code == 0);
  CHECK(curl.output.starts_with("HTTP/1.1 200"));
  CHECK(curl.output.find("X-Road-Request-Hash: ") != std::string::npos);
  CHECK(curl.output.find("HS-2026-000123") != std::string::npos);

  const std::string call = fmt::format(
      "{} call --gateway {} --client {} --service {} --user-id VN079123456789 "
      "--purpose HS-2026-000123 --include --path ",
      TRUC_CLI_BINARY, federation.grpc_endpoint(), kClient, kCitizens);
  const testing::CommandResult called = testing::RunCommand(call + "/citizens/079123456789 2>&1");
  INFO(called.output);
  CHECK(called.exit_code == 0);
  CHECK(called.output.starts_with("status: 200\n"));
  CHECK(called.output.find("request-hash: ") != std::string::npos);
  CHECK(called.output.find("\"X-Road-Issue\":\"HS-2026-000123\"") != std::string::npos);
  const testing::CommandResult denied = testing::RunCommand(call + "/admin 2>&1");
  INFO(denied.output);
  CHECK(denied.exit_code != 0);
  CHECK(denied.output.find("Server.ServerProxy.AccessDenied: ") != std::string::npos);
}

}  // namespace
}  // namespace truc
