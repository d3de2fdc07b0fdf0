#include "gateway/gateway_server.h"

#include <filesystem>
#include <initializer_list>
#include <optional>

#include <fmt/format.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "core/base/file.h"
#include "core/crypto/pkcs11.h"
#include "core/daemon/daemon.h"
#include "core/ids/id_proto.h"
#include "core/log/log.h"
#include "core/rpc/pinned_tls.h"
#include "gateway/audit/archiver.h"
#include "gateway/audit/federation_timestamper.h"
#include "gateway/audit/tree_head_sealer.h"

namespace truc::gateway {
namespace {

const log::Logger& Log() {
  static const log::Logger* const logger = new log::Logger("gateway");
  return *logger;
}

bool IsLoopback(std::string_view address) {
  return address == "localhost" || address == "::1" || address.starts_with("127.");
}

StatusOr<uint16_t> ReadPort(config::ConfigTable& table, std::string_view key, int64_t fallback) {
  TRUC_ASSIGN_OR_RETURN(const int64_t port, table.GetInt(key, 0, 65535, fallback));
  return static_cast<uint16_t>(port);
}

StatusOr<ProvidedService> ReadService(config::ConfigTable& table, const std::string& config_file) {
  TRUC_ASSIGN_OR_RETURN(const std::string id, table.GetString("id"));
  StatusOr<ids::ServiceId> parsed = ids::ServiceId::Parse(id);
  if (!parsed.ok()) return table.FieldError("id", parsed.status().message());
  ProvidedService service{.id = std::move(*parsed)};
  TRUC_ASSIGN_OR_RETURN(const std::string kind, table.GetString("backend", "rest"));
  if (kind != "rest" && kind != "grpc") return table.FieldError("backend", "must be rest or grpc");
  service.backend.kind = kind == "rest" ? Backend::Kind::kRest : Backend::Kind::kGrpc;
  TRUC_ASSIGN_OR_RETURN(service.backend.url, table.GetString("url"));
  if (service.backend.kind == Backend::Kind::kRest) {
    const StatusOr<net::HttpUrl> url = net::ParseHttpUrl(service.backend.url);
    if (!url.ok()) return table.FieldError("url", url.status().message());
  }
  TRUC_ASSIGN_OR_RETURN(service.backend.timeout,
                        table.GetDuration("timeout", std::chrono::seconds(30)));
  TRUC_ASSIGN_OR_RETURN(const std::string ca_file, table.GetString("ca_file", ""));
  if (!ca_file.empty())
    service.backend.http.tls.ca_file = daemon::ResolvePath(config_file, ca_file);
  TRUC_ASSIGN_OR_RETURN(std::vector<config::ConfigTable> endpoints,
                        table.GetOptionalTableArray("endpoints"));
  for (config::ConfigTable& endpoint : endpoints) {
    TRUC_ASSIGN_OR_RETURN(const std::string method, endpoint.GetString("method", "*"));
    TRUC_ASSIGN_OR_RETURN(const std::string path, endpoint.GetString("path"));
    StatusOr<access::EndpointPattern> pattern = access::EndpointPattern::Parse(method, path);
    if (!pattern.ok()) return endpoint.FieldError("path", pattern.status().message());
    service.endpoints.push_back(std::move(*pattern));
  }
  return service;
}

StatusOr<v1::BodyPolicy> ReadBodyPolicy(config::ConfigTable& table,
                                        std::optional<v1::BodyPolicy> fallback) {
  const std::initializer_list<std::pair<std::string_view, v1::BodyPolicy>> choices = {
      {"keep", v1::BODY_POLICY_KEEP},
      {"encrypt", v1::BODY_POLICY_ENCRYPT},
      {"digest_only", v1::BODY_POLICY_DIGEST_ONLY}};
  if (fallback.has_value()) return table.GetEnum("body_policy", choices, *fallback);
  return table.GetEnum<v1::BodyPolicy>("body_policy", choices);
}

Status ReadAuditConfig(config::ConfigTable& root, const std::string& config_file,
                       GatewayConfig& config) {
  TRUC_ASSIGN_OR_RETURN(config::ConfigTable audit, root.GetOptionalTable("audit"));
  TRUC_ASSIGN_OR_RETURN(config.audit_enabled, audit.GetBool("enabled", true));
  TRUC_ASSIGN_OR_RETURN(const int64_t min_free,
                        audit.GetInt("min_free_bytes", 0, int64_t{1} << 40, int64_t{256} << 20));
  config.min_free_bytes = static_cast<uint64_t>(min_free);
  TRUC_ASSIGN_OR_RETURN(config.body_policy, ReadBodyPolicy(audit, v1::BODY_POLICY_KEEP));
  bool encrypts = config.body_policy == v1::BODY_POLICY_ENCRYPT;
  TRUC_ASSIGN_OR_RETURN(std::vector<config::ConfigTable> subsystems,
                        audit.GetOptionalTableArray("subsystems"));
  for (config::ConfigTable& table : subsystems) {
    TRUC_ASSIGN_OR_RETURN(const std::string id, table.GetString("subsystem"));
    StatusOr<ids::SubsystemId> subsystem = ids::SubsystemId::Parse(id);
    if (!subsystem.ok()) return table.FieldError("subsystem", subsystem.status().message());
    TRUC_ASSIGN_OR_RETURN(const v1::BodyPolicy policy, ReadBodyPolicy(table, std::nullopt));
    encrypts = encrypts || policy == v1::BODY_POLICY_ENCRYPT;
    config.body_policies[std::move(*subsystem)] = policy;
  }
  TRUC_ASSIGN_OR_RETURN(const std::string key_file, audit.GetString("encryption_key_file", ""));
  if (encrypts && key_file.empty()) {
    return audit.FieldError("encryption_key_file", "required when bodies are encrypted");
  }
  if (!key_file.empty()) config.body_key_file = daemon::ResolvePath(config_file, key_file);
  TRUC_ASSIGN_OR_RETURN(config.timestamping_urls, audit.GetStringArray("timestamping_urls", {}));
  if (config.audit_enabled && config.timestamping_urls.empty()) {
    return audit.FieldError("timestamping_urls",
                            "name at least one timestamp authority: the audit log's tree heads "
                            "must be timestamped");
  }
  TRUC_ASSIGN_OR_RETURN(config.seal_interval,
                        audit.GetDuration("seal_interval", std::chrono::seconds(1)));
  TRUC_ASSIGN_OR_RETURN(config.timestamping_tolerance,
                        audit.GetDuration("timestamping_tolerance", std::chrono::seconds(60)));
  TRUC_ASSIGN_OR_RETURN(const std::string archive_dir, audit.GetString("archive_dir", ""));
  if (!archive_dir.empty()) config.archive_dir = daemon::ResolvePath(config_file, archive_dir);
  TRUC_ASSIGN_OR_RETURN(config.archive_interval,
                        audit.GetDuration("archive_interval", std::chrono::hours(1)));
  TRUC_ASSIGN_OR_RETURN(config.retention, audit.GetDuration("retention", std::chrono::seconds(0)));
  if (config.retention > std::chrono::milliseconds::zero() && config.archive_dir.empty()) {
    return audit.FieldError("retention",
                            "records are pruned only once archived: set archive_dir as well");
  }
  return OkStatus();
}

// Reads the signed global configuration the gateway last verified, as its client caches it.
std::function<StatusOr<std::string>()> CachedConfiguration(const GatewayConfig& config) {
  return [file = config.globalconf.cache_file] { return ReadFile(file); };
}

StatusOr<audit::AuditLogOptions> AuditLogOptionsOf(const GatewayConfig& config) {
  audit::AuditLogOptions options;
  options.bodies.default_policy = config.body_policy;
  options.bodies.by_subsystem = config.body_policies;
  if (!config.body_key_file.empty()) {
    TRUC_ASSIGN_OR_RETURN(options.bodies.body_key,
                          crypto::Aes256Gcm::LoadKeyFile(config.body_key_file));
  }
  return options;
}

// What the exchange paths log to when [audit] enabled = false: nothing is kept, nothing refused.
class UnloggedExchanges final : public ExchangeLog {
 public:
  void AppendAsync(const ExchangeRecord&, Done done) override { done(OkStatus()); }
  Status Ready() const override { return OkStatus(); }
};

}  // namespace

// The audit log as the exchange paths see it: appends go to the log, whose tree heads the sealer
// signs and timestamps; new exchanges are refused while the disk is too full to log them or
// records wait too long for a timestamp.
class SealedAuditLog final : public ExchangeLog, public audit::TreeHeadSource {
 public:
  void AppendAsync(const ExchangeRecord& record, Done done) override {
    log->AppendAsync(record, std::move(done));
  }
  void AppendLendingBodies(ExchangeRecord& record, Done done) override {
    log->AppendLendingBodies(record, std::move(done));
  }
  Status Ready() const override {
    TRUC_RETURN_IF_ERROR(log->Ready());
    return sealer->CheckTimestamping();
  }
  StatusOr<v1::TreeHead> Head() const override {
    const audit::TreeHead head = log->Head();
    v1::TreeHead proto;
    proto.set_size(head.size);
    proto.set_root_hash(head.root);
    return proto;
  }

