// The gateway daemon assembled from its configuration file and the federation's global
// configuration: the consumer interfaces (REST r1 and the gRPC service API) for the agency's own
// information systems, the exchange server other gateways call, the administration API, and what
// they share (signing key, access rights, audit log, connections to peers).
//
// Configuration (TOML; paths relative to the file; see docs/integrator-guide.md and
// docs/configuration.md):
//
//   server_id = "VN/GOV/000100/gw1"     # this gateway, as registered
//   data_dir = "data"                   # RocksDB: access rights, audit log, configuration cache
//
//   [globalconf]
//   urls = ["http://registry:8080/globalconf"]
//   trust_anchor_file = "root-ca.pem"   # the federation's root CA
//   refresh_interval = "1m"
//
//   [signing]                           # the member's signing key
//   key_file = "signing.key"            # a key file, or a key in an HSM ([signing.pkcs11])
//   certificate_file = "signing.pem"    # the certificate, then its issuers
//   batch_delay = "0ms"                 # how long a batch waits for more messages to share a
//                                       # signature (0: those that arrive while one is signed)
//
//   [signing.pkcs11]                    # instead of key_file: the key on a PKCS#11 token
//   module = "/usr/lib/softhsm/libsofthsm2.so"
//   token_label = "gw1"                 # or token_serial = "..."
//   key_label = "member-signing"
//   pin_file = "hsm.pin"                # mode 0600; or pin_env = "TRUC_HSM_PIN"
//
//   [exchange]                          # between gateways, over mutual TLS 1.3
//   transport = "http2"                 # or "https" (HTTP/1.1, mixes with "http2"), "grpc"
//                                       # (which the other two do not understand)
//   address = "127.0.0.1"
//   port = 5500
//   certificate_file = "gateway-tls.pem"
//   key_file = "gateway-tls.key"
//   timeout = "60s"                     # end to end, for calls this gateway makes
//   max_body_bytes = 10485760
//
//   [consumer]                          # for the agency's information systems
//   address = "127.0.0.1"               # plain HTTP is only ever served on loopback
//   rest_port = 8080
//   grpc_port = 8081
//   max_concurrent_calls = 256
//   worker_threads = 256                # older setting: also caps max_concurrent_calls
//                                       # (calls no longer hold a thread each)
//   [consumer.tls]                      # optional; required off loopback
//   certificate_file = "consumer.pem"
//   key_file = "consumer.key"
//   client_ca_file = "agency-ca.pem"    # optional: client certificates (see local_clients)
//
//   [provider]                          # limits on what other members ask of this gateway
//   max_concurrent_calls = 256          # requests served at once; beyond, TooManyRequests
//   requests_per_second = 100.0         # per client subsystem
//   burst = 200
//   replay_window = "15m"               # a message id is refused again within this window
//   max_remembered_ids = 1000000
//
//   [audit]                             # see docs/audit-log.md
//   enabled = true                      # false: exchanges leave no evidence (benchmarks only)
//   min_free_bytes = 268435456          # exchanges are refused while the data directory's
//                                       # file system has less free space (256 MiB)
//   timestamping_urls = ["http://tsa:8080/timestamp"]   # approved TSAs, tried in order (required
//                                                       # unless the log is disabled)
//   seal_interval = "1s"                # how often the tree head is signed and timestamped
//   timestamping_tolerance = "60s"      # how long records may wait for a timestamp before the
//                                       # gateway refuses new exchanges (fail closed)
//   body_policy = "keep"                # message bodies: "keep", "encrypt" or "digest_only"
//   encryption_key_file = "audit-body.key"  # AES-256 key, 64 hex digits, mode 0600; needed
//                                           # when any policy is "encrypt"
//   archive_dir = "archive"             # sealed segments are archived there (optional)
//   archive_interval = "1h"             # how often a segment is cut
//   retention = "0s"                    # how long archived records stay in the live store
//                                       # (0: forever); needs archive_dir
//   [[audit.subsystems]]                # another policy for one of this member's subsystems
//   subsystem = "VN/GOV/000100/health"
//   body_policy = "encrypt"
//
//   [admin]                             # access rights: gRPC over mutual TLS
//   address = "127.0.0.1"
//   port = 5501
//   certificate_file = "gateway-tls.pem"
//   key_file = "gateway-tls.key"
//   client_ca_file = "root-ca.pem"
//   administrators = ["admin.pem"]
//   [[admin.auditors]]                  # the audit API (docs/auditor-guide.md), same listener
//   certificate = "auditor.pem"         # the auditor's TLS client certificate
//   members = ["VN/GOV/000100"]         # whose exchanges it sees; default: this gateway's owner
//
//   [[services]]                        # the services this gateway provides
//   id = "VN/GOV/000100/population/citizens"
//   backend = "rest"                    # or "grpc"
//   url = "http://127.0.0.1:9000/api"   # gRPC: "host:port"
//   timeout = "30s"
//   ca_file = ""                        # https backends: the CA to verify them with
//   [[services.endpoints]]              # the REST endpoints it declares
//   method = "GET"
//   path = "/citizens/*"
//
//   [[local_clients]]                   # see gateway/local_clients.h
//   subsystem = "VN/GOV/000100/portal"
//   certificates = ["portal-client.pem"]
#pragma once

