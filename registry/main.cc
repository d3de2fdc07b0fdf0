// truc-registry: the federation's central registry.
//
//   truc-registry --config registry.toml [--ready-file FILE]
//
// The ready file receives two lines once serving: "publish HOST:PORT" and "admin HOST:PORT".
#include "core/daemon/daemon.h"
#include "core/rpc/grpc_util.h"
#include "registry/registry_server.h"

namespace truc::registry {
namespace {

Status Serve(const daemon::DaemonArgs& args) {
  rpc::DisableMutexDeadlockDetection();
  TRUC_ASSIGN_OR_RETURN(RegistryServerConfig config,
                        ReadRegistryServerConfig(args.document.root(), args.config_file));
  TRUC_RETURN_IF_ERROR(args.document.CheckNoUnknownKeys());
  const log::Logger log("registry");
  TRUC_ASSIGN_OR_RETURN(auto server, RegistryServer::Start(config, SystemClock::Instance()));
  log.Info("registry serving", {{"instance", config.registry.instance},
                                {"publish", server->publish_endpoint()},
                                {"admin", server->admin_endpoint()}});
  TRUC_RETURN_IF_ERROR(daemon::WriteReadyFile(
      args.ready_file,
      "publish " + server->publish_endpoint() + "\nadmin " + server->admin_endpoint()));
  log.Info("stopping", {{"signal", daemon::WaitForTermination()}});
  return OkStatus();
}

}  // namespace
}  // namespace truc::registry

int main(int argc, char** argv) {
  return truc::daemon::DaemonMain(argc, argv, "truc-registry",
                                  "truc-registry: the federation's central registry",
                                  truc::registry::Serve);
}
