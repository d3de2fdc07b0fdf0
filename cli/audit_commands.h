// `truc audit ...`: the auditor's tool (docs/auditor-guide.md). It reads a gateway's audit log
// through the gateway's audit API (GatewayAudit, mutual TLS, an auditor certificate) or from an
// archive file exported earlier, and answers: who exchanged what with whom, when and why; is the
// log intact; what proves one exchange to a third party.
#pragma once

#include "cli/command.h"

namespace truc::cli {

// Adds the `audit` commands. Every one but verify-bundle reads from one source, named by options
// that may come before or after the subcommand:
//   --gateway HOST:PORT --cert FILE --key FILE --ca FILE   the audit API (remote), or
//   --archive FILE                                         an archive (offline), or
//   --gateway-config FILE                                  the store of the gateway configured
//                                                          by FILE, on its machine (verify,
//                                                          which then checks the store's files
//                                                          too, and archive only).
// The commands:
//   query  [filter] [--format table|json|csv] [--limit N] [--page-token T | --all]
//          exchanges by their final record; filter options: --since, --until (RFC 3339, e.g.
//          "2026-11-01" or "2026-11-01T08:00:00+07:00"), --client, --service (ids; a member id
//          matches all its subsystems), --message-id, --user-id, --purpose,
//          --outcome succeeded|failed, --path-contains TEXT, --subject ID (an identifier the
//          service's catalog entry says its requests name: answered from an index). A page holds
//          --limit exchanges (default 100); the token of the next page is printed on stderr, or
//          --all follows every page.
//   show   --message-id ID [--format table|json]       every record of one exchange, in full
//   stats  [filter] [--format table|json]              counts, failure rates and latency
//                                                      percentiles per client × service
//   verify --anchor ROOT-CA.pem [--first N] [--end N]  verifies the log (remote: the range, by
//                                                      default all that is sealed) or archive
//   archive --out FILE [--first N] [--end N]           saves an archive of the log (remote)
//   heads [--from N] [--to M]                          the sealed tree heads
//   consistency --old N [--new M] [--expect-root HEX] --anchor ROOT-CA.pem
//                                                      proves the log sealed at N is a prefix of
//                                                      the log sealed at M (remote)
//   export --message-id ID --out DIR                   writes an evidence bundle
//   verify-bundle --bundle DIR --anchor ROOT-CA.pem    verifies an evidence bundle
// Failures come back in `*result`; verify fails when it found any problem, after listing them.
// `output` must outlive `app`.
void AddAuditCommands(CLI::App& app, const Output& output, Status* result);

}  // namespace truc::cli