#include <map>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "core/base/clock.h"
#include "core/base/worker_pool.h"
#include "core/config/config.h"
#include "core/crypto/keys.h"
#include "core/evidence/message_signing.h"
#include "core/evidence/verification_cache.h"
#include "core/globalconf/configuration_client.h"
#include "core/net/event_loop.h"
#include "core/net/http_server.h"
#include "core/rpc/grpc_util.h"
#include "core/storage/rocksdb_store.h"
#include "gateway/access/access_rights.h"
#include "gateway/access/admin_service.h"
#include "gateway/audit/audit_log.h"
#include "gateway/audit/audit_service.h"
#include "gateway/exchange/backend_client.h"
#include "gateway/exchange/consumer_proxy.h"
#include "gateway/exchange/peer_channels.h"
#include "gateway/exchange/peer_https.h"
#include "gateway/exchange/provider_proxy.h"
#include "gateway/grpc_interface.h"
#include "gateway/limits/concurrency_limit.h"
#include "gateway/limits/rate_limiter.h"
#include "gateway/limits/replay_guard.h"
#include "gateway/local_clients.h"
#include "gateway/rest_interface.h"

namespace truc::gateway {

// Who may use the audit API, and whose exchanges it sees there.
struct AuditorConfig {
  std::string certificate_file;
  audit::AuditorScope scope;
};

struct GatewayConfig {
  ids::ServerId server_id;
  std::string data_dir;
  globalconf::ConfigurationClientOptions globalconf;
  std::string signing_key_file;  // Empty when the key is on a token (signing_pkcs11).
  struct Pkcs11Key {
    std::string module;
    std::string token_label;
    std::string token_serial;
    std::string key_label;
    std::string pin_file;  // Read at start (mode 0600),
    std::string pin_env;   // or this environment variable.
  };
  std::optional<Pkcs11Key> signing_pkcs11;
  std::string signing_certificate_file;
  std::chrono::milliseconds batch_delay{0};