  std::unique_ptr<audit::AuditLog> log;
  // Set once, before any exchange can append; the log's durability callback reads it.
  std::atomic<audit::TreeHeadSealer*> sealer_for_callbacks{nullptr};
  std::unique_ptr<audit::FederationTimestamper> timestamper;
  std::unique_ptr<audit::TreeHeadSealer> sealer;
  std::unique_ptr<audit::Archiver> archiver;  // Last: its thread uses the members above.
};

StatusOr<GatewayConfig> ReadGatewayConfig(config::ConfigTable root,
                                          const std::string& config_file) {
  const auto path = [&](const std::string& relative) {
    return daemon::ResolvePath(config_file, relative);
  };
  TRUC_ASSIGN_OR_RETURN(const std::string server_id, root.GetString("server_id"));
  StatusOr<ids::ServerId> parsed_server = ids::ServerId::Parse(server_id);
  if (!parsed_server.ok()) return root.FieldError("server_id", parsed_server.status().message());
  GatewayConfig config{.server_id = std::move(*parsed_server)};
  TRUC_ASSIGN_OR_RETURN(const std::string data_dir, root.GetString("data_dir"));
  config.data_dir = path(data_dir);

  TRUC_ASSIGN_OR_RETURN(config::ConfigTable globalconf, root.GetTable("globalconf"));
  TRUC_ASSIGN_OR_RETURN(config.globalconf.urls, globalconf.GetStringArray("urls"));
  TRUC_ASSIGN_OR_RETURN(const std::string anchors, globalconf.GetString("trust_anchor_file"));
  config.globalconf.trust_anchor_file = path(anchors);
  config.globalconf.cache_file = config.data_dir + "/globalconf.signed";
  TRUC_ASSIGN_OR_RETURN(config.globalconf.refresh_interval,
                        globalconf.GetDuration("refresh_interval", std::chrono::minutes(1)));

  TRUC_ASSIGN_OR_RETURN(config::ConfigTable signing, root.GetTable("signing"));
  if (signing.Has("pkcs11")) {
    if (signing.Has("key_file")) {
      return signing.FieldError("pkcs11", "give key_file or [signing.pkcs11], not both");
    }
    TRUC_ASSIGN_OR_RETURN(config::ConfigTable pkcs11, signing.GetTable("pkcs11"));
    GatewayConfig::Pkcs11Key key;
    TRUC_ASSIGN_OR_RETURN(key.module, pkcs11.GetString("module"));
    TRUC_ASSIGN_OR_RETURN(key.token_label, pkcs11.GetString("token_label", ""));
    TRUC_ASSIGN_OR_RETURN(key.token_serial, pkcs11.GetString("token_serial", ""));
    if (key.token_label.empty() == key.token_serial.empty()) {
      return pkcs11.FieldError("token_label", "give token_label or token_serial (one of them)");
    }
    TRUC_ASSIGN_OR_RETURN(key.key_label, pkcs11.GetString("key_label"));
    TRUC_ASSIGN_OR_RETURN(const std::string pin_file, pkcs11.GetString("pin_file", ""));
    TRUC_ASSIGN_OR_RETURN(key.pin_env, pkcs11.GetString("pin_env", ""));
    if (pin_file.empty() == key.pin_env.empty()) {
      return pkcs11.FieldError("pin_file", "give pin_file or pin_env (one of them)");
    }
    if (!pin_file.empty()) key.pin_file = path(pin_file);
    config.signing_pkcs11 = std::move(key);
  } else {
    TRUC_ASSIGN_OR_RETURN(const std::string signing_key, signing.GetString("key_file"));
    config.signing_key_file = path(signing_key);
  }
  TRUC_ASSIGN_OR_RETURN(const std::string signing_cert, signing.GetString("certificate_file"));
  config.signing_certificate_file = path(signing_cert);
  TRUC_ASSIGN_OR_RETURN(config.batch_delay,
                        signing.GetDuration("batch_delay", std::chrono::milliseconds(0)));

  TRUC_ASSIGN_OR_RETURN(config::ConfigTable exchange, root.GetTable("exchange"));
  TRUC_ASSIGN_OR_RETURN(config.exchange_transport,
                        exchange.GetEnum("transport",
                                         {{"grpc", GatewayConfig::ExchangeTransport::kGrpc},
                                          {"https", GatewayConfig::ExchangeTransport::kHttps},
                                          {"http2", GatewayConfig::ExchangeTransport::kHttp2}},
                                         GatewayConfig::ExchangeTransport::kHttp2));
  TRUC_ASSIGN_OR_RETURN(config.exchange_address, exchange.GetString("address", "127.0.0.1"));
  TRUC_ASSIGN_OR_RETURN(config.exchange_port, ReadPort(exchange, "port", 5500));
  TRUC_ASSIGN_OR_RETURN(const std::string exchange_cert, exchange.GetString("certificate_file"));
  TRUC_ASSIGN_OR_RETURN(const std::string exchange_key, exchange.GetString("key_file"));
  config.exchange_certificate_file = path(exchange_cert);
  config.exchange_key_file = path(exchange_key);
  TRUC_ASSIGN_OR_RETURN(config.exchange_timeout,
                        exchange.GetDuration("timeout", std::chrono::seconds(60)));
  TRUC_ASSIGN_OR_RETURN(const int64_t max_body,
                        exchange.GetInt("max_body_bytes", 1, int64_t{1} << 30, 10 << 20));
  config.max_body_bytes = static_cast<size_t>(max_body);

  TRUC_ASSIGN_OR_RETURN(config::ConfigTable consumer, root.GetTable("consumer"));
  TRUC_ASSIGN_OR_RETURN(config.rest.address, consumer.GetString("address", "127.0.0.1"));
  TRUC_ASSIGN_OR_RETURN(config.rest.port, ReadPort(consumer, "rest_port", 8080));
  TRUC_ASSIGN_OR_RETURN(config.grpc_port, ReadPort(consumer, "grpc_port", 8081));
  config.rest.max_body_bytes = config.max_body_bytes;
  TRUC_ASSIGN_OR_RETURN(const int64_t max_calls,
                        consumer.GetInt("max_concurrent_calls", 1, 1'000'000, 256));
  config.max_concurrent_calls = static_cast<size_t>(max_calls);
  // One thread per call in flight (until the exchange core is asynchronous): a call is refused
  // with TooManyRequests when none is free, never queued behind slow ones.
  TRUC_ASSIGN_OR_RETURN(const int64_t workers,
                        consumer.GetInt("worker_threads", 1, 4096, max_calls));
  config.worker_threads = static_cast<int>(workers);
  config.max_concurrent_calls = std::min(config.max_concurrent_calls, static_cast<size_t>(workers));
  if (consumer.Has("tls")) {
    TRUC_ASSIGN_OR_RETURN(config::ConfigTable tls, consumer.GetTable("tls"));
    net::TlsServerOptions& options = config.rest.tls.emplace();
    TRUC_ASSIGN_OR_RETURN(const std::string cert, tls.GetString("certificate_file"));
    TRUC_ASSIGN_OR_RETURN(const std::string key, tls.GetString("key_file"));
    TRUC_ASSIGN_OR_RETURN(const std::string client_ca, tls.GetString("client_ca_file", ""));
    options.certificate_chain_file = path(cert);
    options.key_file = path(key);
    if (!client_ca.empty()) {
      options.client_ca_file = path(client_ca);
      options.client_certificates = net::ClientCertificateMode::kOptional;
    }
    options.min_version = net::TlsVersion::kTls12;  // The agency's own systems may be older.
  } else if (!IsLoopback(config.rest.address)) {
    return consumer.FieldError("address",
                               "plain HTTP is only served on loopback; configure [consumer.tls]");
  }

  TRUC_ASSIGN_OR_RETURN(config::ConfigTable provider, root.GetTable("provider"));
  TRUC_ASSIGN_OR_RETURN(const int64_t provider_calls,
                        provider.GetInt("max_concurrent_calls", 1, 4096, 256));
  config.provider_max_concurrent_calls = static_cast<size_t>(provider_calls);
  TRUC_ASSIGN_OR_RETURN(config.requests_per_second,
                        provider.GetDouble("requests_per_second", 100.0));
  TRUC_ASSIGN_OR_RETURN(config.burst, provider.GetDouble("burst", 200.0));
  TRUC_ASSIGN_OR_RETURN(config.replay_window,
                        provider.GetDuration("replay_window", std::chrono::minutes(15)));
  TRUC_ASSIGN_OR_RETURN(const int64_t remembered,
                        provider.GetInt("max_remembered_ids", 1, int64_t{1} << 32, 1'000'000));
  config.max_remembered_ids = static_cast<size_t>(remembered);

  TRUC_ASSIGN_OR_RETURN(config::ConfigTable admin, root.GetTable("admin"));
  TRUC_ASSIGN_OR_RETURN(config.admin_address, admin.GetString("address", "127.0.0.1"));
  TRUC_ASSIGN_OR_RETURN(config.admin_port, ReadPort(admin, "port", 5501));
  TRUC_ASSIGN_OR_RETURN(const std::string admin_cert, admin.GetString("certificate_file"));
  TRUC_ASSIGN_OR_RETURN(const std::string admin_key, admin.GetString("key_file"));
  TRUC_ASSIGN_OR_RETURN(const std::string admin_ca, admin.GetString("client_ca_file"));
  config.admin_tls = {path(admin_cert), path(admin_key), path(admin_ca)};
  TRUC_ASSIGN_OR_RETURN(const std::vector<std::string> administrators,
                        admin.GetStringArray("administrators"));
  if (administrators.empty()) {
    return admin.FieldError("administrators", "at least one administrator certificate is needed");
  }
  for (const std::string& file : administrators) {
    config.administrator_certificate_files.push_back(path(file));
  }
  TRUC_ASSIGN_OR_RETURN(std::vector<config::ConfigTable> auditors,
                        admin.GetOptionalTableArray("auditors"));
  for (config::ConfigTable& auditor : auditors) {
    TRUC_ASSIGN_OR_RETURN(const std::string certificate, auditor.GetString("certificate"));
    AuditorConfig entry{.certificate_file = path(certificate)};
    TRUC_ASSIGN_OR_RETURN(const std::vector<std::string> members,
                          auditor.GetStringArray("members", {config.server_id.owner().ToString()}));
    for (const std::string& member : members) {
      StatusOr<ids::MemberId> id = ids::MemberId::Parse(member);
      if (!id.ok()) return auditor.FieldError("members", id.status().message());
      entry.scope.insert(std::move(*id));
    }
    config.auditors.push_back(std::move(entry));
  }

  TRUC_RETURN_IF_ERROR(ReadAuditConfig(root, config_file, config));

  TRUC_ASSIGN_OR_RETURN(std::vector<config::ConfigTable> services,
                        root.GetOptionalTableArray("services"));
  for (config::ConfigTable& table : services) {
    TRUC_ASSIGN_OR_RETURN(ProvidedService service, ReadService(table, config_file));
    if (service.id.provider().member() != config.server_id.owner()) {
      return table.FieldError("id", fmt::format("a gateway of {} cannot provide services of {}",
                                                config.server_id.owner().ToString(),
                                                service.id.provider().member().ToString()));
    }
    config.services.push_back(std::move(service));
  }
  TRUC_ASSIGN_OR_RETURN(config.local_clients, LocalClients::Read(root, config_file));
  return config;
}

GatewayServer::GatewayServer(GatewayConfig config) : config_(std::move(config)) {}

int GatewayServer::ExecutorThreads() {
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 16u));
}

