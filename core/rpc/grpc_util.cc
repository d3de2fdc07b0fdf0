#include "core/rpc/grpc_util.h"

#include <absl/synchronization/mutex.h>
#include <fmt/format.h>

#include "core/base/file.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"

namespace truc::rpc {
namespace {

struct LoadedTls {
  std::string chain;
  std::string key;  // PEM of the private key; wiped by the caller's SecretBytes copy.
  std::string roots;
};

StatusOr<LoadedTls> Load(const TlsFiles& files) {
  LoadedTls loaded;
  TRUC_ASSIGN_OR_RETURN(loaded.chain, ReadFile(files.certificate_chain_file));
  // Loading through PrivateKey enforces the key file's permissions and validates it.
  TRUC_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::LoadPemFile(files.key_file));
  loaded.key = std::string(key.ToPem().reveal());
  if (!files.trusted_ca_file.empty()) {
    TRUC_ASSIGN_OR_RETURN(loaded.roots, ReadFile(files.trusted_ca_file));
  }
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain,
                        crypto::Certificate::FromPemBundle(loaded.chain));
  if (chain.front().public_key().key_id() != key.key_id()) {
    return InvalidArgumentError(
        files.certificate_chain_file + ": the certificate does not match " + files.key_file,
        "rpc.key_mismatch");
  }
  return loaded;
}

}  // namespace

grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), status.message(),
                      status.reason());
}

void DisableMutexDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return OkStatus();
  return Status(static_cast<StatusCode>(status.error_code()), status.error_message(),
                status.error_details());
}

std::optional<crypto::Certificate> PeerCertificate(const grpc::ServerContextBase& context) {
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return std::nullopt;
  const std::vector<grpc::string_ref> pem = auth->FindPropertyValues("x509_pem_cert");
  if (pem.empty()) return std::nullopt;
  StatusOr<crypto::Certificate> cert =
      crypto::Certificate::FromPem(std::string_view(pem.front().data(), pem.front().size()));
  if (!cert.ok()) return std::nullopt;
  return *std::move(cert);
}

std::optional<crypto::Certificate> PeerCertificateCache::Get(
    const grpc::ServerContextBase& context) {
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return std::nullopt;
  const std::vector<grpc::string_ref> values = auth->FindPropertyValues("x509_pem_cert");
  if (values.empty()) return std::nullopt;
  std::string pem(values.front().data(), values.front().size());
  {
    std::lock_guard lock(mu_);
    if (const auto found = parsed_.find(pem); found != parsed_.end()) return found->second;
  }
  StatusOr<crypto::Certificate> cert = crypto::Certificate::FromPem(pem);
  if (!cert.ok()) return std::nullopt;
  std::lock_guard lock(mu_);
  if (parsed_.size() >= capacity_) parsed_.clear();
  parsed_.emplace(std::move(pem), *cert);
  return *std::move(cert);
}

std::optional<std::string> PeerCertificateFingerprint(const grpc::ServerContextBase& context) {
  const std::optional<crypto::Certificate> cert = PeerCertificate(context);
  if (!cert.has_value()) return std::nullopt;
  return cert->Fingerprint();
}

StatusOr<ListeningServer> StartGrpcServer(const std::string& host, uint16_t port,
                                          std::shared_ptr<grpc::ServerCredentials> credentials,
                                          const std::vector<grpc::Service*>& services,
                                          size_t max_message_bytes, std::string_view what,
                                          bool with_queue) {
  grpc::ServerBuilder builder;
  int bound_port = 0;
  const std::string address = fmt::format("{}:{}", host, port);
  builder.AddListeningPort(address, std::move(credentials), &bound_port);
  // gRPC shares ports between processes (SO_REUSEPORT) unless told not to: a second daemon started
  // on the same configuration would take half of the connections, into its own audit log.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // A connection that has not finished its TLS handshake by then is dropped (gRPC's default is
  // 120 s, which lets stalled handshakes pile up).
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             static_cast<int>(kServerHandshakeTimeout.count()));
  if (max_message_bytes != 0) {
    builder.SetMaxReceiveMessageSize(static_cast<int>(max_message_bytes));
    builder.SetMaxSendMessageSize(static_cast<int>(max_message_bytes));
  }
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::unique_ptr<grpc::ServerCompletionQueue> queue;
  if (with_queue) queue = builder.AddCompletionQueue();
  ListeningServer listening{builder.BuildAndStart(), "", std::move(queue)};
  if (listening.server == nullptr || bound_port == 0) {
    return UnavailableError(
        fmt::format("cannot listen on {} for {}: the address is in use (another process "
                    "listens there) or cannot be bound",
                    address, what),
        "rpc.listen_failed");
  }
  listening.endpoint = fmt::format("{}:{}", host, bound_port);
  return listening;
}

StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsServerCredentials(
    const TlsFiles& files) {
  TRUC_ASSIGN_OR_RETURN(LoadedTls loaded, Load(files));
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = loaded.roots;
  options.pem_key_cert_pairs.push_back({loaded.key, loaded.chain});
  return grpc::SslServerCredentials(options);
}

StatusOr<std::shared_ptr<grpc::ServerCredentials>> OptionalClientTlsServerCredentials(
    const TlsFiles& files) {
  TRUC_ASSIGN_OR_RETURN(LoadedTls loaded, Load(files));
  grpc::SslServerCredentialsOptions options(loaded.roots.empty()
                                                ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                                : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = loaded.roots;
  options.pem_key_cert_pairs.push_back({loaded.key, loaded.chain});
  return grpc::SslServerCredentials(options);
}

StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MutualTlsChannelCredentials(
    const TlsFiles& files) {
  TRUC_ASSIGN_OR_RETURN(LoadedTls loaded, Load(files));
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = loaded.roots;
  options.pem_private_key = loaded.key;
  options.pem_cert_chain = loaded.chain;
  return grpc::SslCredentials(options);
}

}  // namespace truc::rpc