  // How gateways talk to each other (both ways): gRPC, or HTTPS of our own (peer_https.h), with
  // HTTP/1.1 or HTTP/2 calls (a gateway's HTTPS exchange server takes both).
  enum class ExchangeTransport { kGrpc, kHttps, kHttp2 };
  ExchangeTransport exchange_transport = ExchangeTransport::kHttp2;
  std::string exchange_address;
  uint16_t exchange_port = 0;
  std::string exchange_certificate_file;
  std::string exchange_key_file;
  std::chrono::milliseconds exchange_timeout{60'000};
  size_t max_body_bytes = 10 << 20;

  net::HttpServerOptions rest;  // Address, port and TLS of the consumer interfaces.
  uint16_t grpc_port = 0;
  size_t max_concurrent_calls = 256;
  int worker_threads = 256;

  size_t provider_max_concurrent_calls = 256;
  double requests_per_second = 100;
  double burst = 200;
  std::chrono::milliseconds replay_window{std::chrono::minutes(15)};
  size_t max_remembered_ids = 1'000'000;

  std::string admin_address;
  uint16_t admin_port = 0;
  rpc::TlsFiles admin_tls;
  std::vector<std::string> administrator_certificate_files;
  std::vector<AuditorConfig> auditors;

  // False only to measure what the audit log costs: exchanges are then not logged at all.
  bool audit_enabled = true;
  // The store refuses to write (exchanges fail with LoggingFailed) while its file system has less
  // free space than this (storage::RocksDbOptions::min_free_bytes).
  uint64_t min_free_bytes = 256 << 20;
  // What the audit log keeps of bodies: the default, and the policies of some subsystems.
  v1::BodyPolicy body_policy = v1::BODY_POLICY_KEEP;
  std::map<ids::SubsystemId, v1::BodyPolicy> body_policies;
  std::string body_key_file;  // Empty when no body is encrypted.
  std::vector<std::string> timestamping_urls;
  std::chrono::milliseconds seal_interval{1'000};
  std::chrono::milliseconds timestamping_tolerance{60'000};
  std::string archive_dir;  // Empty: no archiving.
  std::chrono::milliseconds archive_interval{std::chrono::hours(1)};
  std::chrono::milliseconds retention{0};  // Zero: records stay in the live store.

  std::vector<ProvidedService> services;
  LocalClients local_clients;
};

// Reads the configuration described above. Errors name the field.
StatusOr<GatewayConfig> ReadGatewayConfig(config::ConfigTable root, const std::string& config_file);

class SealedAuditLog;

class GatewayServer {
 public:
  // Opens the store, loads the keys, obtains the global configuration (from the cache, else from
  // the registry; the gateway starts even when neither works, and refuses exchanges until one
  // does) and starts serving. `clock` must outlive the server.
  static StatusOr<std::unique_ptr<GatewayServer>> Start(GatewayConfig config, const Clock& clock);
  // Stops every server, then the workers, then closes the store.
  ~GatewayServer();

  std::string rest_endpoint() const { return rest_->endpoint(); }
  std::string grpc_endpoint() const { return grpc_endpoint_; }
  std::string exchange_endpoint() const { return exchange_endpoint_; }
  std::string admin_endpoint() const { return admin_endpoint_; }

 private:
  explicit GatewayServer(GatewayConfig config);

  // A message between gateways: a body and what travels with it.
  size_t MaxMessageBytes() const { return config_.max_body_bytes + (1 << 20); }
  Status StartExchangeServer(const rpc::TlsIdentity& identity, const Clock& clock);
  Status StartConsumerServers();
  Status StartAdminServer();
  // How many threads run the exchange core's work: one per core.
  static int ExecutorThreads();

  const GatewayConfig config_;
  // Declaration order is construction order; destruction runs backwards, servers first.
  // The I/O threads of the REST interface, the backends, and (over HTTPS) the exchange with other
  // gateways: first, so that it stops last.
  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<storage::RocksDbStore> store_;
  std::unique_ptr<globalconf::ConfigurationClient> configuration_;
  std::unique_ptr<crypto::Signer> signing_key_;
  std::unique_ptr<evidence::BatchSigner> signer_;
  std::unique_ptr<BatchSealer> sealer_;
  // Peers' signatures verified under the current configuration, shared by both sides.
  evidence::VerificationCache verified_;
  std::unique_ptr<access::AccessRights> access_;
  std::unique_ptr<ExchangeLog> log_;      // The sealed audit log, or nothing when disabled.
  SealedAuditLog* sealed_log_ = nullptr;  // log_ when it is the sealed audit log.
  std::unique_ptr<limits::ReplayGuard> replay_;
  std::unique_ptr<limits::RateLimiter> rates_;
  std::unique_ptr<limits::ConcurrencyLimit> concurrency_;
  std::unique_ptr<BackendClient> backends_;
  std::unique_ptr<PeerChannels> peers_;      // With the gRPC transport,
  std::unique_ptr<HttpsPeers> https_peers_;  // or this with the HTTPS one.
  std::unique_ptr<ConsumerProxy> consumer_;
  std::unique_ptr<limits::ConcurrencyLimit> provider_concurrency_;
  std::unique_ptr<ProviderProxy> provider_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<RestInterface> rest_interface_;
  std::unique_ptr<GrpcInterface> grpc_interface_;
  std::unique_ptr<access::AdminService> admin_service_;
  std::unique_ptr<audit::AuditService> audit_service_;
  std::unique_ptr<grpc::Server> exchange_server_;           // With the gRPC transport,
  std::unique_ptr<net::HttpServer> https_exchange_server_;  // or this with the HTTPS one.
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<grpc::Server> admin_server_;
  std::unique_ptr<net::HttpServer> rest_;
  std::string exchange_endpoint_;
  std::string grpc_endpoint_;
  std::string admin_endpoint_;
};

}  // namespace truc::gateway
