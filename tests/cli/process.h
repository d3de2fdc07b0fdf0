// Running the programs that the CLI tests drive (the built `truc`, the certs/ scripts, openssl).
#pragma once

#include <string>
#include <string_view>

namespace truc::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when the command did not exit normally.
  std::string output;  // stdout and stderr, interleaved.
};

// Runs `command` with /bin/sh and waits for it. Blocking; thread-safe.
ProcessResult RunShell(const std::string& command);

// `text` quoted for the shell, so that any path can be spliced into a command.
std::string ShellQuote(std::string_view text);

}  // namespace truc::testing
