// A small federation on loopback for the gateway's integration tests and benchmarks: two
// truc-gateway processes (the population registry VN/GOV/000100 providing services, the portal
// VN/GOV/000200 consuming them), an HTTP backend that echoes what it receives, a gRPC backend, a
// stranger's gateway, and the global configuration served as a signed snapshot.
//
// Failures to set it up throw std::runtime_error saying what failed (Catch2 reports them).
// Header-only; a target that includes it defines TRUC_GATEWAY_BINARY and TRUC_CLI_BINARY (the
// paths of truc-gateway and truc) and links truc_gateway_exchange, truc_test_support and
// nlohmann_json.
#pragma once

#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "core/base/file.h"
#include "core/base/strings.h"
#include "core/base/worker_pool.h"
#include "core/evidence/message_signing.h"
#include "core/globalconf/signed_configuration.h"
#include "core/ids/id_proto.h"
#include "core/net/http_client.h"
#include "core/net/http_server.h"
#include "core/rpc/grpc_util.h"
#include "core/rpc/pinned_tls.h"
#include "core/timestamp/tsa_http_service.h"
#include "gateway/exchange/peer_https.h"
#include "gateway/exchange/service_call.h"
#include "proto/timestamp_conversion.h"
#include "tests/support/child_process.h"
#include "tests/support/softhsm.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_federation.h"
#include "tests/support/test_tsa.h"
#include "truc/v1/gateway_exchange.grpc.pb.h"
#include "truc/v1/service_api.grpc.pb.h"

