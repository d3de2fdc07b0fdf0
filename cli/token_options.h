// The options that name a key on a PKCS#11 token (an HSM), shared by the commands that use one:
// `truc pki keygen` (to generate it there) and `truc registry apply` (to sign with it).
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "core/base/status.h"
#include "core/crypto/pkcs11.h"

namespace truc::cli {

struct TokenKeyOptions {
  std::string module;  // Empty: no token.
  std::string token_label;
  std::string token_serial;
  std::string key_label;
  std::string pin_file;
  std::string pin_env;

  bool given() const { return !module.empty(); }
};

// Adds --pkcs11-module, --token-label, --token-serial, --key-label, --pin-file and --pin-env.
// `what` completes the help of --pkcs11-module ("the key is generated on its token").
void AddTokenKeyOptions(CLI::App& command, TokenKeyOptions& options, const std::string& what);

// The token the options name, logged in: the PIN from a file of mode 0600 (a trailing newline
// dropped) or an environment variable, never printed. kInvalidArgument ("cli.bad_arguments")
// for options that name no key, no PIN or both PIN sources; else Pkcs11Token::Open's errors.
StatusOr<std::shared_ptr<crypto::Pkcs11Token>> OpenToken(const TokenKeyOptions& options);

}  // namespace truc::cli
