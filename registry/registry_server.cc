#include "registry/registry_server.h"

#include <filesystem>

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include "core/base/file.h"
#include "core/daemon/daemon.h"
#include "core/globalconf/signed_configuration.h"
#include "core/log/log.h"
#include "core/rpc/grpc_util.h"
#include "core/timestamp/tsa_http_service.h"

namespace truc::registry {
namespace {

const log::Logger& Log() {
  static const log::Logger* const logger = new log::Logger("registry");
  return *logger;
}

StatusOr<net::HttpServerOptions> ReadListen(config::ConfigTable table, int64_t default_port) {
  net::HttpServerOptions listen;
  TRUC_ASSIGN_OR_RETURN(listen.address, table.GetString("address", "127.0.0.1"));
  TRUC_ASSIGN_OR_RETURN(const int64_t port, table.GetInt("port", 0, 65535, default_port));
  listen.port = static_cast<uint16_t>(port);
  return listen;
}

}  // namespace

StatusOr<RegistryServerConfig> ReadRegistryServerConfig(config::ConfigTable root,
                                                        const std::string& config_file) {
  RegistryServerConfig config;
  const auto path = [&](const std::string& relative) {
    return daemon::ResolvePath(config_file, relative);
  };
  TRUC_ASSIGN_OR_RETURN(config.registry.instance, root.GetString("instance"));
  TRUC_ASSIGN_OR_RETURN(const std::string data_dir, root.GetString("data_dir"));
  config.data_dir = path(data_dir);
  TRUC_ASSIGN_OR_RETURN(const std::chrono::milliseconds validity,
                        root.GetDuration("configuration_validity", std::chrono::hours(24)));
  if (validity < std::chrono::minutes(1)) {
    return root.FieldError("configuration_validity", "must be at least 1m");
  }
  config.registry.configuration_validity =
      std::chrono::duration_cast<std::chrono::seconds>(validity);
  TRUC_ASSIGN_OR_RETURN(config.registry.auto_approve_registered_members,
                        root.GetBool("auto_approve_registered_members", true));

  TRUC_ASSIGN_OR_RETURN(config::ConfigTable publish, root.GetTable("publish"));
  TRUC_ASSIGN_OR_RETURN(config.publish, ReadListen(publish, 8080));

  TRUC_ASSIGN_OR_RETURN(config::ConfigTable admin, root.GetTable("admin"));
  TRUC_ASSIGN_OR_RETURN(const net::HttpServerOptions admin_listen, ReadListen(admin, 8443));
  config.admin_address = admin_listen.address;
  config.admin_port = admin_listen.port;
  TRUC_ASSIGN_OR_RETURN(const std::string certificate, admin.GetString("certificate_file"));
  TRUC_ASSIGN_OR_RETURN(const std::string key, admin.GetString("key_file"));
  TRUC_ASSIGN_OR_RETURN(const std::string client_ca, admin.GetString("client_ca_file"));
  TRUC_ASSIGN_OR_RETURN(const std::vector<std::string> administrators,
                        admin.GetStringArray("administrators"));
  if (administrators.empty()) {
    return admin.FieldError("administrators", "at least one administrator certificate is needed");
  }
  config.admin_certificate_file = path(certificate);
  config.admin_key_file = path(key);
  config.admin_client_ca_file = path(client_ca);
  for (const std::string& file : administrators) {
    config.administrator_certificate_files.push_back(path(file));
  }

  TRUC_ASSIGN_OR_RETURN(config::ConfigTable signing, root.GetTable("signing"));
  TRUC_ASSIGN_OR_RETURN(const std::string signing_key, signing.GetString("key_file"));
  TRUC_ASSIGN_OR_RETURN(const std::string signing_certificate,
                        signing.GetString("certificate_file"));
  config.signing_key_file = path(signing_key);
  config.signing_certificate_file = path(signing_certificate);

  if (root.Has("tsa")) {
    TRUC_ASSIGN_OR_RETURN(config.tsa, tsa::ReadTsaServerConfig(root, config_file, false));
  }
  return config;
}

StatusOr<std::unique_ptr<RegistryServer>> RegistryServer::Start(const RegistryServerConfig& config,
                                                                const Clock& clock) {
  std::unique_ptr<RegistryServer> server(new RegistryServer());

  // The signing key first: nothing is worth starting if the configuration cannot be signed.
  TRUC_ASSIGN_OR_RETURN(crypto::PrivateKey signing_key,
                        crypto::PrivateKey::LoadPemFile(config.signing_key_file));
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> signing_chain,
                        crypto::Certificate::LoadPemFile(config.signing_certificate_file));
  server->publisher_ = std::make_unique<ConfigurationPublisher>(
      std::make_unique<crypto::PrivateKey>(std::move(signing_key)), std::move(signing_chain));

