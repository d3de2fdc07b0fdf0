// truc-tsa: an RFC 3161 timestamp authority over HTTP.
//
//   truc-tsa --config tsa.toml [--ready-file FILE]
#include "core/daemon/daemon.h"

#include "tsa/tsa_server.h"

namespace truc::tsa {
namespace {

Status Serve(const daemon::DaemonArgs& args) {
  TRUC_ASSIGN_OR_RETURN(TsaServerConfig config,
                        ReadTsaServerConfig(args.document.root(), args.config_file, true));
  TRUC_RETURN_IF_ERROR(args.document.CheckNoUnknownKeys());
  const log::Logger log("tsa");
  TRUC_ASSIGN_OR_RETURN(auto server, TsaServer::Start(config, SystemClock::Instance()));
  log.Info("timestamp authority listening",
           {{"endpoint", server->endpoint()},
            {"certificate", server->authority().certificate().subject()},
            {"policy", config.tsa.policy_oid}});
  TRUC_RETURN_IF_ERROR(daemon::WriteReadyFile(args.ready_file, server->endpoint()));
  log.Info("stopping", {{"signal", daemon::WaitForTermination()}});
  return OkStatus();
}

}  // namespace
}  // namespace truc::tsa

int main(int argc, char** argv) {
  return truc::daemon::DaemonMain(argc, argv, "truc-tsa", "truc-tsa: RFC 3161 timestamp authority",
                                  truc::tsa::Serve);
}
