// A gateway whose member signing key is on a hardware security module (SoftHSM2 here, through
// PKCS#11): the key is generated on the token with `truc pki keygen`, its certificate issued from
// the request and registered; the gateway signs its messages and seals its log with it, and the
// evidence holds up with openssl alone. A wrong PIN stops the gateway at start, saying so.
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/base/file.h"
#include "tests/support/gateway_federation.h"

namespace truc {
namespace {

using testing::CommandResult;
using testing::GatewayFederation;

std::string Succeeds(const CommandResult& result) {
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  return result.output;
}

TEST_CASE("A gateway signs with its key on an HSM, and openssl verifies what it signed") {
  GatewayFederation federation({.consumer_signing_on_token = true});
  const net::HttpResponse response = federation.CallCitizens("GET", "/citizens/079123456789",
                                                             {{"X-Road-UserId", "VN079123456789"}});
  REQUIRE(response.status == 200);
  const std::string message_id = response.headers.Get("X-Road-Id").value_or("");
  REQUIRE_FALSE(message_id.empty());

  // Once the log is sealed (within a second), the evidence of the exchange.
  testing::TempDir dir;
  const std::string bundle = dir.File("bundle");
  CommandResult exported;
  for (int attempt = 0; attempt < 100; ++attempt) {
    exported = federation.Audit("consumer",
                                fmt::format("export --message-id {} --out {}", message_id, bundle));
    if (exported.exit_code == 0 || exported.output.find("sealed") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Succeeds(exported);
  const std::string openssl = Succeeds(
      testing::RunCommand(fmt::format("bash {}/verify-with-openssl.sh {} {} 2>&1", bundle,
                                      federation.RootCaFile(), federation.TsaRootCaFile())));
  CHECK(openssl.find("All checks passed.") != std::string::npos);

  // The request was signed, and the log's head sealed, by the key on the token.
  const std::string token_certificate = federation.ConsumerTokenCertificate().ToPem();
  int requests = 0;
  for (const auto& entry : std::filesystem::directory_iterator(bundle + "/records")) {
    if (entry.path().filename().string().ends_with("-request")) {
      CHECK(ReadFile(entry.path().string() + "/signer.pem").value() == token_certificate);
      ++requests;
    }
  }
  CHECK(requests == 1);
  CHECK(ReadFile(bundle + "/tree-head/signer.pem").value() == token_certificate);

  SECTION("while the token is away exchanges fail closed, and they resume when it is back") {
    const std::string tokens = federation.ConsumerTokenDir();
    std::filesystem::rename(tokens, tokens + ".away");
    std::filesystem::create_directories(tokens);
    const net::HttpResponse refused = federation.CallCitizens("GET", "/citizens/001099000001");
    INFO(refused.body);
    CHECK(refused.status >= 500);
    CHECK(refused.body.find("is not available") != std::string::npos);
    CHECK(federation.backend_requests() == 1);  // Nothing went out unsigned.
    std::filesystem::remove_all(tokens);
    std::filesystem::rename(tokens + ".away", tokens);
    // The gateway looks for the token again at most every second.
    int status = 0;
    for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      status = federation.CallCitizens("GET", "/citizens/001099000001").status;
    }
    CHECK(status == 200);
  }
  SECTION("a wrong PIN stops a gateway at start, saying so and not saying the PIN") {
    REQUIRE(WriteFileAtomically(federation.File("wrong.pin"), "0000\n", 0600).ok());
    std::string config = ReadFile(federation.ConfigFile("consumer")).value();
    const size_t at = config.find("consumer-token.pin");
    REQUIRE(at != std::string::npos);
    config.replace(at, std::string("consumer-token.pin").size(), "wrong.pin");
    REQUIRE(WriteFileAtomically(federation.File("wrong-pin.toml"), config, 0644).ok());
    const CommandResult started = testing::RunCommand(fmt::format(
        "timeout 30 {} --config {} 2>&1", TRUC_GATEWAY_BINARY, federation.File("wrong-pin.toml")));
    CHECK(started.exit_code != 0);
    CHECK(started.output.find(fmt::format("the PIN for token \"{}\" of {} is wrong",
                                          testing::kConsumerToken, testing::kSoftHsmModule)) !=
          std::string::npos);
    CHECK(started.output.find("0000") == std::string::npos);
  }
  SECTION("a missing module, token or key stops a gateway at start, saying which") {
    const std::string config = ReadFile(federation.ConfigFile("consumer")).value();
    const auto start_with = [&](const std::string& from, const std::string& to) {
      std::string changed = config;
      const size_t at = changed.find(from);
      REQUIRE(at != std::string::npos);
      changed.replace(at, from.size(), to);
      REQUIRE(WriteFileAtomically(federation.File("changed.toml"), changed, 0644).ok());
      return testing::RunCommand(fmt::format("timeout 30 {} --config {} 2>&1", TRUC_GATEWAY_BINARY,
                                             federation.File("changed.toml")));
    };
    const CommandResult no_module =
        start_with(testing::kSoftHsmModule, "/usr/lib/no-such-pkcs11.so");
    CHECK(no_module.exit_code != 0);
    CHECK(no_module.output.find("cannot load the PKCS#11 module /usr/lib/no-such-pkcs11.so") !=
          std::string::npos);
    const CommandResult no_token =
        start_with("token_label = \"consumer-gw1\"", "token_label = \"consumer-gw9\"");
    CHECK(no_token.exit_code != 0);
    CHECK(no_token.output.find("no token \"consumer-gw9\"") != std::string::npos);
    const CommandResult no_key =
        start_with("key_label = \"member-signing\"", "key_label = \"member-signing-2\"");
    CHECK(no_key.exit_code != 0);
    CHECK(no_key.output.find("no private key labelled \"member-signing-2\"") != std::string::npos);
  }
  SECTION("a key on the token that is not the certificate's stops a gateway at start") {
    std::string config = ReadFile(federation.ConfigFile("consumer")).value();
    const size_t at = config.find("consumer-token-signing.pem");
    REQUIRE(at != std::string::npos);
    config.replace(at, std::string("consumer-token-signing.pem").size(), "consumer-signing.pem");
    REQUIRE(WriteFileAtomically(federation.File("other-cert.toml"), config, 0644).ok());
    const CommandResult started = testing::RunCommand(fmt::format(
        "timeout 30 {} --config {} 2>&1", TRUC_GATEWAY_BINARY, federation.File("other-cert.toml")));
    CHECK(started.exit_code != 0);
    CHECK(
        started.output.find("is not the certificate of the key \"member-signing\" on the token") !=
        std::string::npos);
  }
}

}  // namespace
}  // namespace truc
