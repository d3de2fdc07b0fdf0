// The defects a hostile-input probe found on loopback, each reproduced as the attacker sent it
// and checked as the caller, the backend and the auditor see it afterwards: request smuggling
// through the gRPC API, audit log poisoning by bytes that are not UTF-8, records too large for
// the auditor, a response over the limit logged differently on the two sides, transfer codings
// and trailers, callers queued instead of refused, invalid methods, ports shared by two gateways,
// and an unregistered client told the wrong error.
#include <atomic>
#include <functional>
#include <future>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include "core/base/file.h"
#include "tests/integration/logged_records.h"
#include "tests/support/gateway_federation.h"
#include "tests/support/raw_socket.h"

namespace truc {
namespace {

using testing::GatewayFederation;
using testing::kCitizens;
using testing::kClient;

constexpr char kCitizen[] = "VN079123456789";

std::string ErrorType(const net::HttpResponse& response) {
  return response.headers.Get("X-Road-Error").value_or("");
}

std::string Succeeds(const testing::CommandResult& result) {
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  return result.output;
}

v1::CallRequest CitizenCall(const std::string& path) {
  v1::CallRequest request;
  *request.mutable_client() = ids::ToProto(ids::SubsystemId::Parse(kClient).value());
  *request.mutable_service() = ids::ToProto(ids::ServiceId::Parse(kCitizens).value());
  request.set_method("GET");
  request.set_path(path);
  return request;
}

grpc::Status GrpcCall(const GatewayFederation& federation, const v1::CallRequest& request,
                      v1::CallResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return federation.GrpcApi()->Call(&context, request, response);
}

// Sends `bytes` on a new connection to `endpoint` ("127.0.0.1:port"); what came back.
std::string RawExchange(const std::string& endpoint, const std::string& bytes) {
  return testing::RawExchange(testing::PortOf(endpoint), bytes);
}

std::vector<v1::AuditRecord> AllRecords(const GatewayFederation& federation,
                                        const std::string& name) {
  return testing::LoggedRecords(federation, name);
}

TEST_CASE("Defect 1: CR/LF smuggled through the gRPC API never reaches the backend") {
  GatewayFederation federation;
  const int before = federation.backend_requests();
  const std::string smuggled =
      "u2\r\nContent-Length: 0\r\n\r\nGET /api/SMUGGLED-not-granted HTTP/1.1\r\nHost: x\r\nX-Pad: ";
  const std::string injected = "u1\r\nX-Injected: yes\r\nX-Road-Client: VN/GOV/999999/spoofed";

  const auto refused = [&](const v1::CallRequest& request, const std::string& field) {
    INFO(field);
    v1::CallResponse response;
    const grpc::Status status = GrpcCall(federation, request, &response);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(status.error_details() == "Client.BadRequest");
    CHECK(status.error_message().starts_with(field));
  };
  for (const std::string& value : {smuggled, injected}) {
    v1::CallRequest request = CitizenCall("/citizens/079123456789");
    request.set_user_id(value);
    refused(request, "user id");
    request = CitizenCall("/citizens/079123456789");
    request.set_message_id(value);
    refused(request, "message id");
    request = CitizenCall("/citizens/079123456789");
    request.set_purpose(value);
    refused(request, "purpose");
    request = CitizenCall("/citizens/079123456789");
    v1::Header* header = request.add_headers();
    header->set_name("X-Custom");
    header->set_value(value);
    refused(request, "request header X-Custom");
    request = CitizenCall("/citizens/079123456789?q=" + value);
    refused(request, "path");
  }
  v1::CallRequest request = CitizenCall("/citizens/079123456789");
  v1::Header* header = request.add_headers();
  header->set_name("X-Injected: yes\r\nX-Road-Client");
  header->set_value("VN/GOV/999999/spoofed");
  refused(request, "request header name");
  CHECK(federation.backend_requests() == before);

  // A clean call still goes through, carrying only what the client sent.
  request = CitizenCall("/citizens/079123456789");
  request.set_user_id(kCitizen);
  v1::CallResponse response;
  REQUIRE(GrpcCall(federation, request, &response).ok());
  CHECK(federation.backend_requests() == before + 1);
  const nlohmann::json echo = nlohmann::json::parse(response.body());
  CHECK(echo["X-Road-UserId"] == kCitizen);
  CHECK(echo["X-Road-Client"] == kClient);

  // Nothing refused was logged: each log holds the one clean exchange.
  federation.StopGateways();
  for (const std::string name : {"consumer", "provider"}) {
    const std::vector<v1::AuditRecord> records = AllRecords(federation, name);
    REQUIRE(records.size() == 2);
    CHECK(records[0].user_id() == kCitizen);
  }
}

TEST_CASE("Defect 2: bytes that are not UTF-8 are refused and the audit log stays readable") {
  GatewayFederation federation;
  const int before = federation.backend_requests();
  REQUIRE(federation.CallCitizens("GET", "/citizens/1", {{"X-Road-UserId", kCitizen}}).status ==
          200);
  SECTION("in the user id, a header and the path, as the probe sent them") {
    const net::HttpResponse user =
        federation.CallCitizens("GET", "/citizens/1", {{"X-Road-UserId", "Nguy\xean"}});
    CHECK(user.status == 400);
    CHECK(ErrorType(user) == "Client.BadRequest");
    CHECK(nlohmann::json::parse(user.body)["message"] ==
          "user id \"Nguy\\xean\" is not valid UTF-8");
    const net::HttpResponse custom =
        federation.CallCitizens("GET", "/citizens/1", {{"X-Custom", "Nguy\xean"}});
    CHECK(ErrorType(custom) == "Client.BadRequest");
    const net::HttpResponse path = federation.CallCitizens("GET", "/citizens/Nguy\xean");
    CHECK(ErrorType(path) == "Client.BadRequest");
    const net::HttpResponse query = federation.CallCitizens("GET", "/citizens/1?name=Nguy\xean");
    CHECK(ErrorType(query) == "Client.BadRequest");
    CHECK(federation.backend_requests() == before + 1);
  }
  SECTION("in a backend's response header") {
    const net::HttpResponse answer = federation.CallCitizens("GET", "/citizens/latin1-header");
    CHECK(answer.status == 500);
    CHECK(ErrorType(answer) == "Server.ServerProxy.ServiceFailed");
    CHECK(nlohmann::json::parse(answer.body)["message"] ==
          "the backend's response header X-Name \"Nguy\\xean\" is not valid UTF-8");
  }
  // Then a clean exchange, and the auditor reads and verifies everything.
  REQUIRE(federation.CallCitizens("GET", "/citizens/2", {{"X-Road-UserId", kCitizen}}).status ==
          200);
  for (const std::string name : {"consumer", "provider"}) {
    INFO(name);
    const nlohmann::json rows = nlohmann::json::parse(Succeeds(
        federation.Audit(name, fmt::format("query --user-id {} --all --format json", kCitizen))));
    CHECK(rows.size() == 2);
    testing::CommandResult verified;
    for (int attempt = 0; attempt < 50; ++attempt) {  // Until a head covers every record.
      verified = federation.Audit(name, "verify --anchor " + federation.RootCaFile());
      if (verified.exit_code == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Succeeds(verified);
  }
}

TEST_CASE("Defect 3: an auditor reads and verifies a record of 10 MiB through the audit API") {
  // Ten MiB signed, digested and fsync'd twice per side takes a while under sanitizers.
  GatewayFederation federation({.exchange_timeout = "60s"});
  const std::string body(10 * 1024 * 1024 - 4096, 'n');
  const net::HttpResponse posted =
      federation.CallCitizens("POST", "/citizens/079123456789/notes",
                              {{"X-Road-UserId", kCitizen}, {"X-Road-Issue", "HS-BIG"}}, body);
  REQUIRE(posted.status == 200);
  REQUIRE(federation.CallCitizens("GET", "/citizens/1", {{"X-Road-Issue", "HS-SMALL"}}).status ==
          200);
  for (const std::string name : {"consumer", "provider"}) {
    INFO(name);
    const nlohmann::json rows =
        nlohmann::json::parse(Succeeds(federation.Audit(name, "query --all --format json")));
    CHECK(rows.size() == 2);
    const std::string shown = Succeeds(federation.Audit(
        name, "show --format json --message-id " + posted.headers.Get("X-Road-Id").value_or("")));
    CHECK(shown.find("HS-BIG") != std::string::npos);
    testing::CommandResult verified;
    for (int attempt = 0; attempt < 50; ++attempt) {
      verified = federation.Audit(name, "verify --anchor " + federation.RootCaFile());
      if (verified.exit_code == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Succeeds(verified);
  }
}

TEST_CASE("Defect 4: a response over the limit is refused before signing, the same on both sides") {
  GatewayFederation federation;
  const net::HttpResponse answer = federation.CallCitizens(
      "GET", fmt::format("/citizens/bytes-{}", (10 << 20) + 1), {{"X-Road-Issue", "HS-OVERSIZED"}});
  CHECK(answer.status == 500);
  CHECK(ErrorType(answer) == "Server.ServerProxy.ServiceFailed");
  // At the limit, it passes.
  const net::HttpResponse at_limit =
      federation.CallCitizens("GET", fmt::format("/citizens/bytes-{}", 10 << 20));
  CHECK(at_limit.status == 200);
  CHECK(at_limit.body.size() == size_t{10} << 20);
  federation.StopGateways();
  for (const std::string name : {"consumer", "provider"}) {
    INFO(name);
    const std::vector<v1::AuditRecord> records = AllRecords(federation, name);
    REQUIRE(records.size() == 4);
    CHECK(records[0].purpose() == "HS-OVERSIZED");
    CHECK(records[1].kind() == v1::AuditRecord::KIND_FAILURE);
    CHECK(records[1].error_type() == "Server.ServerProxy.ServiceFailed");
    CHECK(records[3].kind() == v1::AuditRecord::KIND_RESPONSE);
    CHECK(records[3].http_status() == 200);
  }
}

TEST_CASE("Defect 5: transfer codings other than chunked are refused; trailers are not headers") {
  GatewayFederation federation;
  const int before = federation.backend_requests();
  const std::string target = fmt::format("/r1/{}/citizens/1", kCitizens);
  for (const std::string coding : {"xchunked", "identity", "chunked, identity"}) {
    INFO(coding);
    const std::string reply = RawExchange(
        federation.rest_endpoint(),
        fmt::format("POST {0} HTTP/1.1\r\nHost: x\r\nX-Road-Client: {1}\r\nTransfer-Encoding: {2}"
                    "\r\n\r\nGET {0} HTTP/1.1\r\nHost: x\r\nX-Road-Client: {1}\r\n\r\n",
                    target, kClient, coding));
    CHECK((reply.starts_with("HTTP/1.1 501") || reply.starts_with("HTTP/1.1 400")));
    CHECK(reply.find("HTTP/1.1", 1) == std::string::npos);  // One answer: no second request.
  }
  CHECK(federation.backend_requests() == before);

  const std::string reply = RawExchange(
      federation.rest_endpoint(),
      fmt::format("POST {}/notes HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Road-Client: {}\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n4\r\nnote\r\n0\r\n"
                  "X-Road-Client: VN/GOV/999999/spoofed\r\nX-Road-UserId: trailer\r\n\r\n",
                  target, kClient));
  CHECK(reply.starts_with("HTTP/1.1 200"));
  const nlohmann::json echo = federation.last_backend_request();
  CHECK(echo["X-Road-Client"] == kClient);
  CHECK(echo["X-Road-UserId"] == "");
  CHECK(echo["body"] == "note");
}

// Starts two calls the backend answers after 3 s, and returns once both are at the backend.
std::vector<std::future<net::HttpResponse>> TwoSlowCallsAtTheBackend(
    GatewayFederation& federation) {
  const int before = federation.backend_requests();
  std::vector<std::future<net::HttpResponse>> slow;
  for (int i = 0; i < 2; ++i) {
    slow.push_back(std::async(std::launch::async, [&federation] {
      return federation.CallCitizens("GET", "/citizens/slow-3000");
    }));
  }
  for (int attempt = 0; attempt < 100 && federation.backend_requests() < before + 2; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(federation.backend_requests() == before + 2);
  return slow;
}

TEST_CASE("Defect 6: callers beyond the gateway's capacity get TooManyRequests, not a queue") {
  GatewayFederation federation({.consumer_settings = "max_concurrent_calls = 2"});
  const int before = federation.backend_requests();
  // Both slow calls are at the backend: the gateway has no room left.
  std::vector<std::future<net::HttpResponse>> slow = TwoSlowCallsAtTheBackend(federation);
  const net::HttpResponse refused = federation.CallCitizens("GET", "/citizens/1");
  CHECK(refused.status == 500);
  CHECK(ErrorType(refused) == "Server.ClientProxy.TooManyRequests");
  CHECK(federation.backend_requests() == before + 2);  // Refused, not queued for later.
  for (auto& call : slow) CHECK(call.get().status == 200);
  CHECK(federation.CallCitizens("GET", "/citizens/1").status == 200);
}

TEST_CASE("Requests beyond the provider's capacity get TooManyRequests at once, not a queue") {
  GatewayFederation federation({.provider_settings = "max_concurrent_calls = 2"});
  const int before = federation.backend_requests();
  // Both slow calls are at the backend: the gateway has no room left.
  std::vector<std::future<net::HttpResponse>> slow = TwoSlowCallsAtTheBackend(federation);
  const auto started = std::chrono::steady_clock::now();
  const net::HttpResponse refused = federation.CallCitizens("GET", "/citizens/1");
  INFO(refused.body);
  CHECK(ErrorType(refused) == "Server.ServerProxy.TooManyRequests");
  // At once: well before the slow calls end (3 s).
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(2500));
  CHECK(federation.backend_requests() == before + 2);
  for (auto& call : slow) CHECK(call.get().status == 200);
  CHECK(federation.CallCitizens("GET", "/citizens/1").status == 200);
}

TEST_CASE("Defect 7: an invalid method is the client's error, and nothing is signed or logged") {
  GatewayFederation federation;
  const int before = federation.backend_requests();
  for (const std::string& method :
       std::vector<std::string>{"FOOBAR", "get", std::string(4096, 'G')}) {
    INFO(method.substr(0, 10));
    const std::string reply =
        RawExchange(federation.rest_endpoint(),
                    fmt::format("{} /r1/{}/citizens/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                "X-Road-Client: {}\r\n\r\n",
                                method, kCitizens, kClient));
    CHECK(reply.starts_with("HTTP/1.1 400"));
    CHECK(reply.find("X-Road-Error: Client.BadRequest") != std::string::npos);
  }
  // TRACE with a body (found by the rest_request fuzz target): Beast throws writing it, which
  // would have ended the provider's gateway; now the caller's error.
  const std::string trace =
      RawExchange(federation.rest_endpoint(),
                  fmt::format("TRACE /r1/{}/citizens/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                              "X-Road-Client: {}\r\nContent-Length: 4\r\n\r\nbody",
                              kCitizens, kClient));
  CHECK(trace.starts_with("HTTP/1.1 400"));
  CHECK(trace.find("a TRACE request carries no body") != std::string::npos);
  CHECK(federation.backend_requests() == before);
  CHECK(federation.CallCitizens("GET", "/citizens/1").status == 200);
  federation.StopGateways();
  CHECK(AllRecords(federation, "consumer").size() == 2);
}

TEST_CASE("Defect 8: a second gateway on ports already taken fails to start, saying why") {
  const std::string transport = GENERATE(as<std::string>{}, "grpc", "https", "http2");
  INFO("transport " << transport);
  GatewayFederation federation({.exchange_transport = transport});
  for (const std::string name : {"provider", "consumer"}) {
    INFO(name);
    // The same configuration, but its own data directory (the store's lock would stop it first)
    // and the running gateway's exchange port.
    std::string config = ReadFile(federation.ConfigFile(name)).value();
    const std::string exchange = federation.ExchangeEndpoint(name);
    const std::string port = exchange.substr(exchange.rfind(':') + 1);
    const auto replace = [&](const std::string& from, const std::string& to) {
      const size_t at = config.find(from);
      REQUIRE(at != std::string::npos);
      config.replace(at, from.size(), to);
    };
    replace(fmt::format("data_dir = \"{}-data\"", name), fmt::format("data_dir = \"{}-2\"", name));
    replace("[exchange]\nport = 0", "[exchange]\nport = " + port);
    const std::string copy = federation.File(name + "-second.toml");
    REQUIRE(WriteFileAtomically(copy, config, 0644).ok());
    const std::string log = federation.File(name + "-second.log");
    auto second = testing::ChildProcess::Start(
        {TRUC_GATEWAY_BINARY, "--config", copy, "--ready-file", federation.File("second.ready")},
        log);
    CHECK(second->Wait() != 0);
    const std::string output = ReadFile(log).value_or("");
    CHECK(output.find(fmt::format("cannot listen on 127.0.0.1:{} for other gateways", port)) !=
          std::string::npos);
  }
  // The first gateways still serve, alone.
  CHECK(federation.CallCitizens("GET", "/citizens/1").status == 200);
}

TEST_CASE("Defect 9: an unregistered client gets UnknownMember before any authentication") {
  GatewayFederation federation;
  const net::HttpResponse response =
      federation.Rest("GET", fmt::format("/r1/{}/citizens/1", kCitizens),
                      {{"X-Road-Client", "VN/GOV/000200/unregistered"}});
  CHECK(response.status == 500);
  CHECK(ErrorType(response) == "Server.ClientProxy.UnknownMember");
  v1::CallRequest request = CitizenCall("/citizens/1");
  *request.mutable_client() =
      ids::ToProto(ids::SubsystemId::Parse("VN/GOV/000200/unregistered").value());
  v1::CallResponse answer;
  CHECK(GrpcCall(federation, request, &answer).error_details() ==
        "Server.ClientProxy.UnknownMember");
}

TEST_CASE("A peer gateway's request with fields the consumer side would refuse is refused too") {
  GatewayFederation federation;
  const int before = federation.backend_requests();
  const auto send = [&](const std::string& id,
                        const std::function<void(gateway::ServiceRequest&)>& modify) {
    return federation
        .SendAsPeer(federation.SignedRequest(federation.consumer_signing(), id, modify))
        .status();
  };
  const Status injected = send(
      "p-1", [](gateway::ServiceRequest& request) { request.user_id = "u1\r\nX-Injected: yes"; });
  CHECK(injected.reason() == "Server.ServerProxy.InvalidRequest");
  CHECK(injected.message().starts_with("user id"));
  const Status method =
      send("p-2", [](gateway::ServiceRequest& request) { request.method = "FOOBAR"; });
  CHECK(method.reason() == "Server.ServerProxy.InvalidRequest");
  // A second user id among the header fields, which the backend would otherwise be given.
  const Status twice = send("p-3", [](gateway::ServiceRequest& request) {
    request.user_id = kCitizen;
    request.headers.emplace_back("x-road-userid", "somebody-else");
  });
  CHECK(twice.reason() == "Server.ServerProxy.InvalidRequest");
  CHECK(twice.message() == "the request carries its x-road-userid field twice");
  const Status host = send("p-4", [](gateway::ServiceRequest& request) {
    request.headers.emplace_back("Host", "internal.example");
  });
  CHECK(host.reason() == "Server.ServerProxy.InvalidRequest");
  CHECK(federation.backend_requests() == before);
  CHECK(send("p-5", nullptr).ok());
  CHECK(federation.backend_requests() == before + 1);
}

TEST_CASE("X-Road ids and framing fields sent as headers cannot differ from what is signed") {
  GatewayFederation federation;
  SECTION("REST: the last X-Road-UserId of any case counts, and only it reaches the backend") {
    const net::HttpResponse response = federation.CallCitizens("GET", "/citizens/1",
                                                               {{"x-road-userid", "somebody-else"},
                                                                {"X-Road-UserId", kCitizen},
                                                                {"X-Road-Issue", "HS-7"}});
    REQUIRE(response.status == 200);
    const nlohmann::json echo = nlohmann::json::parse(response.body);
    CHECK(echo["X-Road-UserId"] == kCitizen);
    federation.StopGateways();
    for (const std::string name : {"consumer", "provider"}) {
      const std::vector<v1::AuditRecord> records = AllRecords(federation, name);
      REQUIRE(records.size() == 2);
      CHECK(records[0].user_id() == kCitizen);
      for (const v1::Header& header : records[0].headers()) {
        CHECK(header.value() != "somebody-else");
      }
    }
  }
  SECTION("gRPC API: X-Road, Host and framing headers are dropped like REST drops them") {
    v1::CallRequest request = CitizenCall("/citizens/1");
    request.set_user_id(kCitizen);
    for (const auto& [name, value] :
         std::vector<std::pair<std::string, std::string>>{{"X-Road-UserId", "somebody-else"},
                                                          {"x-road-id", "forged-id"},
                                                          {"Host", "internal.example"},
                                                          {"Content-Length", "0"},
                                                          {"Transfer-Encoding", "chunked"},
                                                          {"X-Custom", "kept"}}) {
      v1::Header* header = request.add_headers();
      header->set_name(name);
      header->set_value(value);
    }
    v1::CallResponse response;
    const grpc::Status status = GrpcCall(federation, request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
    const nlohmann::json echo = nlohmann::json::parse(response.body());
    CHECK(echo["X-Road-UserId"] == kCitizen);
    CHECK(echo["X-Road-Id"] == response.message_id());
    CHECK(echo["X-Road-Id"] != "forged-id");
    CHECK(echo["Host"] != "internal.example");
    CHECK(echo["X-Custom"] == "kept");
  }
}

}  // namespace
}  // namespace truc
