// `truc registry ...`: the client of the registry's administration API (RegistryAdmin in
// proto/truc/v1/registry.proto), spoken over gRPC with mutual TLS.
#pragma once

#include "cli/command.h"

namespace truc::cli {

// Adds the `registry` commands. Every one takes the common options
//   --registry HOST:PORT  where the registry's admin API listens (required; the channel targets
//                         exactly this, so the server certificate must name HOST)
//   --cert FILE           our certificate chain (PEM, leaf first)
//   --key FILE            its private key (PEM, mode 0600)
//   --ca FILE             the CAs trusted to have issued the registry's server certificate
// which may come before or after the subcommand. The commands:
//   member add --id MEMBER --name NAME
//   subsystem add --id SUBSYSTEM [--name NAME]
//   ca add --cert-file FILE            every certificate in FILE becomes an approved CA
//   tsa add --cert-file FILE           the first certificate in FILE becomes an approved TSA
//   revoke (--cert-file FILE | --fingerprint HEX) [--reason R]
//   service publish --id SERVICE --kind rest|openapi|grpc
//                   --classification public|internal|personal|sensitive
//                   [--description D] [--contact C] [--document FILE]
//   service withdraw --id SERVICE
//   group create --code CODE [--description D]
//   group add|remove --code CODE --member SUBSYSTEM
//   apply gateway --signing-key K --signing-cert C --server-id SERVER --address HOST:PORT
//                 --tls-cert FILE
//   apply signing-cert --signing-key K --signing-cert C [--new-cert FILE]
//   applications [--pending]
//   approve|reject --id N [--note TEXT]
//   config                             the current configuration as JSON
// Arguments (identifiers, files, keys) are checked before the registry is contacted. Each call
// has a deadline of 10 s. On success a command prints one line per change, e.g. "member
// VN/GOV/000100 registered (configuration version 3)". Failures come back in `*result`: the
// server's message unchanged, "cannot reach the registry at HOST:PORT: ..." when no connection
// could be made, or what is wrong with an argument or file. `output` must outlive `app`.
void AddRegistryCommands(CLI::App& app, const Output& output, Status* result);

}  // namespace truc::cli
