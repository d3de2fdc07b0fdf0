// `truc globalconf ...`: fetch and check the signed global configuration as a gateway would, for
// operators and tests. Plain HTTP, no TLS: what is checked carries its own signature.
#pragma once

#include "cli/command.h"

namespace truc::cli {

// Adds the `globalconf` commands:
//   fetch   --url http://HOST:PORT/globalconf --anchor ROOT.pem [--out FILE]
//           downloads the signed configuration and verifies it; with --out, writes the signed
//           bytes, exactly as downloaded, to FILE (replacing it atomically);
//   verify  --file FILE --anchor ROOT.pem [--min-version N]
//           verifies a signed configuration kept in FILE; with --min-version, refuses a version
//           older than N (kFailedPrecondition, "... older than version N").
// Verification is globalconf::VerifyConfiguration against the CA certificates in the anchor file
// at the system clock's now: the signature, the configuration-signing certificate's chain and
// profile, and the configuration's validity period. On success each prints one summary line,
// "configuration version 7 of instance VN, issued T, expires T; 4 members, 4 gateways,
// 3 services". Failures come back in `*result`, with the verifier's or downloader's message
// unchanged. `output` must outlive `app`.
void AddGlobalconfCommands(CLI::App& app, const Output& output, Status* result);

}  // namespace truc::cli
