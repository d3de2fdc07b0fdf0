// Runs `truc globalconf` on configurations signed at test time. The binary reads the real clock,
// so certificates and configurations are made around the real now.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/base/clock.h"
#include "core/base/file.h"
#include "core/globalconf/signed_configuration.h"
#include "core/net/http_server.h"
#include "tests/cli/run_truc.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "truc/v1/global_configuration.pb.h"

namespace truc::cli {
namespace {

using testing::CommandResult;
using testing::KeyAndCertificate;
using testing::TempDir;

void SetTime(google::protobuf::Timestamp* timestamp, TimePoint time) {
  timestamp->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count());
}

// A root CA and a configuration-signing certificate under it, valid around now.
struct Federation {
  // Instance VN, `version`, issued at `issued_at` and valid for a day: one member, one gateway.
  v1::GlobalConfiguration Configuration(uint64_t version, TimePoint issued_at) const {
    v1::GlobalConfiguration configuration;
    configuration.set_instance("VN");
    configuration.set_version(version);
    SetTime(configuration.mutable_issued_at(), issued_at);
    SetTime(configuration.mutable_expires_at(), issued_at + std::chrono::hours(24));
    v1::Member& member = *configuration.add_members();
    member.mutable_id()->set_instance("VN");
    member.mutable_id()->set_member_class("GOV");
    member.mutable_id()->set_member_code("000100");
    member.set_name("National population database");
    v1::Gateway& gateway = *configuration.add_gateways();
    *gateway.mutable_id()->mutable_owner() = member.id();
    gateway.mutable_id()->set_server_code("gw1");
    gateway.set_address("127.0.0.1:8443");
    return configuration;
  }

  std::string Sign(const v1::GlobalConfiguration& configuration) const {
    return globalconf::SignConfiguration(configuration, signer.key, {signer.certificate}).value();
  }

  const TimePoint now = std::chrono::floor<std::chrono::seconds>(SystemClock::Instance().Now());
  const KeyAndCertificate root = testing::MakeRootCa("Trục Test Root CA", now);
  const KeyAndCertificate signer =
      testing::Issue(root, testing::ConfigSigningTemplate("VN/GOV/000001", now));
};

// What fetch and verify print for Federation::Configuration(version, issued_at).
std::string Summary(uint64_t version, TimePoint issued_at) {
  return fmt::format(
      "configuration version {} of instance VN, issued {}, expires {}; 1 member, 1 gateway, "
      "0 services\n",
      version, FormatRfc3339(issued_at), FormatRfc3339(issued_at + std::chrono::hours(24)));
}

TEST_CASE("truc globalconf verify names a configuration file that is missing", "[cli]") {
  const TempDir dir;
  const Federation federation;
  const std::string anchor = WritePem(dir.File("root-ca.pem"), {federation.root.certificate});

  const CommandResult result =
      Truc("globalconf verify --file " + ShellQuote(dir.File("missing.conf")) + " --anchor " +
           ShellQuote(anchor));
  CHECK(result.exit_code == 1);
  CHECK(result.output ==
        "truc: cannot open " + dir.File("missing.conf") + ": No such file or directory\n");
}

TEST_CASE("truc globalconf verify checks the signature, the signer, expiry and --min-version",
          "[cli]") {
  const TempDir dir;
  const Federation federation;
  const std::string anchor = WritePem(dir.File("root-ca.pem"), {federation.root.certificate});
  const TimePoint issued_at = federation.now - std::chrono::hours(1);
  const std::string file = dir.File("globalconf.bin");
  REQUIRE(WriteFileAtomically(file, federation.Sign(federation.Configuration(7, issued_at)), 0644)
              .ok());
  const std::string verify =
      "globalconf verify --file " + ShellQuote(file) + " --anchor " + ShellQuote(anchor);

  SECTION("a current configuration signed under the anchor") {
    const CommandResult result = Truc(verify + " --min-version 7");
    CHECK(result.exit_code == 0);
    CHECK(result.output == Summary(7, issued_at));
  }
  SECTION("a version below --min-version") {
    const CommandResult result = Truc(verify + " --min-version 8");
    CHECK(result.exit_code == 1);
    CHECK(result.output ==
          "truc: the configuration in " + file + " is version 7, older than version 8\n");
  }
  SECTION("an anchor that did not issue the signer") {
    const KeyAndCertificate other = testing::MakeRootCa("Other Root CA", federation.now);
    const std::string other_anchor = WritePem(dir.File("other-ca.pem"), {other.certificate});
    const CommandResult result = Truc("globalconf verify --file " + ShellQuote(file) +
                                      " --anchor " + ShellQuote(other_anchor));
    CHECK(result.exit_code == 1);
    CHECK(result.output.starts_with("truc: configuration signer: "));
    CHECK(result.output.find("is not issued by a trusted CA") != std::string::npos);
  }
  SECTION("configuration bytes changed after signing") {
    v1::SignedGlobalConfiguration signed_configuration;
    REQUIRE(signed_configuration.ParseFromString(ReadFile(file).value()));
    signed_configuration.set_configuration(
        federation.Configuration(8, issued_at).SerializeAsString());
    REQUIRE(WriteFileAtomically(file, signed_configuration.SerializeAsString(), 0644).ok());
    const CommandResult result = Truc(verify);
    CHECK(result.exit_code == 1);
    CHECK(result.output.starts_with("truc: the configuration's signature does not verify"));
  }
  SECTION("an expired configuration") {
    const TimePoint long_ago = federation.now - std::chrono::hours(48);
    REQUIRE(WriteFileAtomically(file, federation.Sign(federation.Configuration(6, long_ago)), 0644)
                .ok());
    const CommandResult result = Truc(verify);
    CHECK(result.exit_code == 1);
    CHECK(result.output.starts_with("truc: global configuration version 6 expired at " +
                                    FormatRfc3339(long_ago + std::chrono::hours(24))));
  }
}

TEST_CASE("truc globalconf fetch downloads, verifies and saves the configuration", "[cli]") {
  const TempDir dir;
  const Federation federation;
  const std::string anchor = WritePem(dir.File("root-ca.pem"), {federation.root.certificate});
  const TimePoint issued_at = federation.now - std::chrono::hours(1);
  const std::string signed_bytes = federation.Sign(federation.Configuration(7, issued_at));
  std::unique_ptr<net::HttpServer> server =
      net::HttpServer::Start({}, [&](net::HttpRequest request, net::HttpResponder respond) {
        respond(request.target == "/globalconf"
                    ? net::MakeResponse(200, "application/x-protobuf", signed_bytes)
                    : net::MakeResponse(404, "text/plain", "not found"));
      }).value();
  const std::string base = "http://" + server->endpoint();

  SECTION("from the registry's URL") {
    const std::string out = dir.File("cache/globalconf.bin");
    REQUIRE(std::filesystem::create_directory(dir.File("cache")));
    const CommandResult result = Truc("globalconf fetch --url " + base + "/globalconf --anchor " +
                                      ShellQuote(anchor) + " --out " + ShellQuote(out));
    CHECK(result.exit_code == 0);
    CHECK(result.output == Summary(7, issued_at) + "signed configuration written to " + out + "\n");
    CHECK(ReadFile(out).value() == signed_bytes);
  }
  SECTION("from a URL that serves nothing") {
    const CommandResult result =
        Truc("globalconf fetch --url " + base + "/nothing --anchor " + ShellQuote(anchor));
    CHECK(result.exit_code == 1);
    CHECK(result.output == "truc: " + base + "/nothing answered with HTTP status 404\n");
  }
}

}  // namespace
}  // namespace truc::cli
