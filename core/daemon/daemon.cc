#include "core/daemon/daemon.h"

#include <csignal>
#include <filesystem>

#include "core/base/file.h"

namespace truc::daemon {
namespace {

sigset_t TerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

}  // namespace

StatusOr<log::LogOptions> ReadLogOptions(config::ConfigTable root) {
  log::LogOptions options;
  TRUC_ASSIGN_OR_RETURN(config::ConfigTable table, root.GetOptionalTable("log"));
  TRUC_ASSIGN_OR_RETURN(options.level, table.GetEnum("level",
                                                     {{"debug", log::Level::kDebug},
                                                      {"info", log::Level::kInfo},
                                                      {"warning", log::Level::kWarning},
                                                      {"error", log::Level::kError}},
                                                     log::Level::kInfo));
  TRUC_ASSIGN_OR_RETURN(
      options.format,
      table.GetEnum("format", {{"text", log::Format::kText}, {"json", log::Format::kJson}},
                    log::Format::kText));
  return options;
}

std::string ResolvePath(std::string_view config_file, std::string_view path) {
  const std::filesystem::path file(path);
  if (file.is_absolute() || path.empty()) return std::string(path);
  return (std::filesystem::path(config_file).parent_path() / file).lexically_normal().string();
}

Status WriteReadyFile(const std::string& path, std::string_view endpoint) {
  if (path.empty()) return OkStatus();
  return WriteFileAtomically(path, std::string(endpoint) + "\n", 0644);
}

void BlockTerminationSignals() {
  const sigset_t signals = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

std::string WaitForTermination() {
  const sigset_t signals = TerminationSignals();
  int received = 0;
  while (sigwait(&signals, &received) != 0) {
  }
  return received == SIGINT ? "SIGINT" : "SIGTERM";
}

}  // namespace truc::daemon
