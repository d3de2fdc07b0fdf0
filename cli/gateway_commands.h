// `truc gateway ...`: the client of a gateway's administration API (GatewayAdmin in
// proto/truc/v1/gateway_admin.proto), spoken over gRPC with mutual TLS.
#pragma once

#include "cli/command.h"

namespace truc::cli {

// Adds the `gateway` commands. Every one takes the common options
//   --gateway HOST:PORT   where the gateway's admin API listens (required; the channel targets
//                         exactly this, so the server certificate must name HOST)
//   --cert FILE           our certificate chain (PEM, leaf first)
//   --key FILE            its private key (PEM, mode 0600)
//   --ca FILE             the CAs trusted to have issued the gateway's server certificate
// which may come before or after the subcommand. The commands:
//   access grant  --service SERVICE (--client SUBSYSTEM | --group CODE) [--method M] [--path P]
//   access revoke --service SERVICE (--client SUBSYSTEM | --group CODE) [--method M] [--path P]
//                 with --method or --path the right is for that endpoint only (the other
//                 defaults to "*" or "/**"; see gateway/access/rest_path.h for patterns);
//                 without either, for the whole service. Revoke names a grant exactly as
//                 granted.
//   access list   [--service SERVICE]   the grants and disabled services, as a table
//   service disable --service SERVICE [--notice TEXT]
//   service enable  --service SERVICE
// Arguments (identifiers, group codes, patterns) are checked before the gateway is contacted.
// Each call has a deadline of 10 s. On success a change prints one line, e.g. "granted: client
// VN/GOV/000100/app on GET /pets/* of VN/GOV/000200/vet/pets". Failures come back in `*result`:
// the gateway's message unchanged, "cannot reach the gateway at HOST:PORT: ..." when no
// connection could be made, or what is wrong with an argument. `output` must outlive `app`.
void AddGatewayCommands(CLI::App& app, const Output& output, Status* result);

}  // namespace truc::cli
