// What every Trục daemon (gateway, registry, TSA) does the same way: read the [log] table of its
// configuration, resolve file paths relative to the configuration file, announce readiness, and
// wait for SIGINT or SIGTERM to shut down gracefully.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/base/status.h"
#include "core/config/config.h"
#include "core/log/log.h"

namespace truc::daemon {

// Reads the optional [log] table (level = "debug"|"info"|"warning"|"error", format =
// "text"|"json") into options for log::Configure. Defaults: info, text, stderr.
StatusOr<log::LogOptions> ReadLogOptions(config::ConfigTable root);

// `path` if absolute, otherwise relative to the directory of `config_file`.
std::string ResolvePath(std::string_view config_file, std::string_view path);

// Writes `endpoint` ("127.0.0.1:8080") and a newline to `path` atomically, so a launcher or a test
// that waits for the file sees the whole address. Does nothing when `path` is empty.
Status WriteReadyFile(const std::string& path, std::string_view endpoint);

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts afterwards. Call it
// first in main(), before starting threads, so that the signals reach WaitForTermination.
void BlockTerminationSignals();

// Waits until SIGINT or SIGTERM arrives; returns the signal's name.
std::string WaitForTermination();

// What a daemon's main() hands to its body.
struct DaemonArgs {
  config::ConfigDocument& document;  // The parsed configuration file; [log] is already applied.
  const std::string& config_file;
  const std::string& ready_file;  // "" when not asked for.
};

// The whole main() of a Trục daemon: blocks the termination signals, parses
// `--config FILE [--ready-file FILE]`, loads the configuration and applies its [log] table, then
// runs `body`, which reads the rest of the configuration (and checks for unknown keys), serves,
// and returns once WaitForTermination does. A failure is printed as "NAME: message" and gives
// exit code 1.
int DaemonMain(int argc, char** argv, const std::string& name, const std::string& description,
               const std::function<Status(const DaemonArgs& args)>& body);

}  // namespace truc::daemon
