// A timestamp authority served over HTTP, assembled from configuration.
//
// Configuration (TOML; paths relative to the configuration file):
//
//   [listen]
//   address = "127.0.0.1"       # loopback unless configured otherwise
//   port = 3180                 # 0 picks a free port
//
//   [tsa]
//   key_file = "tsa.key"        # mode 0600
//   certificate_file = "tsa.pem"  # the TSA certificate, then its issuers
//   policy_oid = "1.3.6.1.4.1.99999.1.1"
//   serial_file = "tsa.serial"  # durable serial-number state
//   accuracy = "1s"             # optional; default 1s
//   workers = 2                 # optional; signing threads
#pragma once

#include <memory>
#include <string>

#include "core/base/clock.h"
#include "core/base/worker_pool.h"
#include "core/config/config.h"
#include "core/net/http_server.h"
#include "core/timestamp/timestamp_authority.h"

namespace truc::tsa {

struct TsaServerConfig {
  net::HttpServerOptions listen;
  std::string key_file;
  std::string certificate_file;
  std::string serial_file;
  timestamp::TsaOptions tsa;
  int workers = 2;
};

// Reads the [tsa] table of `root` (and [listen] when `with_listen`), resolving paths against
// `config_file`. Errors name the field.
StatusOr<TsaServerConfig> ReadTsaServerConfig(config::ConfigTable root,
                                              const std::string& config_file, bool with_listen);

// Loads the key, certificates and serial state named by `config`. `clock` must outlive the result.
StatusOr<std::unique_ptr<timestamp::TimestampAuthority>> LoadTimestampAuthority(
    const TsaServerConfig& config, const Clock& clock);

class TsaServer {
 public:
  // Loads the key and certificates, opens the serial state and starts listening. `clock` must
  // outlive the server.
  static StatusOr<std::unique_ptr<TsaServer>> Start(const TsaServerConfig& config,
                                                    const Clock& clock);
  // Stops the HTTP server, then the workers.
  ~TsaServer();

  std::string endpoint() const { return server_->endpoint(); }
  const timestamp::TimestampAuthority& authority() const { return *authority_; }

 private:
  TsaServer() = default;

  std::unique_ptr<timestamp::TimestampAuthority> authority_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace truc::tsa
