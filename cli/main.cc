// truc: the command-line tool of the Trục data-exchange layer.
#include <iostream>

#include "cli/audit_commands.h"
#include "cli/call_command.h"
#include "cli/command.h"
#include "cli/gateway_commands.h"
#include "cli/globalconf_commands.h"
#include "cli/id_commands.h"
#include "cli/pki_commands.h"
#include "cli/registry_commands.h"

int main(int argc, char** argv) {
  CLI::App app("Trục: data exchange between government agencies", "truc");
  app.require_subcommand(1);
  app.set_version_flag("--version", "truc 0.1.0");

  truc::Status result;
  const truc::cli::Output output{std::cout, std::cerr};
  truc::cli::AddIdCommands(app, output, &result);
  truc::cli::AddPkiCommands(app, output, &result);
  truc::cli::AddRegistryCommands(app, output, &result);
  truc::cli::AddGlobalconfCommands(app, output, &result);
  truc::cli::AddGatewayCommands(app, output, &result);
  truc::cli::AddCallCommand(app, output, &result);
  truc::cli::AddAuditCommands(app, output, &result);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!result.ok()) {
    std::cerr << "truc: " << result.message() << "\n";
    return 1;
  }
  return 0;
}
