// Two truc-gateway processes and a backend on loopback, with the global configuration served as a
// signed snapshot: an information system calls a service of another agency through its gateway,
// over REST (r1) and over the gRPC service API, and every behaviour of the X-Road REST profile
// that an integrator meets is checked as the integrator sees it. Then the attacks: a peer that is
// not the provider's registered gateway, a tampered message, a revoked signing certificate and a
// replayed message id. Then the evidence: a gateway killed under load keeps every exchange its
// callers saw succeed, and one with its audit log switched off keeps nothing.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <future>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "core/base/encoding.h"
#include "core/merkle/verify.h"
#include "core/storage/rocksdb_store.h"
#include "gateway/audit/audit_log.h"
#include "tests/integration/logged_records.h"
#include "tests/support/gateway_federation.h"
#include "truc/v1/tree_head.pb.h"

namespace truc {
namespace {

using testing::GatewayFederation;
using testing::kCitizens;
using testing::kClient;
using testing::kImpersonated;
using testing::kOpenApiDocument;

std::string ErrorType(const net::HttpResponse& response) {
  return response.headers.Get("X-Road-Error").value_or("");
}

// The transports between gateways, for the tests that run over each.
std::string Transport() {
  std::string transport = GENERATE(as<std::string>{}, "grpc", "https", "http2");
  return transport;
}

TEST_CASE("A REST call reaches the provider's backend with the end user and purpose") {
  const std::string transport = Transport();
  INFO("transport " << transport);
  GatewayFederation federation({.exchange_transport = transport});
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
  return testing::LoggedRecords(
      federation, name, [&](const v1::AuditRecord& record) { return record.purpose() == purpose; });
}

TEST_CASE("Both gateways log an exchange, each keeping bodies as its audit policy says") {
  const std::string transport = Transport();
  INFO("transport " << transport);
  GatewayFederation federation({.provider_audit = R"(
body_policy = "digest_only"
encryption_key_file = "audit-body.key"
[[audit.subsystems]]
subsystem = "VN/GOV/000100/population"
body_policy = "encrypt"
)",
                                .exchange_transport = transport});
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
          crypto::Aes256Gcm::Create(
              crypto::SecretBytes(HexDecode(testing::kAuditBodyKeyHex).value()))
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
  const std::string transport = Transport();
  INFO("transport " << transport);
  GatewayFederation federation({.exchange_transport = transport});
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
  const std::string transport = Transport();
  INFO("transport " << transport);
  GatewayFederation federation({.exchange_transport = transport});
  // The impersonated member's gateway address leads to a gateway with a valid certificate that
  // the configuration registers for another member.
  const net::HttpResponse response = federation.Rest(
      "GET", fmt::format("/r1/{}/data/records/1", kImpersonated), {{"X-Road-Client", kClient}});
  INFO(response.body);
  CHECK(response.status == 500);
  CHECK(ErrorType(response) == "Server.ClientProxy.SslAuthenticationFailed");
}

TEST_CASE("Tampered, revoked and replayed requests are rejected by the provider") {
  const std::string transport = Transport();
  INFO("transport " << transport);
  GatewayFederation federation({.exchange_transport = transport});

  const v1::ExchangeMessage genuine =
      federation.SignedRequest(federation.consumer_signing(), "direct-1");
  const StatusOr<v1::ExchangeMessage> accepted = federation.SendAsPeer(genuine);
  INFO(accepted.status().ToString());
  REQUIRE(accepted.ok());

  SECTION("a tampered message") {
    v1::ExchangeMessage tampered = federation.SignedRequest(federation.consumer_signing(), "t-1");
    tampered.mutable_headers(1)->set_value("/citizens/079999999999");
    CHECK(federation.SendAsPeer(tampered).status().reason() ==
          "Server.ServerProxy.InvalidSignatureValue");
  }
  SECTION("a tampered signature") {
    v1::ExchangeMessage forged = federation.SignedRequest(federation.consumer_signing(), "t-2");
    std::string& value = *forged.mutable_signature()->mutable_signature()->mutable_value();
    value[value.size() / 2] ^= 0x01;
    CHECK(federation.SendAsPeer(forged).status().reason() ==
          "Server.ServerProxy.InvalidSignatureValue");
  }
  SECTION("a revoked signing certificate") {
    const Status status =
        federation.SendAsPeer(federation.SignedRequest(federation.revoked_signing(), "r-1"))
            .status();
    CHECK(status.reason() == "Server.ServerProxy.InvalidSignatureValue");
    CHECK(status.message().find("revoked") != std::string::npos);
  }
  SECTION("a replayed message id") {
    CHECK(federation.SendAsPeer(genuine).status().reason() ==
          "Server.ServerProxy.DuplicateMessageId");
    // The same through the REST interface, with the caller's own X-Road-Id.
    CHECK(federation.CallCitizens("GET", "/citizens/1", {{"X-Road-Id", "once-only-42"}}).status ==
          200);
    const net::HttpResponse again =
        federation.CallCitizens("GET", "/citizens/1", {{"X-Road-Id", "once-only-42"}});
    CHECK(ErrorType(again) == "Server.ServerProxy.DuplicateMessageId");
  }
}

TEST_CASE("A provider served by several gateways is reached through a healthy one") {
  const std::string transport = Transport();
  INFO("transport " << transport);
  // The configuration registers a second gateway of the provider that is down.
  GatewayFederation federation({.exchange_transport = transport});
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

TEST_CASE("A TSA outage past the tolerance closes the gateways; the backlog is sealed after it") {
  GatewayFederation federation({.timestamping_tolerance = "2s"});
  REQUIRE(federation.CallCitizens("GET", "/citizens/1").status == 200);
  federation.SetTsaAvailable(false);
  CHECK(federation.CallCitizens("GET", "/citizens/2").status == 200);  // Within the tolerance.
  std::this_thread::sleep_for(std::chrono::milliseconds(3'000));
  const net::HttpResponse refused = federation.CallCitizens("GET", "/citizens/3");
  INFO(refused.body);
  CHECK(ErrorType(refused) == "Server.ClientProxy.LoggingFailed");
  CHECK(refused.body.find("timestamp") != std::string::npos);

  federation.SetTsaAvailable(true);
  bool reopened = false;
  for (int attempt = 0; attempt < 50 && !reopened; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    reopened = federation.CallCitizens("GET", "/citizens/4").status == 200;
  }
  CHECK(reopened);
  federation.StopGateways();

  // The consumer's latest sealed head covers the backlog: both exchanges made before and during
  // the outage (two records each), with a timestamp token.
  const auto store = storage::RocksDbStore::Open(federation.StorePath("consumer")).value();
  const std::optional<std::string> latest_key = store->Get("sth-latest").value();
  REQUIRE(latest_key.has_value());
  const std::optional<std::string> latest = store->Get(*latest_key).value();
  REQUIRE(latest.has_value());
  v1::SignedTreeHead sealed;
  REQUIRE(sealed.ParseFromString(*latest));
  CHECK(sealed.head().size() >= 4);
  CHECK_FALSE(sealed.timestamp_token().empty());
}

// Information systems calling the citizens service through the consumer's gateway from several
// threads, until stopped; keeps the message id (X-Road-Id) of every call whose caller was told
// it succeeded. Every call has the purpose kUnderLoad.
class CallsUnderLoad {
 public:
  static constexpr char kUnderLoad[] = "HS-under-load";

  CallsUnderLoad(const std::string& rest_endpoint, int clients) {
    const std::string url =
        fmt::format("http://{}/r1/{}/citizens/", rest_endpoint, testing::kCitizens);
    for (int client = 0; client < clients; ++client) {
      threads_.emplace_back([this, url, client] {
        net::HttpHeaders headers;
        headers.Add("X-Road-Client", testing::kClient);
        headers.Add("X-Road-Issue", kUnderLoad);
        for (int call = 0; !stopping_; ++call) {
          const StatusOr<net::HttpResponse> response =
              net::HttpFetch("GET", fmt::format("{}{}-{}", url, client, call), headers, "");
          if (!response.ok() || response->status != 200) continue;
          std::lock_guard lock(mu_);
          succeeded_.insert(response->headers.Get("X-Road-Id").value_or("(no X-Road-Id)"));
          succeeded_cv_.notify_all();
        }
      });
    }
  }
  CallsUnderLoad(const CallsUnderLoad&) = delete;
  CallsUnderLoad& operator=(const CallsUnderLoad&) = delete;
  ~CallsUnderLoad() { Stop(); }

  // Waits until `count` calls have succeeded; false if they have not within `timeout`.
  bool WaitForSuccesses(size_t count, std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    return succeeded_cv_.wait_for(lock, timeout, [&] { return succeeded_.size() >= count; });
  }

  // Stops the callers, letting calls in flight finish or fail; returns the message ids of the
  // calls that succeeded.
  std::set<std::string> Stop() {
    stopping_ = true;
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
    std::lock_guard lock(mu_);
    return succeeded_;
  }

 private:
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable succeeded_cv_;
  std::set<std::string> succeeded_;  // Guarded by mu_.
  std::vector<std::thread> threads_;
};

TEST_CASE(
    "A gateway killed with SIGKILL under load and restarted still holds every exchange whose "
    "caller saw success, and the log verifies") {
  for (const std::string killed : {"consumer", "provider"}) {
    DYNAMIC_SECTION("the " << killed << "'s gateway is killed") {
      GatewayFederation federation;
      std::set<std::string> acknowledged;
      {
        CallsUnderLoad load(federation.rest_endpoint(), 8);
        REQUIRE(load.WaitForSuccesses(200, std::chrono::seconds(30)));
        CHECK(federation.KillGateway(killed, SIGKILL) == 128 + SIGKILL);
        acknowledged = load.Stop();
      }
      // A gateway whose log lost records that a sealed tree head covers refuses to start.
      REQUIRE_NOTHROW(federation.RestartGateway(killed));
      const net::HttpResponse after_restart = federation.CallCitizens(
          "GET", "/citizens/after-restart", {{"X-Road-Issue", CallsUnderLoad::kUnderLoad}});
      REQUIRE(after_restart.status == 200);
      acknowledged.insert(after_restart.headers.Get("X-Road-Id").value_or(""));
      federation.StopGateways();

      // Both gateways took part in every acknowledged exchange: each logged its request and its
      // response on its own side, the killed one included. And the figures agree: every response
      // the consumer logged, the provider logged first (it logs before it answers); the provider
      // may hold more, answered while the consumer died.
      std::map<std::string, std::set<std::string>> answered;
      for (const std::string name : {"consumer", "provider"}) {
        INFO(name << "'s log, " << acknowledged.size() << " acknowledged exchanges");
        const v1::AuditRecord::Side side =
            name == "consumer" ? v1::AuditRecord::SIDE_CONSUMER : v1::AuditRecord::SIDE_PROVIDER;
        std::set<std::string> requests, responses;
        for (const v1::AuditRecord& record :
             LoggedRecords(federation, name, CallsUnderLoad::kUnderLoad)) {
          if (record.side() != side) continue;
          if (record.kind() == v1::AuditRecord::KIND_REQUEST) requests.insert(record.message_id());
          if (record.kind() == v1::AuditRecord::KIND_RESPONSE) {
            responses.insert(record.message_id());
          }
        }
        answered[name] = responses;
        std::vector<std::string> unlogged;
        for (const std::string& id : acknowledged) {
          if (requests.count(id) == 0 || responses.count(id) == 0) unlogged.push_back(id);
        }
        INFO(
            "not logged as request and response: " << fmt::format("{}", fmt::join(unlogged, ", ")));
        CHECK(unlogged.empty());
      }
      std::vector<std::string> consumer_only;
      std::set_difference(answered["consumer"].begin(), answered["consumer"].end(),
                          answered["provider"].begin(), answered["provider"].end(),
                          std::back_inserter(consumer_only));
      INFO("responses the consumer logged and the provider did not: " << fmt::format(
               "{}", fmt::join(consumer_only, ", ")));
      CHECK(consumer_only.empty());
      CHECK(answered["consumer"].size() >= acknowledged.size());

      // Every tree head the killed gateway sealed, before the kill or after, is a prefix of its
      // log as it is now.
      const auto store = storage::RocksDbStore::Open(federation.StorePath(killed)).value();
      const auto log = gateway::audit::AuditLog::Open(*store, {}).value();
      const gateway::audit::TreeHead head = log->Head();
      std::vector<std::string> sealed_heads;
      REQUIRE(store
                  ->Scan("sth/", "",
                         [&](std::string_view, std::string_view value) {
                           sealed_heads.emplace_back(value);
                           return true;
                         })
                  .ok());
      REQUIRE_FALSE(sealed_heads.empty());
      for (const std::string& stored : sealed_heads) {
        v1::SignedTreeHead sealed;
        REQUIRE(sealed.ParseFromString(stored));
        INFO("sealed head of " << sealed.head().size() << " records, log of " << head.size);
        const StatusOr<std::vector<std::string>> proof =
            log->ConsistencyProof(sealed.head().size(), head.size);
        REQUIRE(proof.ok());
        CHECK(merkle::VerifyConsistency(sealed.head().size(), head.size, *proof,
                                        sealed.head().root_hash(), head.root)
                  .ok());
      }
    }
  }
}

TEST_CASE("A gateway with its audit log disabled serves exchanges and keeps no record of them") {
  // The default is on: "Both gateways log an exchange, ..." above runs with no [audit] enabled.
  GatewayFederation federation({.audit_enabled = false});
  const net::HttpResponse response = federation.CallCitizens("GET", "/citizens/079123456789");
  INFO(response.body);
  CHECK(response.status == 200);
  federation.StopGateways();
  for (const std::string name : {"consumer", "provider"}) {
    INFO(name);
    CHECK(federation.GatewayOutput(name).find(
              "audit log disabled: exchanges leave no evidence; for benchmarks only") !=
          std::string::npos);
    const auto store = storage::RocksDbStore::Open(federation.StorePath(name)).value();
    size_t audit_keys = 0;
    for (const std::string_view prefix : {"audit/", "sth"}) {
      REQUIRE(store
                  ->Scan(prefix, "",
                         [&](std::string_view, std::string_view) {
                           ++audit_keys;
                           return true;
                         })
                  .ok());
    }
    CHECK(audit_keys == 0);
  }
}

}  // namespace
}  // namespace truc
