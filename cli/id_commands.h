// `truc id ...`: check and decode federation identifiers.
#pragma once

#include "cli/command.h"

namespace truc::cli {

// Adds `id parse --kind KIND ID`, which prints an identifier's decoded parts or says what is
// wrong with it.
void AddIdCommands(CLI::App& app, const Output& output, Status* result);

}  // namespace truc::cli
