// The registry daemon assembled from its configuration: the RocksDB store and the federation model,
// the configuration publisher (HTTP), the administration API (gRPC over mutual TLS), and optionally
// an embedded timestamp authority.
//
// Configuration (TOML; paths relative to the configuration file; see docs/registry.md):
//
//   instance = "VN"
//   data_dir = "data"                    # RocksDB database, created on first start
//   configuration_validity = "1d"        # how long each version stays valid; reissued at half
//   auto_approve_registered_members = true
//
//   [publish]                            # global configuration over HTTP
//   address = "127.0.0.1"
//   port = 8080
//
//   [admin]                              # administration API, gRPC over mutual TLS
//   address = "127.0.0.1"
//   port = 8443
//   certificate_file = "registry-tls.pem"
//   key_file = "registry-tls.key"
//   client_ca_file = "ca-bundle.pem"     # CAs whose client certificates are let in
//   administrators = ["admin.pem"]       # certificates of administrators
//
//   [signing]                            # the configuration-signing key
//   key_file = "config-signing.key"
//   certificate_file = "config-signing.pem"   # the certificate, then its issuers
//
//   [tsa]                                # optional: a timestamp authority at /timestamp on the
//   ...                                  # publish port, as in tsa/tsa_server.h
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/base/clock.h"
#include "core/config/config.h"
#include "core/net/http_server.h"
#include "core/storage/rocksdb_store.h"
#include "registry/admin_service.h"
#include "registry/configuration_publisher.h"
#include "registry/registry.h"

#include "tsa/tsa_server.h"

namespace grpc {
class Server;
}

namespace truc::registry {

struct RegistryServerConfig {
  RegistryOptions registry;
  std::string data_dir;
  net::HttpServerOptions publish;
  std::string admin_address;
  uint16_t admin_port = 0;
  std::string admin_certificate_file;
  std::string admin_key_file;
  std::string admin_client_ca_file;
  std::vector<std::string> administrator_certificate_files;
  std::string signing_key_file;
  std::string signing_certificate_file;
  std::optional<tsa::TsaServerConfig> tsa;
};

// Reads the configuration described above. Errors name the field.
StatusOr<RegistryServerConfig> ReadRegistryServerConfig(config::ConfigTable root,
                                                        const std::string& config_file);

class RegistryServer {
 public:
  // Opens the store, loads the keys, publishes the current configuration and starts serving.
  // `clock` must outlive the server.
  static StatusOr<std::unique_ptr<RegistryServer>> Start(const RegistryServerConfig& config,
                                                         const Clock& clock);
  // Stops serving, then closes the store.
  ~RegistryServer();

  std::string publish_endpoint() const { return http_->endpoint(); }
  std::string admin_endpoint() const { return admin_endpoint_; }

 private:
  RegistryServer() = default;
  // Reissues the configuration every half validity, until stopped.
  void ReissueLoop(std::chrono::seconds interval);

  std::unique_ptr<storage::RocksDbStore> store_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<ConfigurationPublisher> publisher_;
  std::unique_ptr<WorkerPool> tsa_workers_;
  std::unique_ptr<timestamp::TimestampAuthority> tsa_;
  std::unique_ptr<AdminService> admin_service_;
  std::unique_ptr<grpc::Server> grpc_;
  std::unique_ptr<net::HttpServer> http_;
  std::string admin_endpoint_;
  std::mutex mu_;
  std::condition_variable stop_;
  bool stopping_ = false;  // Guarded by mu_.
  std::thread reissuer_;
};

}  // namespace truc::registry
