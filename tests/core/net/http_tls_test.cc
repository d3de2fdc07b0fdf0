#include <atomic>
#include <chrono>

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "core/base/encoding.h"
#include "core/net/http_client.h"
#include "core/net/http_server.h"
#include "tests/core/net/test_peers.h"

namespace truc::net {
namespace {

using testing::TlsFiles;

// Answers with the request's body and the client certificate's fingerprint in hex ("none").
void FingerprintHandler(HttpRequest request, HttpResponder respond) {
  const std::string& fingerprint = request.peer_certificate_fingerprint;
  respond(
      MakeResponse(200, "text/plain",
                   request.body + " " + (fingerprint.empty() ? "none" : HexEncode(fingerprint))));
}

std::unique_ptr<HttpServer> StartTlsServer(TlsServerOptions tls,
                                           HttpHandler handler = FingerprintHandler) {
  HttpServerOptions options;
  options.tls = std::move(tls);
  return HttpServer::Start(std::move(options), std::move(handler)).value();
}

StatusOr<HttpResponse> Post(const HttpServer& server, TlsClientOptions tls,
                            const std::string& body = "hello") {
  HttpClientOptions options;
  options.tls = std::move(tls);
  return HttpFetch("POST", "https://" + server.endpoint() + "/", {}, body, options);
}

TEST_CASE("HTTPS: the client verifies the server's certificate and name", "[net][tls]") {
  TlsFiles files;
  files.Issue("server", {"IP:127.0.0.1"});

  SECTION("a server whose certificate chains to the CA file and names the host is reached") {
    auto server = StartTlsServer(files.Server("server"));
    const HttpResponse response = Post(*server, files.Client()).value();
    CHECK(response.status == 200);
    CHECK(response.body == "hello none");
  }
  SECTION("a server of another federation is refused") {
    TlsFiles other;
    other.Issue("server", {"IP:127.0.0.1"});
    auto server = StartTlsServer(other.Server("server"));
    const Status status = Post(*server, files.Client()).status();
    CHECK(status.code() == StatusCode::kUnavailable);
    CHECK(status.reason() == "net.tls_untrusted_server");
    CHECK(status.message() == "cannot verify the TLS certificate of https://" + server->endpoint() +
                                  "/: unable to get local issuer certificate");
  }
  SECTION("without a CA file, the system's CAs apply, and they do not know the federation") {
    auto server = StartTlsServer(files.Server("server"));
    CHECK(Post(*server, {}).status().reason() == "net.tls_untrusted_server");
  }
  SECTION("a certificate for another host is refused unless the name check is off") {
    files.Issue("elsewhere", {"IP:127.0.0.2", "DNS:gw.example"});
    auto server = StartTlsServer(files.Server("elsewhere"));
    const Status status = Post(*server, files.Client()).status();
    CHECK(status.reason() == "net.tls_untrusted_server");
    CHECK(status.message().ends_with(": IP address mismatch"));
    TlsClientOptions lenient = files.Client();
    lenient.verify_hostname = false;
    CHECK(Post(*server, lenient).value().body == "hello none");
  }
}

TEST_CASE("HTTPS: the server checks client certificates and tells the handler", "[net][tls]") {
  TlsFiles files;
  files.Issue("server", {"IP:127.0.0.1"});
  const crypto::Certificate client = files.Issue("client", {"DNS:client.example"});
  TlsFiles other;
  other.Issue("stranger", {"DNS:stranger.example"});
  TlsClientOptions stranger = files.Client();
  stranger.certificate_chain_file = other.Client("stranger").certificate_chain_file;
  stranger.key_file = other.Client("stranger").key_file;
  std::atomic<int> served{0};
  const auto counting_handler = [&](HttpRequest request, HttpResponder respond) {
    ++served;
    FingerprintHandler(std::move(request), std::move(respond));
  };
  TlsServerOptions tls = files.Server("server");
  tls.client_ca_file = files.ca_file();

  SECTION("required") {
    tls.client_certificates = ClientCertificateMode::kRequired;
    auto server = StartTlsServer(tls, counting_handler);
    const HttpResponse response = Post(*server, files.Client("client")).value();
    CHECK(response.body == "hello " + HexEncode(client.Fingerprint()));
    CHECK(served == 1);

    const Status without = Post(*server, files.Client()).status();
    CHECK(without.code() == StatusCode::kUnavailable);
    CHECK(without.message().find("certificate required") != std::string::npos);
    CHECK_FALSE(Post(*server, stranger).ok());
    CHECK(served == 1);
  }
  SECTION("optional") {
    tls.client_certificates = ClientCertificateMode::kOptional;
    auto server = StartTlsServer(tls, counting_handler);
    CHECK(Post(*server, files.Client()).value().body == "hello none");
    CHECK(Post(*server, files.Client("client")).value().body ==
          "hello " + HexEncode(client.Fingerprint()));
    CHECK_FALSE(Post(*server, stranger).ok());
    CHECK(served == 2);
  }
  SECTION("not requested") {
    auto server = StartTlsServer(files.Server("server"), counting_handler);
    CHECK(Post(*server, files.Client("client")).value().body == "hello none");
  }
}

// The client's TLS 1.2 is tested in tls_system_config_test.cc, where the process's OpenSSL
// configuration disables it.
TEST_CASE("HTTPS: protocol versions", "[net][tls]") {
  TlsFiles files;
  files.Issue("server", {"IP:127.0.0.1"});

  SECTION("a server refuses TLS 1.2 by default") {
    auto server = StartTlsServer(files.Server("server"));
    CHECK(testing::HandshakeAsTls12Client(server->port()).find("protocol version") !=
          std::string::npos);
  }
  SECTION("a server with minimum TLS 1.2 accepts it") {
    TlsServerOptions tls = files.Server("server");
    tls.min_version = TlsVersion::kTls12;
    auto server = StartTlsServer(tls);
    CHECK(testing::HandshakeAsTls12Client(server->port()).empty());
  }
}

TEST_CASE("HTTPS: plain HTTP and slow handshakes on a TLS port are cut off", "[net][tls]") {
  TlsFiles files;
  files.Issue("server", {"IP:127.0.0.1"});
  HttpServerOptions options;
  options.tls = files.Server("server");
  options.read_timeout = std::chrono::milliseconds(300);
  auto server = HttpServer::Start(options, FingerprintHandler).value();

  const Status plain = HttpFetch("GET", "http://" + server->endpoint() + "/", {}, "").status();
  CHECK(plain.code() == StatusCode::kUnavailable);
  CHECK(plain.message().starts_with("no valid response from http://"));

  const auto started = std::chrono::steady_clock::now();
  CHECK(testing::RawExchange(server->port(), "").empty());  // Never starts the handshake.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));

  CHECK(Post(*server, files.Client()).value().body == "hello none");
}

TEST_CASE("HTTPS: unusable TLS settings are reported, naming the file", "[net][tls]") {
  TlsFiles files;
  files.Issue("server", {"IP:127.0.0.1"});
  files.Issue("other", {"IP:127.0.0.1"});
  const auto start = [](TlsServerOptions tls) {
    HttpServerOptions options;
    options.tls = std::move(tls);
    return HttpServer::Start(std::move(options), FingerprintHandler).status();
  };
  TlsServerOptions tls = files.Server("server");

  SECTION("a missing certificate file") {
    tls.certificate_chain_file += ".missing";
    const Status status = start(tls);
    CHECK(status.code() == StatusCode::kNotFound);
    CHECK(status.message().find(tls.certificate_chain_file) != std::string::npos);
  }
  SECTION("a key file others may read") {
    REQUIRE(chmod(tls.key_file.c_str(), 0644) == 0);
    const Status status = start(tls);
    CHECK(status.code() == StatusCode::kPermissionDenied);
    CHECK(status.message().find(tls.key_file) != std::string::npos);
  }
  SECTION("a key that belongs to another certificate") {
    tls.key_file = files.Server("other").key_file;
    const Status status = start(tls);
    CHECK(status.reason() == "net.tls_key_mismatch");
    CHECK(status.message().starts_with("the key in " + tls.key_file +
                                       " does not belong to the certificate in " +
                                       tls.certificate_chain_file));
  }
  SECTION("client certificates and the client CA file go together") {
    tls.client_certificates = ClientCertificateMode::kRequired;
    CHECK(start(tls).reason() == "net.bad_tls_options");
    tls.client_certificates = ClientCertificateMode::kNone;
    tls.client_ca_file = files.ca_file();
    CHECK(start(tls).reason() == "net.bad_tls_options");
  }
  SECTION("a client certificate without its key") {
    HttpClientOptions options;
    options.tls = files.Client("other");
    options.tls.key_file.clear();
    CHECK(HttpFetch("GET", "https://127.0.0.1:1/", {}, "", options).status().reason() ==
          "net.bad_tls_options");
  }
}

}  // namespace
}  // namespace truc::net