namespace {

// The member signing key: a key file, or a key on a PKCS#11 token.
StatusOr<std::unique_ptr<crypto::Signer>> LoadSigningKey(const GatewayConfig& cfg) {
  if (!cfg.signing_pkcs11.has_value()) {
    TRUC_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                          crypto::PrivateKey::LoadPemFile(cfg.signing_key_file));
    return std::unique_ptr<crypto::Signer>(new crypto::PrivateKey(std::move(key)));
  }
  const GatewayConfig::Pkcs11Key& hsm = *cfg.signing_pkcs11;
  StatusOr<crypto::SecretBytes> pin = crypto::ReadTokenPin(hsm.pin_file, hsm.pin_env);
  if (!pin.ok()) return pin.status().Annotate("signing.pkcs11");
  TRUC_ASSIGN_OR_RETURN(std::shared_ptr<crypto::Pkcs11Token> token,
                        crypto::Pkcs11Token::Open({.module = hsm.module,
                                                   .token_label = hsm.token_label,
                                                   .token_serial = hsm.token_serial,
                                                   .pin = *std::move(pin)}));
  return token->SignerFor(hsm.key_label);
}

}  // namespace

StatusOr<std::unique_ptr<GatewayServer>> GatewayServer::Start(GatewayConfig config,
                                                              const Clock& clock) {
  std::unique_ptr<GatewayServer> server(new GatewayServer(std::move(config)));
  const GatewayConfig& cfg = server->config_;

  // Keys first: nothing is worth starting if messages cannot be signed or peers reached.
  TRUC_ASSIGN_OR_RETURN(std::unique_ptr<crypto::Signer> signing_key, LoadSigningKey(cfg));
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> signing_chain,
                        crypto::Certificate::LoadPemFile(cfg.signing_certificate_file));
  if (signing_chain.front().public_key().key_id() != signing_key->key_id()) {
    return InvalidArgumentError(
        fmt::format("{} is not the certificate of {}", cfg.signing_certificate_file,
                    cfg.signing_pkcs11.has_value()
                        ? fmt::format("the key \"{}\" on the token", cfg.signing_pkcs11->key_label)
                        : cfg.signing_key_file),
        "gateway.key_mismatch");
  }
  TRUC_ASSIGN_OR_RETURN(const rpc::TlsIdentity identity,
                        rpc::LoadTlsIdentity(cfg.exchange_certificate_file, cfg.exchange_key_file));
  TRUC_ASSIGN_OR_RETURN(audit::AuditLogOptions audit_options, AuditLogOptionsOf(cfg));

  std::error_code directory_error;
  std::filesystem::create_directories(cfg.data_dir, directory_error);
  if (directory_error) {
    return UnavailableError(fmt::format("cannot create the data directory {}: {}", cfg.data_dir,
                                        directory_error.message()),
                            "gateway.data_dir");
  }
  TRUC_ASSIGN_OR_RETURN(server->store_,
                        storage::RocksDbStore::Open(cfg.data_dir + "/store",
                                                    {.min_free_bytes = cfg.min_free_bytes,
                                                     .partitions = audit::StorePartitions()}));

  globalconf::ConfigurationClientOptions globalconf = cfg.globalconf;
  globalconf.clock = &clock;
  TRUC_ASSIGN_OR_RETURN(server->configuration_,
                        globalconf::ConfigurationClient::Create(std::move(globalconf)));
  if (const auto refreshed = server->configuration_->Refresh(); !refreshed.ok()) {
    // Say what the gateway serves with meanwhile: the cached configuration while it is valid.
    if (const Status usable = server->configuration_->CheckUsable(); usable.ok()) {
      Log().Warning("cannot fetch the global configuration; serving with the cached one",
                    {{"version", std::to_string(server->configuration_->Current()->info().version)},
                     {"error", refreshed.status().message()}});
    } else {
      Log().Warning("no usable global configuration yet; exchanges are refused until one arrives",
                    {{"error", refreshed.status().message()}, {"cached", usable.message()}});
    }
  }
  server->configuration_->Start();

  server->signing_key_ = std::move(signing_key);
  const std::vector<crypto::Certificate> sealing_chain = signing_chain;
  server->signer_ = std::make_unique<evidence::BatchSigner>(
      *server->signing_key_, std::move(signing_chain), clock,
      merkle::BatcherOptions{.max_batch = 10'000, .max_delay = cfg.batch_delay});
  server->sealer_ = std::make_unique<BatchSealer>(*server->signer_);
  TRUC_ASSIGN_OR_RETURN(server->access_, access::AccessRights::Open(*server->store_));
  if (cfg.audit_enabled) {
    auto sealed = std::make_unique<SealedAuditLog>();
    audit_options.on_durable = [sealed = sealed.get(), &clock](const audit::TreeHead& head) {
      if (audit::TreeHeadSealer* sealer = sealed->sealer_for_callbacks.load()) {
        sealer->NotifyAppended(head.size, clock.Now());
      }
    };
    // Subjects as the service's entry in the current catalog declares them.
    audit_options.subjects = [configuration = server->configuration_.get()](
                                 const v1::AuditRecord& request) -> std::vector<std::string> {
      const std::shared_ptr<const globalconf::ConfigurationView> view = configuration->Current();
      if (view == nullptr) return {};
      const StatusOr<ids::ServiceId> service = ids::FromProto(request.service());
      if (!service.ok()) return {};
      const globalconf::ServiceInfo* info = view->FindService(*service);
      if (info == nullptr) return {};
      return info->subjects.Extract(request.path());
    };
    TRUC_ASSIGN_OR_RETURN(sealed->log,
                          audit::AuditLog::Open(*server->store_, std::move(audit_options)));
    sealed->timestamper = std::make_unique<audit::FederationTimestamper>(
        cfg.timestamping_urls,
        [configuration = server->configuration_.get()] { return configuration->Current(); });
    TRUC_ASSIGN_OR_RETURN(
        sealed->sealer,
        audit::TreeHeadSealer::Create(
            *sealed, *server->signing_key_, sealing_chain, *sealed->timestamper, *server->store_,
            clock, {.interval = cfg.seal_interval, .tolerance = cfg.timestamping_tolerance}));
    sealed->sealer_for_callbacks.store(sealed->sealer.get());
    sealed->sealer->Start();
    if (!cfg.archive_dir.empty()) {
      TRUC_ASSIGN_OR_RETURN(
          sealed->archiver,
          audit::Archiver::Create(*sealed->log, *sealed->sealer, *server->store_, clock,
                                  {.dir = cfg.archive_dir,
                                   .interval = cfg.archive_interval,
                                   .retention = cfg.retention,
                                   .server_id = cfg.server_id.ToString(),
                                   .signed_configuration = CachedConfiguration(cfg)}));
      sealed->archiver->Start();
    }
    server->sealed_log_ = sealed.get();
    server->log_ = std::move(sealed);
  } else {
    Log().Warning("audit log disabled: exchanges leave no evidence; for benchmarks only",
                  {{"setting", "[audit] enabled = false"}});
    server->log_ = std::make_unique<UnloggedExchanges>();
  }
  TRUC_ASSIGN_OR_RETURN(server->replay_, limits::ReplayGuard::Create(cfg.replay_window, clock,
                                                                     cfg.max_remembered_ids));
  TRUC_ASSIGN_OR_RETURN(server->rates_,
                        limits::RateLimiter::Create(cfg.requests_per_second, cfg.burst, clock));
  server->concurrency_ = std::make_unique<limits::ConcurrencyLimit>(cfg.max_concurrent_calls);
  server->loop_ = std::make_unique<net::EventLoop>(ExecutorThreads(), "io");
  server->backends_ = std::make_unique<BackendClient>(
      cfg.max_body_bytes, *server->loop_,
      static_cast<int>(std::min<size_t>(cfg.provider_max_concurrent_calls, 64)),
      cfg.provider_max_concurrent_calls);

  globalconf::ConfigurationClient* configuration = server->configuration_.get();
  const ViewSource views = [configuration] { return configuration->Current(); };
  const bool over_https = cfg.exchange_transport != GatewayConfig::ExchangeTransport::kGrpc;
  const PeerChannelOptions peer_options{
      .max_message_bytes = server->MaxMessageBytes(),
      .max_idle_connections = cfg.max_concurrent_calls,
      .http2 = cfg.exchange_transport == GatewayConfig::ExchangeTransport::kHttp2};
  PeerTransport* peers = nullptr;
  if (over_https) {
    server->https_peers_ =
        std::make_unique<HttpsPeers>(identity, views, clock, peer_options, *server->loop_);
    peers = server->https_peers_.get();
  } else {
    server->peers_ = std::make_unique<PeerChannels>(identity, views, clock, peer_options);
    peers = server->peers_.get();
  }
  server->consumer_ = std::make_unique<ConsumerProxy>(
      ConsumerOptions{.member = cfg.server_id.owner(), .timeout = cfg.exchange_timeout},
      *configuration, *server->sealer_, server->verified_, *peers, *server->log_, clock);
  server->provider_concurrency_ =
      std::make_unique<limits::ConcurrencyLimit>(cfg.provider_max_concurrent_calls);
  server->provider_ = std::make_unique<ProviderProxy>(
      ProviderOptions{.member = cfg.server_id.owner(),
                      .services = cfg.services,
                      .max_body_bytes = cfg.max_body_bytes},
      ProviderDependencies{.configuration = *configuration,
                           .sealer = *server->sealer_,
                           .verified = server->verified_,
                           .access = *server->access_,
                           .backends = *server->backends_,
                           .replay = *server->replay_,
                           .rates = *server->rates_,
                           .log = *server->log_,
                           .clock = clock,
                           .concurrency = *server->provider_concurrency_});

  TRUC_RETURN_IF_ERROR(server->StartExchangeServer(identity, clock));
  TRUC_RETURN_IF_ERROR(server->StartConsumerServers());
  TRUC_RETURN_IF_ERROR(server->StartAdminServer());
  return server;
}

Status GatewayServer::StartExchangeServer(const rpc::TlsIdentity& identity, const Clock& clock) {
  globalconf::ConfigurationClient* configuration = configuration_.get();
  if (config_.exchange_transport != GatewayConfig::ExchangeTransport::kGrpc) {
    TRUC_ASSIGN_OR_RETURN(
        https_exchange_server_,
        StartHttpsExchangeServer(
            {.address = config_.exchange_address,
             .port = config_.exchange_port,
             .loop = loop_.get(),
             .max_message_bytes = MaxMessageBytes()},
            identity, [configuration] { return configuration->Current(); }, clock, *provider_));
    exchange_endpoint_ = https_exchange_server_->endpoint();
    return OkStatus();
  }
  TRUC_ASSIGN_OR_RETURN(
      rpc::ListeningServer exchange,
      rpc::StartGrpcServer(
          config_.exchange_address, config_.exchange_port,
          rpc::PinnedTlsServerCredentials(
              identity,
              PeerCheckForGateways([configuration] { return configuration->Current(); }, clock)),
          {provider_->service()}, MaxMessageBytes(), "other gateways", /*with_queue=*/true));
  exchange_server_ = std::move(exchange.server);
  provider_->Serve(std::move(exchange.queue), ExecutorThreads());
  exchange_endpoint_ = std::move(exchange.endpoint);
  return OkStatus();
}

Status GatewayServer::StartConsumerServers() {
  // The REST interface hands each call to one of a few threads, which starts it (digests and
  // signing are not for I/O threads); nothing waits on a call in progress.
  workers_ =
      std::make_unique<WorkerPool>(ExecutorThreads(), config_.max_concurrent_calls, "rest-calls");
  rest_interface_ = std::make_unique<RestInterface>(*consumer_, config_.local_clients,
                                                    *configuration_, *workers_, *concurrency_);
  RestInterface* rest = rest_interface_.get();
  net::HttpServerOptions rest_options = config_.rest;
  rest_options.loop = loop_.get();
  TRUC_ASSIGN_OR_RETURN(
      rest_, net::HttpServer::Start(std::move(rest_options),
                                    [rest](net::HttpRequest request, net::HttpResponder respond) {
                                      rest->Handle(std::move(request), std::move(respond));
                                    }));

  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (config_.rest.tls.has_value()) {
    rpc::TlsFiles files{config_.rest.tls->certificate_chain_file, config_.rest.tls->key_file,
                        config_.rest.tls->client_ca_file};
    TRUC_ASSIGN_OR_RETURN(credentials, rpc::OptionalClientTlsServerCredentials(files));
  }
  grpc_interface_ = std::make_unique<GrpcInterface>(*consumer_, config_.local_clients,
                                                    *concurrency_, config_.max_body_bytes);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  TRUC_ASSIGN_OR_RETURN(
      rpc::ListeningServer api,
      rpc::StartGrpcServer(config_.rest.address, config_.grpc_port, std::move(credentials),
                           {grpc_interface_.get()}, MaxMessageBytes(), "the gRPC service API",
                           /*with_queue=*/true));
  grpc_server_ = std::move(api.server);
  grpc_interface_->Serve(std::move(api.queue), ExecutorThreads());
  grpc_endpoint_ = std::move(api.endpoint);
  return OkStatus();
}

Status GatewayServer::StartAdminServer() {
  std::set<std::string> administrators;
  for (const std::string& file : config_.administrator_certificate_files) {
    TRUC_ASSIGN_OR_RETURN(std::string fingerprint, crypto::Certificate::FingerprintOfFile(file));
    administrators.insert(std::move(fingerprint));
  }
  TRUC_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                        rpc::MutualTlsServerCredentials(config_.admin_tls));
  admin_service_ = std::make_unique<access::AdminService>(*access_, std::move(administrators));
  std::vector<grpc::Service*> services = {admin_service_.get()};
  if (sealed_log_ != nullptr) {
    audit::AuditServiceOptions audit{.server_id = config_.server_id.ToString(),
                                     .signed_configuration = CachedConfiguration(config_)};
    for (const AuditorConfig& auditor : config_.auditors) {
      TRUC_ASSIGN_OR_RETURN(const std::string fingerprint,
                            crypto::Certificate::FingerprintOfFile(auditor.certificate_file));
      audit.auditors[fingerprint] = auditor.scope;
    }
    audit_service_ = std::make_unique<audit::AuditService>(*sealed_log_->log, *sealed_log_->sealer,
                                                           *store_, std::move(audit));
    services.push_back(audit_service_.get());
  }
  TRUC_ASSIGN_OR_RETURN(rpc::ListeningServer admin,
                        rpc::StartGrpcServer(config_.admin_address, config_.admin_port,
                                             std::move(credentials), services, 0, "the admin API"));
  admin_server_ = std::move(admin.server);
  admin_endpoint_ = std::move(admin.endpoint);
  return OkStatus();
}

GatewayServer::~GatewayServer() {
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(5);
  if (rest_) rest_->Stop();
  if (grpc_server_) grpc_server_->Shutdown(deadline);
  if (admin_server_) admin_server_->Shutdown(deadline);
  if (exchange_server_) exchange_server_->Shutdown(deadline);
  // Stops taking requests; those in progress are answered within its grace period.
  if (https_exchange_server_) https_exchange_server_->Stop();
  // No new calls now. The REST interface's queued calls start; calls to peers still waiting are
  // cancelled (and later ones refused); every call in progress is then logged and answered.
  if (workers_) workers_->Shutdown();
  if (peers_) peers_->Shutdown();
  if (https_peers_) https_peers_->Shutdown();
  if (consumer_) consumer_->WaitIdle();
  if (grpc_interface_) grpc_interface_->Stop();
  // The provider's requests in progress are answered (their backend calls end by their
  // timeout), then its queue stops.
  if (provider_) provider_->Stop();
}

}  // namespace truc::gateway
