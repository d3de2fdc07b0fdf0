#include "cli/globalconf_commands.h"

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/base/clock.h"
#include "core/base/file.h"
#include "core/crypto/certificate.h"
#include "core/crypto/trust_store.h"
#include "core/globalconf/configuration_client.h"
#include "core/globalconf/signed_configuration.h"
#include "core/net/http_client.h"

namespace truc::cli {
namespace {

// The signed configuration is public.
constexpr mode_t kPublicFileMode = 0644;

struct FetchOptions {
  std::string url;
  std::string anchor;
  std::string out;
};

struct VerifyOptions {
  std::string file;
  std::string anchor;
  uint64_t min_version = 0;  // 0: any version.
};

// The trust store of the CA certificates in `anchor_file`. Errors: those of reading it.
StatusOr<crypto::TrustStore> LoadAnchors(const std::string& anchor_file) {
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> anchors,
                        crypto::Certificate::LoadPemFile(anchor_file));
  return crypto::TrustStore::Create(std::move(anchors));
}

// "1 member", "4 members".
std::string Count(int count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

void PrintSummary(const globalconf::VerifiedConfiguration& verified, std::ostream& out) {
  const v1::GlobalConfiguration& configuration = verified.configuration;
  out << fmt::format(
      "configuration version {} of instance {}, issued {}, expires {}; {}, {}, {}\n",
      verified.info.version, configuration.instance(), FormatRfc3339(verified.info.issued_at),
      FormatRfc3339(verified.info.expires_at), Count(configuration.members_size(), "member"),
      Count(configuration.gateways_size(), "gateway"),
      Count(configuration.services_size(), "service"));
}

Status Fetch(const FetchOptions& options, std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(crypto::TrustStore anchors, LoadAnchors(options.anchor));
  TRUC_ASSIGN_OR_RETURN(net::HttpResponse response,
                        net::HttpFetch("GET", options.url, net::HttpHeaders(), ""));
  if (response.status != 200) {
    return UnavailableError(
        fmt::format("{} answered with HTTP status {}", options.url, response.status),
        std::string(globalconf::kHttpError));
  }
  TRUC_ASSIGN_OR_RETURN(
      globalconf::VerifiedConfiguration verified,
      globalconf::VerifyConfiguration(response.body, anchors, SystemClock::Instance().Now()));
  PrintSummary(verified, out);
  if (!options.out.empty()) {
    TRUC_RETURN_IF_ERROR(WriteFileAtomically(options.out, verified.signed_bytes, kPublicFileMode));
    out << fmt::format("signed configuration written to {}\n", options.out);
  }
  return OkStatus();
}

Status VerifyFile(const VerifyOptions& options, std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(crypto::TrustStore anchors, LoadAnchors(options.anchor));
  TRUC_ASSIGN_OR_RETURN(std::string signed_bytes, ReadFile(options.file));
  TRUC_ASSIGN_OR_RETURN(
      globalconf::VerifiedConfiguration verified,
      globalconf::VerifyConfiguration(signed_bytes, anchors, SystemClock::Instance().Now()));
  if (verified.info.version < options.min_version) {
    return FailedPreconditionError(
        fmt::format("the configuration in {} is version {}, older than version {}", options.file,
                    verified.info.version, options.min_version),
        std::string(globalconf::kOlderVersion));
  }
  PrintSummary(verified, out);
  return OkStatus();
}

// Registers `globalconf <name>`, which runs `run` on `options`; the callback keeps `options`
// alive.
template <typename Options>
CLI::App* AddGlobalconfCommand(CLI::App& globalconf, const std::string& name,
                               const std::string& description,
                               Status (*run)(const Options&, std::ostream&),
                               const std::shared_ptr<Options>& options, const Output& output,
                               Status* result) {
  return AddCommand(
      globalconf, name, description, [run, options, &output] { return run(*options, output.out); },
      result);
}

}  // namespace

void AddGlobalconfCommands(CLI::App& app, const Output& output, Status* result) {
  CLI::App* globalconf =
      app.add_subcommand("globalconf", "Fetch and verify the signed global configuration");
  globalconf->require_subcommand(1);

  auto fetch = std::make_shared<FetchOptions>();
  CLI::App* command =
      AddGlobalconfCommand(*globalconf, "fetch", "Download the signed configuration and verify it",
                           &Fetch, fetch, output, result);
  command->add_option("--url", fetch->url, "Where it is served, http://HOST:PORT/globalconf")
      ->required();
  command->add_option("--anchor", fetch->anchor, "The federation's root CA certificate(s) (PEM)")
      ->required();
  command->add_option("--out", fetch->out, "Also write the signed bytes to this file");

  auto verify = std::make_shared<VerifyOptions>();
  command = AddGlobalconfCommand(*globalconf, "verify", "Verify a signed configuration file",
                                 &VerifyFile, verify, output, result);
  command->add_option("--file", verify->file, "The signed configuration, as served")->required();
  command->add_option("--anchor", verify->anchor, "The federation's root CA certificate(s) (PEM)")
      ->required();
  command->add_option("--min-version", verify->min_version,
                      "Refuse a configuration older than this version");
}

}  // namespace truc::cli
