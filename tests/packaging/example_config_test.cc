// The example configuration installed to /etc/truc (deploy/config) must be what the daemons
// accept: each file is read as the daemon reads it (its [log] table, its own reader, then the
// check for unknown keys), with its commented-out optional settings switched on as well.
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "core/base/file.h"
#include "core/config/config.h"
#include "core/daemon/daemon.h"
#include "gateway/gateway_server.h"
#include "registry/registry_server.h"

#include "tsa/tsa_server.h"

namespace truc {
namespace {

constexpr std::string_view kConfigDir = TRUC_CONFIG_DIR;

std::string ExampleText(const std::string& name) {
  StatusOr<std::string> text = ReadFile(std::string(kConfigDir) + "/" + name);
  REQUIRE(text.ok());
  return *std::move(text);
}

// `text` with "# " removed from each line that, after it, starts with one of `settings`: the
// example's commented-out settings, switched on.
std::string Uncomment(std::string_view text, const std::vector<std::string_view>& settings) {
  std::string result;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string_view::npos ? text.size() : end + 1;
    std::string_view line = text.substr(start, end - start);
    for (std::string_view setting : settings) {
      if (line.starts_with("# ") && line.substr(2).starts_with(setting)) {
        line.remove_prefix(2);
        break;
      }
    }
    result += line;
    start = end;
  }
  return result;
}

// Parses `text` as /etc/truc/`name` and reads its [log] table as every daemon does first.
config::ConfigDocument Load(const std::string& text, const std::string& name) {
  StatusOr<config::ConfigDocument> document =
      config::ConfigDocument::FromString(text, "/etc/truc/" + name);
  REQUIRE(document.ok());
  const StatusOr<log::LogOptions> log_options = daemon::ReadLogOptions(document->root());
  REQUIRE(log_options.ok());
  CHECK(log_options->format == log::Format::kJson);
  return std::move(document).value();
}

TEST_CASE("The example gateway.toml is accepted by the gateway", "[packaging]") {
  const std::string text = ExampleText("gateway.toml");
  config::ConfigDocument document = Load(text, "gateway.toml");
  const StatusOr<gateway::GatewayConfig> config =
      gateway::ReadGatewayConfig(document.root(), "/etc/truc/gateway.toml");
  INFO(config.status().message());
  REQUIRE(config.ok());
  const Status unknown = document.CheckNoUnknownKeys();
  INFO(unknown.message());
  CHECK(unknown.ok());
  CHECK(config->data_dir == "/var/lib/truc/gateway");
  CHECK(config->signing_key_file == "/etc/truc/keys/signing.key");
  CHECK(config->exchange_key_file == "/etc/truc/keys/gateway-tls.key");
  CHECK(config->globalconf.trust_anchor_file == "/etc/truc/keys/root-ca.pem");
  CHECK(config->rest.address == "127.0.0.1");
  REQUIRE(config->services.size() == 1);
  CHECK(config->services[0].id.ToString() == "VN/GOV/000100/population/citizens");

  SECTION("with its commented-out settings switched on") {
    config::ConfigDocument full =
        Load(Uncomment(text, {"encryption_key_file", "[[audit.subsystems]]", "subsystem =",
                              "body_policy =", "ca_file =", "archive_dir", "archive_interval",
                              "retention", "[[admin.auditors]]", "certificate =", "members ="}),
             "gateway.toml");
    const StatusOr<gateway::GatewayConfig> full_config =
        gateway::ReadGatewayConfig(full.root(), "/etc/truc/gateway.toml");
    INFO(full_config.status().message());
    REQUIRE(full_config.ok());
    CHECK(full.CheckNoUnknownKeys().ok());
    CHECK(full_config->body_key_file == "/etc/truc/keys/audit-body.key");
    CHECK(full_config->body_policies.size() == 1);
    CHECK(full_config->services[0].backend.http.tls.ca_file == "/etc/truc/keys/backend-ca.pem");
    CHECK(full_config->archive_dir == "/var/lib/truc/gateway/archive");
    CHECK(full_config->retention == std::chrono::hours(8760));
    REQUIRE(full_config->auditors.size() == 1);
    CHECK(full_config->auditors[0].certificate_file == "/etc/truc/keys/auditor.pem");
  }
}

TEST_CASE("The example registry.toml is accepted by the registry", "[packaging]") {
  const std::string text = ExampleText("registry.toml");
  config::ConfigDocument document = Load(text, "registry.toml");
  const StatusOr<registry::RegistryServerConfig> config =
      registry::ReadRegistryServerConfig(document.root(), "/etc/truc/registry.toml");
  INFO(config.status().message());
  REQUIRE(config.ok());
  const Status unknown = document.CheckNoUnknownKeys();
  INFO(unknown.message());
  CHECK(unknown.ok());
  CHECK(config->data_dir == "/var/lib/truc/registry");
  CHECK(config->signing_key_file == "/etc/truc/keys/config-signing.key");
  CHECK(config->admin_key_file == "/etc/truc/keys/registry-tls.key");
  CHECK_FALSE(config->tsa.has_value());

  SECTION("with its embedded timestamp authority switched on") {
    config::ConfigDocument full =
        Load(Uncomment(text, {"[tsa]", "key_file", "certificate_file", "serial_file", "policy_oid",
                              "accuracy", "workers"}),
             "registry.toml");
    const StatusOr<registry::RegistryServerConfig> full_config =
        registry::ReadRegistryServerConfig(full.root(), "/etc/truc/registry.toml");
    INFO(full_config.status().message());
    REQUIRE(full_config.ok());
    CHECK(full.CheckNoUnknownKeys().ok());
    REQUIRE(full_config->tsa.has_value());
    CHECK(full_config->tsa->serial_file == "/var/lib/truc/registry/tsa.serial");
  }
}

TEST_CASE("The example tsa.toml is accepted by the timestamp authority", "[packaging]") {
  config::ConfigDocument document = Load(ExampleText("tsa.toml"), "tsa.toml");
  const StatusOr<tsa::TsaServerConfig> config =
      tsa::ReadTsaServerConfig(document.root(), "/etc/truc/tsa.toml", true);
  INFO(config.status().message());
  REQUIRE(config.ok());
  const Status unknown = document.CheckNoUnknownKeys();
  INFO(unknown.message());
  CHECK(unknown.ok());
  CHECK(config->key_file == "/etc/truc/keys/tsa.key");
  CHECK(config->serial_file == "/var/lib/truc/tsa/tsa.serial");
  CHECK(config->listen.port == 3180);
}

}  // namespace
}  // namespace truc
