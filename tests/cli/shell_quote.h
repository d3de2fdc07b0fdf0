// Quoting for the shell commands the CLI tests run through testing::RunCommand.
#pragma once

#include <string>
#include <string_view>

namespace truc::cli {

// `text` in single quotes, so that any path or argument can be spliced into a command.
inline std::string ShellQuote(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace truc::cli
