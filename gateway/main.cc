// truc-gateway: the node each agency runs to call other agencies' services and publish its own.
//
//   truc-gateway --config gateway.toml [--ready-file FILE]
//
// The ready file receives, once serving, one line per interface: "rest HOST:PORT",
// "grpc HOST:PORT", "exchange HOST:PORT" and "admin HOST:PORT".
#include <fmt/format.h>

#include "core/daemon/daemon.h"
#include "core/rpc/grpc_util.h"
#include "core/rpc/pinned_tls.h"
#include "gateway/gateway_server.h"

// jemalloc's options (read at its start; ignored when another allocator is linked, as under the
// sanitizers):
// - memory freed after a burst goes back to the system within a second instead of ten, purged
//   by jemalloc's own background threads rather than on the exchanges' allocations. After 10 s
//   of 64 KiB responses at 256 connections the consumer held 188 MB with the defaults, 112-139 MB
//   with a 1 s decay; purging inline cost about a tenth of REST throughput at 64 connections
//   (2,530-2,660 against 2,860-3,100 exchanges/s), in the background none measurable.
// - one arena per core, each thread allocating from the arena of the core it runs on, instead of
//   four per core: the gateway's thirty threads spread their free pages over fewer arenas. Under
//   64 KiB responses at 256 connections the consumer held 120-132 MB against 144-152 MB with four
//   arenas per core, the provider 110-133 against 131-138 MB (runs interleaved); throughput
//   unchanged within the noise (1 KiB at 64 connections as well).
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's.
const char* malloc_conf =
    "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,percpu_arena:percpu";
}

namespace truc::gateway {
namespace {

Status Serve(const daemon::DaemonArgs& args) {
  rpc::DisableMutexDeadlockDetection();
  // Before anything creates a TLS context: gateways speak TLS 1.3 only.
  TRUC_RETURN_IF_ERROR(rpc::RequireTls13ByDefault());
  TRUC_ASSIGN_OR_RETURN(GatewayConfig config,
                        ReadGatewayConfig(args.document.root(), args.config_file));
  TRUC_RETURN_IF_ERROR(args.document.CheckNoUnknownKeys());
  const log::Logger log("gateway");
  const std::string server_id = config.server_id.ToString();
  TRUC_ASSIGN_OR_RETURN(auto server,
                        GatewayServer::Start(std::move(config), SystemClock::Instance()));
  log.Info("gateway serving", {{"server", server_id},
                               {"rest", server->rest_endpoint()},
                               {"grpc", server->grpc_endpoint()},
                               {"exchange", server->exchange_endpoint()},
                               {"admin", server->admin_endpoint()}});
  TRUC_RETURN_IF_ERROR(daemon::WriteReadyFile(
      args.ready_file,
      fmt::format("rest {}\ngrpc {}\nexchange {}\nadmin {}", server->rest_endpoint(),
                  server->grpc_endpoint(), server->exchange_endpoint(), server->admin_endpoint())));
  log.Info("stopping", {{"signal", daemon::WaitForTermination()}});
  return OkStatus();
}

}  // namespace
}  // namespace truc::gateway

int main(int argc, char** argv) {
  return truc::daemon::DaemonMain(argc, argv, "truc-gateway",
                                  "truc-gateway: an agency's node in the federation",
                                  truc::gateway::Serve);
}
