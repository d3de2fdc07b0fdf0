#include "cli/admin_client.h"

#include <cstdlib>

#include <fmt/format.h>
#include <grpc/support/log.h>

#include "core/rpc/grpc_util.h"

namespace truc::cli {
namespace {

// gRPC logs connection failures to stderr by itself ("E1123 ... Handshake failed ..."), while the
// CLI reports them as its error. Its log stays silent unless GRPC_VERBOSITY asks for it.
void SilenceGrpcLogUnlessAsked() {
  if (std::getenv("GRPC_VERBOSITY") != nullptr) return;
  gpr_set_log_function([](gpr_log_func_args* /*args*/) {});
}

}  // namespace

StatusOr<AdminChannel> AdminChannel::Open(const ConnectionOptions& options) {
  if (options.cert.empty() || options.key.empty() || options.ca.empty()) {
    return InvalidArgumentError(
        fmt::format("--cert, --key and --ca are needed: the {} is reached over mutual TLS",
                    options.peer),
        "cli.bad_arguments");
  }
  const size_t colon = options.address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == options.address.size()) {
    return InvalidArgumentError(
        fmt::format("--{} must be HOST:PORT, not '{}'", options.peer, options.address),
        "cli.bad_arguments");
  }
  TRUC_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                        rpc::MutualTlsChannelCredentials({.certificate_chain_file = options.cert,
                                                          .key_file = options.key,
                                                          .trusted_ca_file = options.ca}));
  SilenceGrpcLogUnlessAsked();
  // The gateway bounds its answers (pages of query results by bytes, archives in 1 MiB chunks);
  // one record or one exchange's evidence can still be as large as the gateway's body limit
  // (up to 1 GiB) allows, so no receive limit of ours may be smaller.
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(-1);
  return AdminChannel(options.peer, options.address,
                      grpc::CreateCustomChannel(options.address, credentials, arguments));
}

Status AdminChannel::CallFailure(const grpc::Status& status) const {
  // A call that reached the server leaves the channel ready; one that failed without a
  // connection does not. This tells the server's own kUnavailable from an unreachable server.
  const bool transport_failure = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                                 status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
  if (transport_failure && channel_->GetState(false) != GRPC_CHANNEL_READY) {
    return UnavailableError(
        fmt::format("cannot reach the {} at {}: {}", peer_, address_, status.error_message()),
        "cli.unreachable");
  }
  Status error = rpc::FromGrpcStatus(status);
  if (error.message().empty()) {  // E.g. a method this server does not implement.
    return {
        error.code(),
        fmt::format("the {} answered {} without a message", peer_, StatusCodeName(error.code())),
        error.reason()};
  }
  return error;
}

AdminCommandContext AddAdminApi(CLI::App& app, const std::string& peer,
                                const std::string& description, const Output& output,
                                Status* result) {
  CLI::App* api = app.add_subcommand(peer, description);
  api->require_subcommand(1);
  // Subcommands inherit this: the common options may also follow the subcommand.
  api->fallthrough();

  auto connection = std::make_shared<ConnectionOptions>();
  connection->peer = peer;
  api->add_option("--" + peer, connection->address,
                  fmt::format("The {}'s admin API, HOST:PORT", peer))
      ->required();
  api->add_option("--cert", connection->cert, "Our client certificate chain (PEM, leaf first)");
  api->add_option("--key", connection->key, "Its private key (PEM, mode 0600)");
  api->add_option(
      "--ca", connection->ca,
      fmt::format("CA certificates to trust for the {}'s server certificate (PEM)", peer));
  return {.api = api, .connection = std::move(connection), .output = output, .result = result};
}

}  // namespace truc::cli
