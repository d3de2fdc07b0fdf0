#include "core/daemon/daemon.h"

#include <csignal>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

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

int DaemonMain(int argc, char** argv, const std::string& name, const std::string& description,
               const std::function<Status(const DaemonArgs& args)>& body) {
  BlockTerminationSignals();
  CLI::App app(description, name);
  std::string config_file;
  std::string ready_file;
  app.add_option("--config", config_file, "Configuration file (TOML)")->required();
  app.add_option("--ready-file", ready_file, "Write the listening address(es) here once ready");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  const auto run = [&]() -> Status {
    TRUC_ASSIGN_OR_RETURN(config::ConfigDocument document,
                          config::ConfigDocument::FromFile(config_file));
    TRUC_ASSIGN_OR_RETURN(log::LogOptions log_options, ReadLogOptions(document.root()));
    log::Configure(log_options);
    return body({document, config_file, ready_file});
  };
  const Status status = run();
  if (!status.ok()) {
    std::cerr << name << ": " << status.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace truc::daemon
