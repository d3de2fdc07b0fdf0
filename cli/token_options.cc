#include "cli/token_options.h"

#include <fmt/format.h>

#include "core/crypto/secret.h"

namespace truc::cli {

void AddTokenKeyOptions(CLI::App& command, TokenKeyOptions& options, const std::string& what) {
  command.add_option("--pkcs11-module", options.module, "The HSM's PKCS#11 library: " + what);
  command.add_option("--token-label", options.token_label, "The token, by label");
  command.add_option("--token-serial", options.token_serial, "The token, by serial number");
  command.add_option("--key-label", options.key_label, "The key's label on the token");
  command.add_option("--pin-file", options.pin_file, "The token's user PIN, in a 0600 file");
  command.add_option("--pin-env", options.pin_env,
                     "The token's user PIN, in this environment variable");
}

StatusOr<std::shared_ptr<crypto::Pkcs11Token>> OpenToken(const TokenKeyOptions& options) {
  if (options.key_label.empty()) {
    return InvalidArgumentError("--key-label names the key on the token", "cli.bad_arguments");
  }
  if (options.pin_file.empty() == options.pin_env.empty()) {
    return InvalidArgumentError("give the token's PIN with --pin-file or --pin-env (one of them)",
                                "cli.bad_arguments");
  }
  TRUC_ASSIGN_OR_RETURN(crypto::SecretBytes pin,
                        crypto::ReadTokenPin(options.pin_file, options.pin_env));
  return crypto::Pkcs11Token::Open({.module = options.module,
                                    .token_label = options.token_label,
                                    .token_serial = options.token_serial,
                                    .pin = std::move(pin)});
}

}  // namespace truc::cli
