// `truc call`: calls a service through a gateway's gRPC service API (truc.v1.ServiceGateway), as
// an information system would. For integrators trying a service and operators checking a
// gateway end to end.
#pragma once

#include "cli/command.h"

namespace truc::cli {

// Adds
//   truc call --gateway HOST:PORT --client SUBSYSTEM --service SERVICE
//             [--user-id ID] [--purpose CASE] [--message-id ID]
//             [--method GET] [--path /x?y=1] [--header 'Name: value']...
//             [--data TEXT | --data-file FILE] [--include]
//             [--ca FILE [--cert FILE --key FILE]] [--timeout SECONDS]
// Plain gRPC on loopback unless --ca is given (TLS, verifying the gateway with those CAs), with a
// client certificate when --cert and --key are. Prints the response body (with --include, first
// the status, message id, request id, request hash and headers). A gateway error fails the
// command with "TYPE: message", TYPE being the X-Road error type.
void AddCallCommand(CLI::App& app, const Output& output, Status* result);

}  // namespace truc::cli
