// truc-registry: the federation's central registry.
//
//   truc-registry --config registry.toml [--ready-file FILE]
//
// The ready file receives two lines once serving: "publish HOST:PORT" and "admin HOST:PORT".
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/daemon/daemon.h"
#include "registry/registry_server.h"

namespace {

truc::Status Run(const std::string& config_file, const std::string& ready_file) {
  TRUC_ASSIGN_OR_RETURN(truc::config::ConfigDocument document,
                        truc::config::ConfigDocument::FromFile(config_file));
  TRUC_ASSIGN_OR_RETURN(truc::log::LogOptions log_options,
                        truc::daemon::ReadLogOptions(document.root()));
  TRUC_ASSIGN_OR_RETURN(truc::registry::RegistryServerConfig config,
                        truc::registry::ReadRegistryServerConfig(document.root(), config_file));
  TRUC_RETURN_IF_ERROR(document.CheckNoUnknownKeys());
  truc::log::Configure(log_options);
  const truc::log::Logger log("registry");

  TRUC_ASSIGN_OR_RETURN(
      auto server, truc::registry::RegistryServer::Start(config, truc::SystemClock::Instance()));
  log.Info("registry serving", {{"instance", config.registry.instance},
                                {"publish", server->publish_endpoint()},
                                {"admin", server->admin_endpoint()}});
  TRUC_RETURN_IF_ERROR(truc::daemon::WriteReadyFile(
      ready_file, "publish " + server->publish_endpoint() + "\nadmin " + server->admin_endpoint()));
  const std::string signal = truc::daemon::WaitForTermination();
  log.Info("stopping", {{"signal", signal}});
  return truc::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  truc::daemon::BlockTerminationSignals();
  CLI::App app("truc-registry: the federation's central registry", "truc-registry");
  std::string config_file;
  std::string ready_file;
  app.add_option("--config", config_file, "Configuration file (TOML)")->required();
  app.add_option("--ready-file", ready_file, "Write the listening addresses here once ready");
  CLI11_PARSE(app, argc, argv);
  const truc::Status status = Run(config_file, ready_file);
  if (!status.ok()) {
    std::cerr << "truc-registry: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
