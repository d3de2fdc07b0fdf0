// truc-tsa: an RFC 3161 timestamp authority over HTTP.
//
//   truc-tsa --config tsa.toml [--ready-file FILE]
#include <iostream>

#include <CLI/CLI.hpp>

#include "core/daemon/daemon.h"

#include "tsa/tsa_server.h"

namespace {

truc::Status Run(const std::string& config_file, const std::string& ready_file) {
  TRUC_ASSIGN_OR_RETURN(truc::config::ConfigDocument document,
                        truc::config::ConfigDocument::FromFile(config_file));
  TRUC_ASSIGN_OR_RETURN(truc::log::LogOptions log_options,
                        truc::daemon::ReadLogOptions(document.root()));
  TRUC_ASSIGN_OR_RETURN(truc::tsa::TsaServerConfig config,
                        truc::tsa::ReadTsaServerConfig(document.root(), config_file, true));
  TRUC_RETURN_IF_ERROR(document.CheckNoUnknownKeys());
  truc::log::Configure(log_options);
  const truc::log::Logger log("tsa");

  TRUC_ASSIGN_OR_RETURN(auto server,
                        truc::tsa::TsaServer::Start(config, truc::SystemClock::Instance()));
  log.Info("timestamp authority listening",
           {{"endpoint", server->endpoint()},
            {"certificate", server->authority().certificate().subject()},
            {"policy", config.tsa.policy_oid}});
  TRUC_RETURN_IF_ERROR(truc::daemon::WriteReadyFile(ready_file, server->endpoint()));
  const std::string signal = truc::daemon::WaitForTermination();
  log.Info("stopping", {{"signal", signal}});
  return truc::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  truc::daemon::BlockTerminationSignals();
  CLI::App app("truc-tsa: RFC 3161 timestamp authority", "truc-tsa");
  std::string config_file;
  std::string ready_file;
  app.add_option("--config", config_file, "Configuration file (TOML)")->required();
  app.add_option("--ready-file", ready_file, "Write the listening address here once ready");
  CLI11_PARSE(app, argc, argv);
  const truc::Status status = Run(config_file, ready_file);
  if (!status.ok()) {
    std::cerr << "truc-tsa: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