namespace truc::testing {

using pki::Profile;

constexpr char kProvider[] = "VN/GOV/000100";  // The population registry.
constexpr char kConsumer[] = "VN/GOV/000200";  // A provincial portal.
constexpr char kStranger[] = "VN/GOV/000900";  // A member whose gateway is not the provider's.
constexpr char kImpersonated[] = "VN/GOV/000300";
constexpr char kClient[] = "VN/GOV/000200/portal";
constexpr char kCitizens[] = "VN/GOV/000100/population/citizens";
constexpr char kOpenApiDocument[] = R"({"openapi":"3.0.0","info":{"title":"Citizens"}})";

// Throws std::runtime_error(`what`) unless `ok`.
inline void Expect(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

inline v1::MemberId MemberProto(std::string_view id) {
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
  // The provider's rate limit per client subsystem (requests per second, and the burst).
  double provider_rate = 1000;
  // Appended to the provider's [audit] table, e.g. body policies; the key file
  // "audit-body.key" (kAuditBodyKeyHex) exists with mode 0600.
  std::string provider_audit;
  // How long records may wait for a timestamp before the gateways refuse exchanges.
  std::string timestamping_tolerance = "60s";
  // False writes [audit] enabled = false for both gateways, which then log nothing (to measure
  // what the audit log costs); true leaves the key out, so the gateways run with its default.
  bool audit_enabled = true;
  // Appended to the consumer's [consumer] table, e.g. "worker_threads = 2".
  std::string consumer_settings;
  // Appended to the provider's [provider] table, e.g. "max_concurrent_calls = 2".
  std::string provider_settings;
  // Both gateways' [exchange] timeout: how long a call through them may take end to end.
  std::string exchange_timeout = "10s";
  // Both gateways' [exchange] transport: "http2" (the gateway's default), "https" or "grpc".
  std::string exchange_transport = "http2";
  // When not 0, the provider's data directory is a tmpfs of this many MiB, mounted for the
  // federation's lifetime (a real full disk; needs root, as CI runs).
  int provider_data_tmpfs_mib = 0;
  // When set, the citizens service's backend (its URL prefix, like "http://127.0.0.1:9000/api")
  // instead of the federation's own test backend: for benchmarks against another server.
  std::string citizens_backend_url;
  // The consumer's member signing key on a token of SoftHSM2, made as an operator makes it:
  // `truc pki keygen --pkcs11-module ...` on the token, the certificate issued from that request
  // by `truc pki issue`, registered in the configuration, and the gateway configured with
  // [signing.pkcs11].
  bool consumer_signing_on_token = false;
};

// The consumer's token, when FederationOptions::consumer_signing_on_token.
inline constexpr char kConsumerToken[] = "consumer-gw1";
inline constexpr char kConsumerTokenPin[] = "4711";
inline constexpr char kConsumerTokenKey[] = "member-signing";

constexpr char kAuditBodyKeyHex[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

// Everything else the gateways need, in one temporary directory, and the processes.
class GatewayFederation {
 public:
  explicit GatewayFederation(FederationOptions options = {})
      : options_(options), pki_(SystemClock::Instance().Now()) {
    const std::string d = dir_.path();
    Expect(
        WriteFileAtomically(dir_.File("root-ca.pem"), pki_.root().certificate.ToPem(), 0644).ok(),
        "writing root-ca.pem");
    TestFederation::Write(provider_signing_, d, "provider-signing");
    TestFederation::Write(consumer_signing_, d, "consumer-signing");
    TestFederation::Write(provider_tls_, d, "provider-tls");
    TestFederation::Write(consumer_tls_, d, "consumer-tls");
    TestFederation::Write(pki_.Issue(Profile::kGatewayTls, "VN/GOV/000100/admin", {"DNS:admin"}), d,
                          "admin");
    // Auditors of the audit API: of the gateway's owner (the default scope), and of a member
    // that takes part in no exchange here.
    TestFederation::Write(
        pki_.Issue(Profile::kGatewayTls, "VN/GOV/000100/auditor", {"DNS:auditor"}), d, "auditor");
    TestFederation::Write(pki_.Issue(Profile::kGatewayTls, "VN/GOV/000300/auditor", {"DNS:other"}),
                          d, "other-auditor");
    Expect(WriteFileAtomically(dir_.File("tsa-root.pem"), tsa_.root.certificate.ToPem(), 0644).ok(),
           "writing tsa-root.pem");
    Expect(WriteFileAtomically(dir_.File("audit-body.key"), kAuditBodyKeyHex, 0600).ok(),
           "writing audit-body.key");
    if (options_.consumer_signing_on_token) MakeConsumerTokenKey();

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
    if (options_.provider_data_tmpfs_mib > 0) MountProviderTmpfs();
    StartGlobalconfServer();
    StartTsa();
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
    // Calls still in progress are cancelled at once.
    for (auto& server : extra_endpoints_) server->Shutdown(std::chrono::system_clock::now());
    if (grpc_backend_) grpc_backend_->Shutdown();
    for (std::thread& answer : slow_answers_) answer.join();
    if (tmpfs_mounted_) {
      const std::string command = "umount " + dir_.File("provider-data");
      if (std::system(command.c_str()) != 0) std::perror("umount");
    }
    if (backend_) backend_->Stop();
    if (globalconf_server_) globalconf_server_->Stop();
    if (tsa_server_) tsa_server_->Stop();
    tsa_workers_.Shutdown();
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
    // Longer than any gateway's exchange timeout, so that callers see the gateway's answer.
    options.timeout = std::chrono::seconds(90);
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
    Expect(response.ok(), "calling the consumer's gateway: " + response.status().ToString());
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
  std::string backend_endpoint() const { return backend_->endpoint(); }
  const std::string& grpc_endpoint() const { return consumer_.grpc; }

  std::unique_ptr<v1::ServiceGateway::Stub> GrpcApi() const {
    return v1::ServiceGateway::NewStub(
        grpc::CreateChannel(consumer_.grpc, grpc::InsecureChannelCredentials()));
  }

  // Publishes a new version of the configuration and waits until both gateways hold it.
  void Publish(const v1::GlobalConfiguration& configuration) {
    published_version_ = configuration.version();
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
  v1::GlobalConfiguration Configuration(
      uint64_t version, std::chrono::seconds validity = std::chrono::hours(1)) const {
    v1::GlobalConfiguration configuration;
    configuration.set_instance("VN");
    configuration.set_version(version);
    const TimePoint now = SystemClock::Instance().Now();
    *configuration.mutable_issued_at() = proto::ToProtoTimestamp(now - std::chrono::minutes(5));
    *configuration.mutable_expires_at() = proto::ToProtoTimestamp(now + validity);
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
    if (consumer_token_certificate_.has_value()) {
      configuration.mutable_members(configuration.members_size() - 1)
          ->add_signing_certificates(consumer_token_certificate_->ToDer());
    }
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
    configuration.add_approved_cas(tsa_.root.certificate.ToDer());
    configuration.add_approved_tsas(tsa_.tsa_certificate.certificate.ToDer());
    configuration.add_revoked_certificate_fingerprints(revoked_signing_.certificate.Fingerprint());
    const auto add_service = [&](const std::string& id, v1::ServiceKind kind,
                                 std::string document) {
      v1::ServiceDescription* service = configuration.add_services();
      *service->mutable_id() = ids::ToProto(ids::ServiceId::Parse(id).value());
      service->set_kind(kind);
      service->set_interface_document(std::move(document));
    };
    add_service(kCitizens, v1::SERVICE_KIND_OPENAPI, kOpenApiDocument);
    // Its requests name the citizen in the path: the audit logs index them by it.
    configuration.mutable_services(configuration.services_size() - 1)
        ->add_subject_identifiers("/citizens/{}");
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

  // Runs `truc audit ARGUMENTS` against the audit API of gateway `name` ("consumer" or
  // "provider") with the certificate `who` ("auditor", "other-auditor", "admin"); returns its exit
  // code and output (stdout, then stderr).
  testing::CommandResult Audit(const std::string& name, const std::string& arguments,
                               const std::string& who = "auditor") const {
    const Gateway& gateway = name == "provider" ? provider_ : consumer_;
    return testing::RunCommand(fmt::format(
        "{} audit {} --gateway {} --cert {} --key {} --ca {} 2>&1", TRUC_CLI_BINARY, arguments,
        gateway.admin, dir_.File(who + ".pem"), dir_.File(who + ".key"), dir_.File("root-ca.pem")));
  }

  // The federation's root CA, as an auditor holds it, and the root of its TSA, another one.
  std::string RootCaFile() const { return dir_.File("root-ca.pem"); }
  std::string TsaRootCaFile() const { return dir_.File("tsa-root.pem"); }
  // A file or directory in the gateways' directory, where their configurations are.
  std::string File(const std::string& name) const { return dir_.File(name); }

  // Sends `message` straight to the provider's exchange port, as the consumer's gateway would.
  grpc::Status SendAsConsumerGateway(const v1::ExchangeMessage& message,
                                     v1::ExchangeMessage* response) const {
    return SendOn(*StubAsConsumerGateway(), message, response);
  }

  // A connection to the provider's exchange port with the consumer's gateway's TLS certificate,
  // to send several messages on.
  std::unique_ptr<v1::GatewayExchange::Stub> StubAsConsumerGateway() const {
    return StubPresenting(consumer_tls_);
  }

  // A connection to the provider's exchange port presenting the TLS certificate `tls`.
  std::unique_ptr<v1::GatewayExchange::Stub> StubPresenting(const KeyAndCertificate& tls) const {
    const rpc::TlsIdentity identity{tls.certificate.ToPem(), std::string(tls.key.ToPem().reveal())};
    const auto accept_any = [](const crypto::Certificate&, std::span<const crypto::Certificate>) {
      return OkStatus();
    };
    return v1::GatewayExchange::NewStub(grpc::CreateChannel(
        provider_.exchange, rpc::PinnedTlsChannelCredentials(identity, accept_any)));
  }

  static grpc::Status SendOn(v1::GatewayExchange::Stub& stub, const v1::ExchangeMessage& message,
                             v1::ExchangeMessage* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub.Exchange(&context, message, response);
  }

  // A request for the citizens service as the portal, sealed with `signing`.
  // `modify` may change the request before it is put on the wire and signed.
  v1::ExchangeMessage SignedRequest(
      const KeyAndCertificate& signing, const std::string& message_id,
      const std::function<void(gateway::ServiceRequest&)>& modify = nullptr) const {
    const evidence::BatchSigner signer(signing.key, {signing.certificate}, SystemClock::Instance(),
                                       {});
    v1::ExchangeMessage message;
    gateway::ServiceRequest request{.client = ids::SubsystemId::Parse(kClient).value(),
                                    .service = ids::ServiceId::Parse(kCitizens).value()};
    request.message_id = message_id;
    request.method = "GET";
    request.path = "/citizens/079123456789";
    if (modify) modify(request);
    gateway::SetWireHeaders(gateway::RequestWireHeaders(request), message);
    v1::MessageEvidence& evidence = *message.mutable_evidence();
    evidence.set_kind(v1::MessageEvidence::KIND_REQUEST);
    evidence.set_message_id(message_id);
    evidence.set_request_id(message_id + "-request");
    *evidence.mutable_client() = ids::ToProto(request.client);
    *evidence.mutable_service() = ids::ToProto(request.service);
    *evidence.mutable_digests() =
        evidence::DigestMessage(evidence::HeaderFieldsOf(message.headers()), message.body());
    *message.mutable_signature() =
        const_cast<evidence::BatchSigner&>(signer).Sign(evidence).get().value();
    return message;
  }

  // A gateway exchange endpoint on loopback presenting `tls`, served by `service` (which must
  // outlive the federation); its address. It accepts any client certificate.
  std::string ServeExchangeEndpoint(const KeyAndCertificate& tls, grpc::Service* service) {
    const rpc::TlsIdentity identity{tls.certificate.ToPem(), std::string(tls.key.ToPem().reveal())};
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(
        "127.0.0.1:0",
        rpc::PinnedTlsServerCredentials(
            identity, [](const crypto::Certificate&,
                         std::span<const crypto::Certificate>) { return OkStatus(); }),
        &port);
    builder.RegisterService(service);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    Expect(port != 0, "cannot listen on loopback");
    std::lock_guard lock(mu_);
    extra_endpoints_.push_back(std::move(server));
    return fmt::format("127.0.0.1:{}", port);
  }

  // An HTTPS exchange endpoint (the "https" transport) presenting `tls`, accepting any client
  // certificate, answering with `handler`; its address.
  std::string ServeHttpsExchangeEndpoint(const KeyAndCertificate& tls, net::HttpHandler handler) {
    net::HttpServerOptions options;
    options.tls = net::TlsServerOptions{
        .pinned =
            net::PinnedTlsServer{
                .identity = {tls.certificate.ToPem(), std::string(tls.key.ToPem().reveal())},
                .check = [](const crypto::Certificate&,
                            std::span<const crypto::Certificate>) { return OkStatus(); }},
        .http2 = true};  // As a gateway's exchange server: HTTP/1.1 and HTTP/2.
    std::unique_ptr<net::HttpServer> server =
        net::HttpServer::Start(std::move(options), std::move(handler)).value();
    std::lock_guard lock(mu_);
    const std::string endpoint = server->endpoint();
    https_endpoints_.push_back(std::move(server));
    return endpoint;
  }

  // Sends `message` straight to the provider's exchange port over the federation's transport,
  // as the consumer's gateway would: the provider's answer or its failure.
  StatusOr<v1::ExchangeMessage> SendAsPeer(const v1::ExchangeMessage& message) const {
    if (options_.exchange_transport == "grpc") {
      v1::ExchangeMessage response;
      const grpc::Status status = SendAsConsumerGateway(message, &response);
      if (!status.ok()) return rpc::FromGrpcStatus(status);
      return response;
    }
    net::HttpClientOptions options;
    options.tls.pinned = std::make_shared<const net::PinnedTlsClient>(net::PinnedTlsClient{
        .identity = std::make_shared<const net::TlsIdentityPem>(net::TlsIdentityPem{
            consumer_tls_.certificate.ToPem(), std::string(consumer_tls_.key.ToPem().reveal())}),
        .check = [](const crypto::Certificate&, std::span<const crypto::Certificate>) {
          return OkStatus();
        }});
    net::HttpHeaders headers;
    headers.Add("Content-Type", "application/x-protobuf");
    TRUC_ASSIGN_OR_RETURN(
        const net::HttpResponse response,
        net::HttpFetch("POST",
                       fmt::format("https://{}{}", provider_.exchange, gateway::kExchangeTarget),
                       headers, message.SerializeAsString(), options));
    return gateway::ExchangeAnswerOf(response, provider_.exchange);
  }

  // The federation's PKI, to issue more certificates under its root.
  const TestFederation& pki() const { return pki_; }

  const KeyAndCertificate& consumer_signing() const { return consumer_signing_; }
  const KeyAndCertificate& provider_tls() const { return provider_tls_; }
  const KeyAndCertificate& consumer_tls() const { return consumer_tls_; }
  const KeyAndCertificate& revoked_signing() const { return revoked_signing_; }

  void SetTsaAvailable(bool available) { tsa_available_ = available; }
  // Whether the registry's publish endpoint answers (503 when not).
  void SetGlobalconfAvailable(bool available) {
    std::lock_guard lock(mu_);
    globalconf_available_ = available;
  }

  // The process id of gateway `name`, for looking at its threads and descriptors in /proc.
  // How long gateway `name` took, at its last start, from the process's start to being ready.
  std::chrono::microseconds StartToReady(const std::string& name) {
    return GatewayNamed(name).start_to_ready;
  }

  pid_t GatewayPid(const std::string& name) {
    Gateway& gateway = GatewayNamed(name);
    Expect(gateway.process != nullptr, "the " + name + "'s gateway is not running");
    return gateway.process->pid();
  }

  // Sends `signal` to gateway `name` ("consumer" or "provider") and waits for it to exit; returns
  // its exit status as ChildProcess::Stop does (128 + SIGKILL when killed). Throws unless it runs.
  int KillGateway(const std::string& name, int signal) {
    Gateway& gateway = GatewayNamed(name);
    Expect(gateway.process != nullptr, "the " + name + "'s gateway is not running");
    const int status = gateway.process->Stop(signal);
    gateway.process.reset();
    return status;
  }

  // Starts gateway `name` again on its configuration and data directory, after KillGateway. Its
  // ports are new, so a new version of Configuration() is published with its exchange address,
  // and both gateways are given time to fetch it. Throws when it does not start (its output says
  // why) or the consumer's gateway does not route again.
  void RestartGateway(const std::string& name) {
    Gateway& gateway = GatewayNamed(name);
    Expect(gateway.process == nullptr, "the " + name + "'s gateway still runs");
    gateway = StartGateway(name);
    Publish(Configuration(published_version_ + 1));
    WaitUntilRouting();
  }

  // What gateway `name` wrote to stdout and stderr (its log), over all its runs.
  std::string GatewayOutput(const std::string& name) const {
    return ReadFile(dir_.File(name + ".log")).value_or("");
  }

  // Stops both gateways, as an operator does (SIGTERM); throws unless both exit cleanly.
  void StopGateways() {
    for (auto* gateway : {&consumer_, &provider_}) {
      if (gateway->process == nullptr) continue;
      const int code = gateway->process->Stop(SIGTERM);
      Expect(code == 0, fmt::format("a gateway did not stop cleanly (exit code {})", code));
      gateway->process.reset();
    }
  }

  // The RocksDB store of gateway `name` ("consumer" or "provider").
  std::string StorePath(const std::string& name) const { return dir_.File(name + "-data/store"); }

  // How many requests the backend has received.
  int backend_requests() const { return backend_requests_; }

  // The consumer's member signing certificate on its token (consumer_signing_on_token).
  const crypto::Certificate& ConsumerTokenCertificate() const {
    return consumer_token_certificate_.value();
  }
  // Where SoftHSM2 keeps the consumer's token (moving it away is pulling the token out).
  const std::string& ConsumerTokenDir() const { return hsm_->token_dir(); }

  // The configuration file of gateway `name` ("consumer" or "provider").
  std::string ConfigFile(const std::string& name) const { return dir_.File(name + ".toml"); }
  // The exchange, REST, gRPC and admin endpoints of gateway `name`.
  const std::string& ExchangeEndpoint(const std::string& name) const {
    return (name == "provider" ? provider_ : consumer_).exchange;
  }
  const std::string& AdminEndpoint(const std::string& name) const {
    return (name == "provider" ? provider_ : consumer_).admin;
  }

  // What the backend received last, as it echoed it.
  nlohmann::json last_backend_request() const {
    std::lock_guard lock(mu_);
    return last_backend_request_;
  }

 private:
  struct Gateway {
    std::unique_ptr<ChildProcess> process;
    std::string rest, grpc, exchange, admin;
    // From the process's start until it wrote its ready file.
    std::chrono::microseconds start_to_ready{0};
  };

  void StartGlobalconfServer() {
    globalconf_server_ =
        net::HttpServer::Start({}, [this](net::HttpRequest, net::HttpResponder respond) {
          std::lock_guard lock(mu_);
          if (signed_configuration_.empty() || !globalconf_available_) {
            return respond(net::MakeResponse(503, "text/plain", "not yet"));
          }
          respond(net::MakeResponse(200, "application/octet-stream", signed_configuration_));
        }).value();
  }

  void MountProviderTmpfs() {
    const std::string data = dir_.File("provider-data");
    std::filesystem::create_directories(data);
    const std::string command = fmt::format("mount -t tmpfs -o size={}m,mode=0700 truc-test {}",
                                            options_.provider_data_tmpfs_mib, data);
    Expect(std::system(command.c_str()) == 0,
           "cannot mount a tmpfs for the provider's data (this test needs root): " + command);
    tmpfs_mounted_ = true;
  }

  // Echoes what it received as JSON; /api/citizens/teapot answers 418, /api/citizens/moved 302,
  // /api/citizens/bytes-N a body of N bytes, /api/citizens/latin1-header a header field that is
  // not UTF-8, /api/citizens/slow-MS after MS milliseconds.
  void StartBackend() {
    backend_ =
        net::HttpServer::Start({}, [this](net::HttpRequest request, net::HttpResponder respond) {
          ++backend_requests_;
          constexpr std::string_view kBytes = "/api/citizens/bytes-";
          if (request.target.starts_with(kBytes)) {
            const size_t size = std::stoul(request.target.substr(kBytes.size()));
            return respond(
                net::MakeResponse(200, "application/octet-stream", std::string(size, 'b')));
          }
          if (request.target == "/api/citizens/latin1-header") {
            net::HttpResponse latin1 = net::MakeResponse(200, "text/plain", "ok");
            latin1.headers.Add("X-Name", "Nguy\xean");
            return respond(std::move(latin1));
          }
          constexpr std::string_view kSlow = "/api/citizens/slow-";
          if (request.target.starts_with(kSlow)) {
            const auto delay =
                std::chrono::milliseconds(std::stoul(request.target.substr(kSlow.size())));
            std::lock_guard lock(mu_);
            slow_answers_.emplace_back([delay, respond = std::move(respond)] {
              std::this_thread::sleep_for(delay);
              respond(net::MakeResponse(200, "text/plain", "slow"));
            });
            return;
          }
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
                                   "X-Road-Issue", "X-Road-Request-Id", "X-Custom", "Host"}) {
            echo[name] = request.headers.Get(name).value_or("");
          }
          {
            std::lock_guard lock(mu_);
            last_backend_request_ = echo;
          }
          respond(net::MakeResponse(200, "application/json", echo.dump()));
        }).value();
  }

  // The federation's TSA over HTTP, which SetTsaAvailable switches off (503) and on.
  void StartTsa() {
    const net::HttpHandler tsa = timestamp::MakeTsaHttpHandler(*tsa_.authority, tsa_workers_);
    tsa_server_ = net::HttpServer::Start({}, [this, tsa](net::HttpRequest request,
                                                         net::HttpResponder respond) {
                    if (!tsa_available_) {
                      return respond(net::MakeResponse(503, "text/plain", "TSA down"));
                    }
                    tsa(std::move(request), std::move(respond));
                  }).value();
  }

  void StartGrpcBackend() {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&echo_service_);
    grpc_backend_ = builder.BuildAndStart();
    Expect(port != 0, "cannot listen on loopback");
    grpc_backend_address_ = fmt::format("127.0.0.1:{}", port);
  }

  // A real gateway TLS endpoint with the stranger's certificate, which the configuration also
  // gives as the address of the impersonated member's gateway.
  void StartStranger() {
    stranger_address_ =
        options_.exchange_transport != "grpc"
            ? ServeHttpsExchangeEndpoint(stranger_tls_,
                                         [](net::HttpRequest, net::HttpResponder respond) {
                                           respond(net::MakeResponse(404, "text/plain", ""));
                                         })
            : ServeExchangeEndpoint(stranger_tls_, &stranger_service_);
  }

  void WriteGatewayConfigs() {
    const auto write = [&](const std::string& name, const std::string& server,
                           const std::string& specific) {
      const std::string text = fmt::format(
          R"(server_id = "{1}"
data_dir = "{0}-data"

[globalconf]
urls = ["http://{2}/globalconf"]
trust_anchor_file = "root-ca.pem"
refresh_interval = "200ms"

[exchange]
port = 0
certificate_file = "{0}-tls.pem"
key_file = "{0}-tls.key"
timeout = "{10}"
transport = "{12}"

[consumer]
rest_port = 0
grpc_port = 0
{9}

[provider]
requests_per_second = {4}
burst = {4}
{11}

[admin]
port = 0
certificate_file = "{0}-tls.pem"
key_file = "{0}-tls.key"
client_ca_file = "root-ca.pem"
administrators = ["admin.pem"]
[[admin.auditors]]
certificate = "auditor.pem"
[[admin.auditors]]
certificate = "other-auditor.pem"
members = ["VN/GOV/000300"]
{3}
[audit]
timestamping_urls = ["http://{5}/timestamp"]
seal_interval = "200ms"
timestamping_tolerance = "{6}"
{7}
{8}
)",
          name, server, globalconf_server_->endpoint(), specific, options_.provider_rate,
          tsa_server_->endpoint(), options_.timestamping_tolerance,
          name == "provider" ? options_.provider_audit : "",
          options_.audit_enabled ? "" : "enabled = false",
          name == "consumer" ? options_.consumer_settings : "", options_.exchange_timeout,
          name == "provider" ? options_.provider_settings : "", options_.exchange_transport);
      Expect(WriteFileAtomically(dir_.File(name + ".toml"), text, 0644).ok(),
             "writing " + name + ".toml");
    };
    write("provider", std::string(kProvider) + "/gw1",
          fmt::format(R"(
[signing]
key_file = "provider-signing.key"
certificate_file = "provider-signing.pem"

[[services]]
id = "{0}"
url = "{3}"
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
)",
                      kCitizens, backend_->endpoint(), grpc_backend_address_,
                      options_.citizens_backend_url.empty()
                          ? fmt::format("http://{}/api", backend_->endpoint())
                          : options_.citizens_backend_url));
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
    const std::string signing = options_.consumer_signing_on_token
                                    ? fmt::format(R"(
[signing]
certificate_file = "consumer-token-signing.pem"
[signing.pkcs11]
module = "{}"
token_label = "{}"
key_label = "{}"
pin_file = "consumer-token.pin"
)",
                                                  kSoftHsmModule, kConsumerToken, kConsumerTokenKey)
                                    : R"(
[signing]
key_file = "consumer-signing.key"
certificate_file = "consumer-signing.pem"
)";
    write("consumer", std::string(kConsumer) + "/gw1", signing + local_clients);
  }

  Gateway StartGateway(const std::string& name) {
    Gateway gateway;
    const std::string ready = dir_.File(name + ".ready");
    std::error_code ignored;  // A ready file left by an earlier run must not count; none is fine.
    std::filesystem::remove(ready, ignored);
    const auto started = std::chrono::steady_clock::now();
    gateway.process = ChildProcess::Start(
        {TRUC_GATEWAY_BINARY, "--config", dir_.File(name + ".toml"), "--ready-file", ready},
        dir_.File(name + ".log"));
    const std::optional<std::string> lines = gateway.process->WaitForFile(ready);
    gateway.start_to_ready = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    Expect(lines.has_value(), "truc-gateway did not start: " + GatewayOutput(name));
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

  Gateway& GatewayNamed(const std::string& name) {
    Expect(name == "consumer" || name == "provider", "no gateway named " + name);
    return name == "consumer" ? consumer_ : provider_;
  }

  void WaitUntilRouting() const {
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (Rest("GET", "/listClients", {}, "", "portal-client").status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Expect(false, "the consumer's gateway never obtained the global configuration: " +
                      GatewayOutput("consumer"));
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
    Expect(result.exit_code == 0, "truc gateway " + command + ": " + result.output);
  }

  // See FederationOptions::consumer_signing_on_token.
  void MakeConsumerTokenKey() {
    hsm_ = std::make_unique<SoftHsm>();  // SOFTHSM2_CONF, inherited by the gateway and the CLI.
    hsm_->InitToken(kConsumerToken, kConsumerTokenPin);
    Expect(WriteFileAtomically(dir_.File("consumer-token.pin"),
                               std::string(kConsumerTokenPin) + "\n", 0600)
               .ok(),
           "writing consumer-token.pin");
    TestFederation::Write(pki_.root(), dir_.path(), "issuing-ca");
    const CommandResult keygen = RunCommand(fmt::format(
        "{} pki keygen --pkcs11-module {} --token-label {} --key-label {} --pin-file {} "
        "--csr-out {} --profile member-signing --subject-id {} 2>&1",
        TRUC_CLI_BINARY, kSoftHsmModule, kConsumerToken, kConsumerTokenKey,
        dir_.File("consumer-token.pin"), dir_.File("consumer-token-signing.csr"), kConsumer));
    Expect(keygen.exit_code == 0, "truc pki keygen on the token: " + keygen.output);
    const CommandResult issued = RunCommand(fmt::format(
        "{} pki issue --ca-cert {} --ca-key {} --csr {} --profile member-signing --out {} 2>&1",
        TRUC_CLI_BINARY, dir_.File("issuing-ca.pem"), dir_.File("issuing-ca.key"),
        dir_.File("consumer-token-signing.csr"), dir_.File("consumer-token-signing.pem")));
    Expect(issued.exit_code == 0, "truc pki issue: " + issued.output);
    consumer_token_certificate_ =
        crypto::Certificate::LoadPemFile(dir_.File("consumer-token-signing.pem")).value().front();
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
  std::string signed_configuration_;       // Guarded by mu_.
  uint64_t published_version_ = 0;         // The version of signed_configuration_.
  nlohmann::json last_backend_request_;    // Guarded by mu_.
  std::vector<std::thread> slow_answers_;  // Guarded by mu_.
  std::atomic<int> backend_requests_{0};
  std::unique_ptr<net::HttpServer> globalconf_server_;
  TestTsa tsa_{SystemClock::Instance()};
  std::unique_ptr<SoftHsm> hsm_;
  std::optional<crypto::Certificate> consumer_token_certificate_;
  WorkerPool tsa_workers_{2};
  std::atomic<bool> tsa_available_{true};
  bool globalconf_available_ = true;  // Guarded by mu_.
  bool tmpfs_mounted_ = false;
  std::unique_ptr<net::HttpServer> tsa_server_;
  std::unique_ptr<net::HttpServer> backend_;
  Unanswering stranger_service_;
  EchoService echo_service_;
  std::unique_ptr<grpc::Server> grpc_backend_;
  std::string grpc_backend_address_;
  std::vector<std::unique_ptr<grpc::Server>> extra_endpoints_;     // Guarded by mu_.
  std::vector<std::unique_ptr<net::HttpServer>> https_endpoints_;  // Guarded by mu_.
  std::string stranger_address_;
  Gateway provider_;
  Gateway consumer_;
};

}  // namespace truc::testing
