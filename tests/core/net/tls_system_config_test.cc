// The gateway may install a process-wide OpenSSL configuration that disables TLS 1.2 for every
// context; the versions our TLS options give must apply all the same.
#include <catch2/catch.hpp>
#include <openssl/conf.h>
#include <openssl/ssl.h>

#include "core/base/file.h"
#include "core/net/http_client.h"
#include "core/net/http_server.h"
#include "tests/core/net/test_peers.h"
#include "tests/support/temp_dir.h"

namespace truc::net {
namespace {

constexpr std::string_view kTls13OnlyConfig = R"(openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_configuration
[ssl_configuration]
system_default = tls13_only
[tls13_only]
MinProtocol = TLSv1.3
Protocol = -TLSv1.2
)";

TEST_CASE("TLS versions follow our options under a configuration that disables TLS 1.2",
          "[net][tls]") {
  testing::TempDir dir;
  REQUIRE(WriteFileAtomically(dir.File("openssl.cnf"), kTls13OnlyConfig, 0644).ok());
  REQUIRE(CONF_modules_load_file(dir.File("openssl.cnf").c_str(), nullptr, 0) == 1);
  {
    // The configuration is in force for contexts made without care.
    const auto careless = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>(
        SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    REQUIRE((SSL_CTX_get_options(careless.get()) & SSL_OP_NO_TLSv1_2) != 0);
    REQUIRE(SSL_CTX_get_min_proto_version(careless.get()) == TLS1_3_VERSION);
  }
  testing::TlsFiles files;
  files.Issue("server", {"IP:127.0.0.1"});

  SECTION("a server with minimum TLS 1.2 accepts a TLS 1.2 client") {
    HttpServerOptions options;
    options.tls = files.Server("server");
    options.tls->min_version = TlsVersion::kTls12;
    auto server = HttpServer::Start(options, [](HttpRequest, HttpResponder respond) {
                    respond(MakeResponse(200, "text/plain", "ok"));
                  }).value();
    CHECK(testing::HandshakeAsTls12Client(server->port()).empty());
  }
  SECTION("the client speaks TLS 1.2 to a server that knows nothing newer") {
    testing::Tls12OnlyServer server(files.Server("server"));
    HttpClientOptions options;
    options.tls = files.Client();
    CHECK(HttpFetch("GET", server.url(), {}, "", options).value().body == "TLSv1.2");
  }
}

}  // namespace
}  // namespace truc::net
