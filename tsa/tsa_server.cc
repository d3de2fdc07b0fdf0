#include "tsa/tsa_server.h"

#include "core/daemon/daemon.h"
#include "core/timestamp/tsa_http_service.h"

namespace truc::tsa {

StatusOr<TsaServerConfig> ReadTsaServerConfig(config::ConfigTable root,
                                              const std::string& config_file, bool with_listen) {
  TsaServerConfig config;
  if (with_listen) {
    TRUC_ASSIGN_OR_RETURN(config::ConfigTable listen, root.GetTable("listen"));
    TRUC_ASSIGN_OR_RETURN(config.listen.address, listen.GetString("address", "127.0.0.1"));
    TRUC_ASSIGN_OR_RETURN(const int64_t port, listen.GetInt("port", 0, 65535));
    config.listen.port = static_cast<uint16_t>(port);
  }
  TRUC_ASSIGN_OR_RETURN(config::ConfigTable tsa, root.GetTable("tsa"));
  TRUC_ASSIGN_OR_RETURN(const std::string key_file, tsa.GetString("key_file"));
  TRUC_ASSIGN_OR_RETURN(const std::string certificate_file, tsa.GetString("certificate_file"));
  TRUC_ASSIGN_OR_RETURN(const std::string serial_file, tsa.GetString("serial_file"));
  config.key_file = daemon::ResolvePath(config_file, key_file);
  config.certificate_file = daemon::ResolvePath(config_file, certificate_file);
  config.serial_file = daemon::ResolvePath(config_file, serial_file);
  TRUC_ASSIGN_OR_RETURN(config.tsa.policy_oid, tsa.GetString("policy_oid"));
  TRUC_ASSIGN_OR_RETURN(const std::chrono::milliseconds accuracy,
                        tsa.GetDuration("accuracy", std::chrono::seconds(1)));
  config.tsa.accuracy_seconds = static_cast<int>(accuracy.count() / 1000);
  config.tsa.accuracy_millis = static_cast<int>(accuracy.count() % 1000);
  TRUC_ASSIGN_OR_RETURN(const int64_t workers, tsa.GetInt("workers", 1, 64, 2));
  config.workers = static_cast<int>(workers);
  return config;
}

StatusOr<std::unique_ptr<timestamp::TimestampAuthority>> LoadTimestampAuthority(
    const TsaServerConfig& config, const Clock& clock) {
  TRUC_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::LoadPemFile(config.key_file));
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain,
                        crypto::Certificate::LoadPemFile(config.certificate_file));
  TRUC_ASSIGN_OR_RETURN(std::unique_ptr<timestamp::SerialCounter> serials,
                        timestamp::SerialCounter::Open(config.serial_file));
  return timestamp::TimestampAuthority::Create(config.tsa, std::move(key), std::move(chain),
                                               std::move(serials), clock);
}

StatusOr<std::unique_ptr<TsaServer>> TsaServer::Start(const TsaServerConfig& config,
                                                      const Clock& clock) {
  std::unique_ptr<TsaServer> server(new TsaServer());
  TRUC_ASSIGN_OR_RETURN(server->authority_, LoadTimestampAuthority(config, clock));
  server->workers_ = std::make_unique<WorkerPool>(config.workers, /*max_queue=*/4096);
  net::HttpServerOptions listen = config.listen;
  listen.max_body_bytes = timestamp::kMaxTimestampQueryBytes;
  TRUC_ASSIGN_OR_RETURN(
      server->server_, net::HttpServer::Start(listen, timestamp::MakeTsaHttpHandler(
                                                          *server->authority_, *server->workers_)));
  return server;
}

TsaServer::~TsaServer() {
  if (server_) server_->Stop();
  if (workers_) workers_->Shutdown();
}

}  // namespace truc::tsa
