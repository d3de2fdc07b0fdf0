// The shape shared by every `truc` subcommand: it registers itself on a CLI11 app, runs, and
// reports failure as a Status that main() prints.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>

#include <CLI/CLI.hpp>

#include "core/base/status.h"

namespace truc::cli {

// Where commands write their results (stdout) and diagnostics (stderr); injectable for tests.
struct Output {
  std::ostream& out;
  std::ostream& err;
};

// Registers a subcommand whose action runs `run` and stores its Status in `*result`.
CLI::App* AddCommand(CLI::App& parent, const std::string& name, const std::string& description,
                     std::function<Status()> run, Status* result);

// Registers a subcommand that only groups subcommands (e.g. `registry member`): one of them must
// be given.
CLI::App* AddGroup(CLI::App& parent, const std::string& name, const std::string& description);

}  // namespace truc::cli
