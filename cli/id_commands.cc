#include "cli/id_commands.h"

#include <ostream>

#include "core/ids/identifiers.h"

namespace truc::cli {
namespace {

struct IdOptions {
  std::string kind = "subsystem";
  std::string id;
};

void PrintMember(const ids::MemberId& member, std::ostream& out) {
  out << "instance:       " << member.instance() << "\n"
      << "member class:   " << member.member_class() << "\n"
      << "member code:    " << member.member_code() << "\n";
}

Status ParseAndPrint(const IdOptions& options, std::ostream& out) {
  if (options.kind == "member") {
    TRUC_ASSIGN_OR_RETURN(ids::MemberId id, ids::MemberId::Parse(options.id));
    PrintMember(id, out);
  } else if (options.kind == "subsystem") {
    TRUC_ASSIGN_OR_RETURN(ids::SubsystemId id, ids::SubsystemId::Parse(options.id));
    PrintMember(id.member(), out);
    out << "subsystem code: " << id.subsystem_code() << "\n";
  } else if (options.kind == "service") {
    TRUC_ASSIGN_OR_RETURN(ids::ServiceId id, ids::ServiceId::Parse(options.id));
    PrintMember(id.provider().member(), out);
    out << "subsystem code: " << id.provider().subsystem_code() << "\n"
        << "service code:   " << id.service_code() << "\n"
        << "version:        " << (id.version().empty() ? "(none)" : id.version()) << "\n";
  } else {
    TRUC_ASSIGN_OR_RETURN(ids::ServerId id, ids::ServerId::Parse(options.id));
    PrintMember(id.owner(), out);
    out << "server code:    " << id.server_code() << "\n";
  }
  return OkStatus();
}

}  // namespace

void AddIdCommands(CLI::App& app, const Output& output, Status* result) {
  CLI::App* id = app.add_subcommand("id", "Check and decode federation identifiers");
  id->require_subcommand(1);
  auto options = std::make_shared<IdOptions>();
  CLI::App* parse = AddCommand(
      *id, "parse", "Print the decoded parts of an identifier, or what is wrong with it",
      [options, &output] { return ParseAndPrint(*options, output.out); }, result);
  parse->add_option("--kind", options->kind, "Identifier kind")
      ->check(CLI::IsMember({"member", "subsystem", "service", "server"}))
      ->capture_default_str();
  parse->add_option("id", options->id, "The identifier, parts percent-encoded and joined by '/'")
      ->required();
}

}  // namespace truc::cli
