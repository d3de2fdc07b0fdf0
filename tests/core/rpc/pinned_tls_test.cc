#include "core/rpc/pinned_tls.h"

#include <atomic>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/base/clock.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_federation.h"
#include "truc/v1/gateway_exchange.grpc.pb.h"

namespace truc::rpc {
namespace {

using testing::TestFederation;

TlsIdentity IdentityOf(const testing::KeyAndCertificate& leaf) {
  return TlsIdentity{leaf.certificate.ToPem(), std::string(leaf.key.ToPem().reveal())};
}

// A check that accepts exactly one certificate, and counts its calls.
struct Pin {
  std::string fingerprint;
  std::atomic<int> calls{0};

  PeerCheck Check() {
    return [this](const crypto::Certificate& leaf, std::span<const crypto::Certificate>) {
      ++calls;
      if (leaf.Fingerprint() == fingerprint) return OkStatus();
      return PermissionDeniedError("not the pinned certificate", "test.unpinned");
    };
  }
};

// Answers every exchange with the message it was sent.
class EchoService final : public v1::GatewayExchange::Service {
  grpc::Status Exchange(grpc::ServerContext*, const v1::ExchangeMessage* request,
                        v1::ExchangeMessage* response) override {
    *response = *request;
    return grpc::Status::OK;
  }
};

// An echo server on loopback with pinned mutual TLS.
struct EchoServer {
  EchoService service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;

  EchoServer(const TlsIdentity& identity, PeerCheck check) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", PinnedTlsServerCredentials(identity, std::move(check)),
                             &port);
    builder.RegisterService(&service);
    server = builder.BuildAndStart();
  }
  ~EchoServer() { server->Shutdown(); }
};

// Sends one message; returns the status of the call.
grpc::Status CallEcho(int port, const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  // The host name is deliberately not one the server's certificate names: pinning ignores it.
  const auto stub = v1::GatewayExchange::NewStub(
      grpc::CreateChannel(fmt::format("localhost:{}", port), credentials));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::ExchangeMessage request;
  request.set_body("ping");
  v1::ExchangeMessage response;
  const grpc::Status status = stub->Exchange(&context, request, &response);
  UNSCOPED_INFO("call: " << status.error_message() << " " << status.error_details());
  if (status.ok()) CHECK(response.body() == "ping");
  return status;
}

TEST_CASE("Pinned TLS: both sides accept only the certificates their checks accept") {
  REQUIRE(RequireTls13ByDefault().ok());
  const TestFederation federation(SystemClock::Instance().Now());
  const auto server_leaf =
      federation.Issue(pki::Profile::kGatewayTls, "VN/GOV/000100/gw1", {"IP:127.0.0.1"});
  const auto client_leaf =
      federation.Issue(pki::Profile::kGatewayTls, "VN/GOV/000200/gw1", {"IP:127.0.0.1"});
  const auto stranger =
      federation.Issue(pki::Profile::kGatewayTls, "VN/GOV/000900/gw1", {"IP:127.0.0.1"});

  Pin server_pin{client_leaf.certificate.Fingerprint()};
  EchoServer server(IdentityOf(server_leaf), server_pin.Check());
  REQUIRE(server.port != 0);

  Pin client_pin{server_leaf.certificate.Fingerprint()};
  CHECK(CallEcho(server.port,
                 PinnedTlsChannelCredentials(IdentityOf(client_leaf), client_pin.Check()))
            .ok());
  CHECK(server_pin.calls > 0);
  CHECK(client_pin.calls > 0);

  SECTION("a server that is not the pinned one is refused by the client") {
    Pin wrong{stranger.certificate.Fingerprint()};
    const grpc::Status status =
        CallEcho(server.port, PinnedTlsChannelCredentials(IdentityOf(client_leaf), wrong.Check()));
    CHECK(status.error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK(wrong.calls > 0);
  }
  SECTION("a client the server's check refuses cannot call") {
    const grpc::Status status = CallEcho(
        server.port, PinnedTlsChannelCredentials(IdentityOf(stranger), client_pin.Check()));
    CHECK(status.error_code() == grpc::StatusCode::UNAVAILABLE);
  }
  SECTION("identities that carry their issuers are pinned by their leaf, on both sides") {
    const std::string issuer = federation.root().certificate.ToPem();
    TlsIdentity client_chain = IdentityOf(client_leaf);
    client_chain.certificate_chain_pem += issuer;
    TlsIdentity server_chain = IdentityOf(server_leaf);
    server_chain.certificate_chain_pem += issuer;
    EchoServer chained(server_chain, server_pin.Check());
    CHECK(
        CallEcho(chained.port, PinnedTlsChannelCredentials(client_chain, client_pin.Check())).ok());
  }
  SECTION("TLS 1.2 is refused, TLS 1.3 negotiated") {
    const std::string s_client =
        fmt::format("openssl s_client -connect 127.0.0.1:{} </dev/null 2>&1", server.port);
    const testing::CommandResult tls12 = testing::RunCommand(s_client + " -tls1_2");
    INFO(tls12.output);
    CHECK(tls12.output.find("Cipher is (NONE)") != std::string::npos);
    const testing::CommandResult tls13 = testing::RunCommand(s_client + " -tls1_3");
    INFO(tls13.output);
    CHECK(tls13.output.find("New, TLSv1.3") != std::string::npos);
  }
}

TEST_CASE("A TLS identity must have its key protected and matching its certificate") {
  testing::TempDir dir;
  const TestFederation federation(SystemClock::Instance().Now());
  const auto leaf =
      federation.Issue(pki::Profile::kGatewayTls, "VN/GOV/000100/gw1", {"IP:127.0.0.1"});
  const auto other =
      federation.Issue(pki::Profile::kGatewayTls, "VN/GOV/000100/gw2", {"IP:127.0.0.1"});
  TestFederation::Write(leaf, dir.path(), "gw1");
  TestFederation::Write(other, dir.path(), "gw2");
  CHECK(LoadTlsIdentity(dir.path() + "/gw1.pem", dir.path() + "/gw1.key").ok());
  const auto mismatch = LoadTlsIdentity(dir.path() + "/gw1.pem", dir.path() + "/gw2.key");
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.status().reason() == "rpc.key_mismatch");
}

}  // namespace
}  // namespace truc::rpc
