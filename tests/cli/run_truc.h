// Running the built `truc` binary (TRUC_BINARY) from the CLI tests, and the files it reads.
#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/base/file.h"
#include "core/crypto/certificate.h"
#include "tests/cli/shell_quote.h"
#include "tests/support/child_process.h"

namespace truc::cli {

// Runs `truc <arguments>` through the shell; the output holds stdout and stderr.
inline testing::CommandResult Truc(const std::string& arguments) {
  return testing::RunCommand(ShellQuote(TRUC_BINARY) + " " + arguments);
}

// Writes `certificates` to `path` as one PEM bundle, in order, and returns `path`. For use inside
// a TEST_CASE, which fails if the file cannot be written.
inline std::string WritePem(const std::string& path,
                            const std::vector<crypto::Certificate>& certificates) {
  std::string pem;
  for (const crypto::Certificate& certificate : certificates) pem += certificate.ToPem();
  REQUIRE(WriteFileAtomically(path, pem, 0644).ok());
  return path;
}

}  // namespace truc::cli
