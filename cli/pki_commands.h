// `truc pki ...`: the federation's certificate tooling, for the CA operator and for agencies.
#pragma once

#include "cli/command.h"

namespace truc::cli {

// Adds the `pki` commands:
//   init-ca  --out DIR [--name NAME] [--intermediate]
//            a federation root CA (root-ca.key, root-ca.pem) and optionally an intermediate CA
//            (intermediate-ca.key, intermediate-ca.pem) in DIR;
//   keygen   --key-out FILE --csr-out FILE --profile P --subject-id ID [--name ORG]
//            [--dns NAME]... [--ip ADDRESS]...
//            an agency's new P-256 key (mode 0600, never printed) and a certificate request;
//   issue    --ca-cert FILE --ca-key FILE --csr FILE --profile P --out FILE [--days N]
//            [--dns NAME]... [--ip ADDRESS]...
//            a certificate from a request, written with the CA chain below the root;
//   revoke   --list FILE --cert FILE --reason R
//            adds a certificate to the federation's revocation list file;
//   show     --cert FILE
//            what a certificate says: names, serial, validity, fingerprint, usage, profile.
// No command overwrites an existing file. Failures come back in `*result` and name the file and
// what is wrong with it. `output` must outlive `app`.
void AddPkiCommands(CLI::App& app, const Output& output, Status* result);

}  // namespace truc::cli