  std::set<std::string> administrators;
  for (const std::string& file : config.administrator_certificate_files) {
    TRUC_ASSIGN_OR_RETURN(std::string fingerprint, crypto::Certificate::FingerprintOfFile(file));
    administrators.insert(std::move(fingerprint));
  }

  std::error_code directory_error;
  std::filesystem::create_directories(config.data_dir, directory_error);
  if (directory_error) {
    return UnavailableError(fmt::format("cannot create the data directory {}: {}", config.data_dir,
                                        directory_error.message()),
                            "registry.data_dir");
  }
  TRUC_ASSIGN_OR_RETURN(server->store_, storage::RocksDbStore::Open(config.data_dir));
  TRUC_ASSIGN_OR_RETURN(server->registry_, Registry::Open(*server->store_, config.registry, clock));
  ConfigurationPublisher* publisher = server->publisher_.get();
  server->registry_->OnChange([publisher](const v1::GlobalConfiguration& configuration) {
    const Status published = publisher->Publish(configuration);
    if (!published.ok()) {
      Log().Error("cannot publish the configuration",
                  {{"version", configuration.version()}, {"error", published.message()}});
    }
  });
  // Publish what the store holds with a fresh expiry, as a new version.
  TRUC_RETURN_IF_ERROR(server->registry_->Reissue().status());

  net::HttpHandler tsa_handler;
  if (config.tsa) {
    TRUC_ASSIGN_OR_RETURN(server->tsa_, tsa::LoadTimestampAuthority(*config.tsa, clock));
    server->tsa_workers_ = std::make_unique<WorkerPool>(config.tsa->workers, 4096);
    tsa_handler = timestamp::MakeTsaHttpHandler(*server->tsa_, *server->tsa_workers_);
  }
  net::HttpHandler publish_handler = publisher->Handler();
  TRUC_ASSIGN_OR_RETURN(
      server->http_, net::HttpServer::Start(
                         config.publish, [publish_handler, tsa_handler](
                                             net::HttpRequest request, net::HttpResponder respond) {
                           if (tsa_handler && request.target.starts_with("/timestamp")) {
                             return tsa_handler(std::move(request), std::move(respond));
                           }
                           publish_handler(std::move(request), std::move(respond));
                         }));

  TRUC_ASSIGN_OR_RETURN(
      std::shared_ptr<grpc::ServerCredentials> credentials,
      rpc::MutualTlsServerCredentials(
          {config.admin_certificate_file, config.admin_key_file, config.admin_client_ca_file}));
  server->admin_service_ =
      std::make_unique<AdminService>(*server->registry_, std::move(administrators));
  TRUC_ASSIGN_OR_RETURN(rpc::ListeningServer admin,
                        rpc::StartGrpcServer(config.admin_address, config.admin_port, credentials,
                                             {server->admin_service_.get()}, 0, "the admin API"));
  server->grpc_ = std::move(admin.server);
  server->admin_endpoint_ = std::move(admin.endpoint);
  const auto reissue = config.registry.configuration_validity / 2;
  server->reissuer_ = std::thread([raw = server.get(), reissue] { raw->ReissueLoop(reissue); });
  return server;
}

void RegistryServer::ReissueLoop(std::chrono::seconds interval) {
  std::unique_lock lock(mu_);
  while (!stop_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    const StatusOr<uint64_t> version = registry_->Reissue();
    if (version.ok()) {
      Log().Info("configuration reissued", {{"version", *version}});
    } else {
      Log().Error("cannot reissue the configuration", {{"error", version.status().message()}});
    }
    lock.lock();
  }
}

RegistryServer::~RegistryServer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (reissuer_.joinable()) reissuer_.join();
  if (grpc_) grpc_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (http_) http_->Stop();
  if (tsa_workers_) tsa_workers_->Shutdown();
}

}  // namespace truc::registry
