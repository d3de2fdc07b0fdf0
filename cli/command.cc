#include "cli/command.h"

namespace truc::cli {

CLI::App* AddCommand(CLI::App& parent, const std::string& name, const std::string& description,
                     std::function<Status()> run, Status* result) {
  CLI::App* command = parent.add_subcommand(name, description);
  command->callback([run = std::move(run), result] { *result = run(); });
  return command;
}

CLI::App* AddGroup(CLI::App& parent, const std::string& name, const std::string& description) {
  CLI::App* group = parent.add_subcommand(name, description);
  group->require_subcommand(1);
  return group;
}

}  // namespace truc::cli
