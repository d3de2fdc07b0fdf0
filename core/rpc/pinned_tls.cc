#include "core/rpc/pinned_tls.h"

#include <fmt/format.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/conf.h>
#include <openssl/ssl.h>

#include "core/base/file.h"
#include "core/crypto/keys.h"
#include "core/crypto/openssl_util.h"

namespace truc::rpc {
namespace {

namespace gx = grpc::experimental;

// Runs a PeerCheck on the chain the peer presented, synchronously.
class PeerCheckVerifier final : public gx::ExternalCertificateVerifier {
 public:
  explicit PeerCheckVerifier(PeerCheck check) : check_(std::move(check)) {}

  bool Verify(gx::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> /*callback*/, grpc::Status* sync_status) override {
    *sync_status = Check(request);
    return true;  // Done synchronously.
  }

  void Cancel(gx::TlsCustomVerificationCheckRequest* /*request*/) override {}

 private:
  grpc::Status Check(gx::TlsCustomVerificationCheckRequest* request) const {
    // The leaf is always in peer_cert. The full chain is what OpenSSL gives as the peer's chain,
    // which on a server lacks the client's own certificate, so the leaf is taken out of it
    // wherever it is.
    const grpc::string_ref leaf_pem = request->peer_cert();
    const grpc::string_ref chain_pem = request->peer_cert_full_chain();
    StatusOr<std::vector<crypto::Certificate>> leaf =
        crypto::Certificate::FromPemBundle(std::string_view(leaf_pem.data(), leaf_pem.size()));
    StatusOr<std::vector<crypto::Certificate>> chain =
        chain_pem.empty() ? std::vector<crypto::Certificate>()
                          : crypto::Certificate::FromPemBundle(
                                std::string_view(chain_pem.data(), chain_pem.size()));
    if (!leaf.ok() || leaf->empty() || !chain.ok()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "the peer presented no usable certificate");
    }
    const std::string leaf_fingerprint = leaf->front().Fingerprint();
    std::erase_if(*chain, [&](const crypto::Certificate& cert) {
      return cert.Fingerprint() == leaf_fingerprint;
    });
    const Status checked = check_(leaf->front(), *chain);
    if (checked.ok()) return grpc::Status::OK;
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, checked.message(), checked.reason());
  }

  const PeerCheck check_;
};

// Options both sides share: our identity, and `check` for the peer.
template <typename Options>
void Configure(Options& options, const TlsIdentity& identity, PeerCheck check) {
  options.set_certificate_provider(
      std::make_shared<gx::StaticDataCertificateProvider>(std::vector<gx::IdentityKeyCertPair>{
          {identity.private_key_pem, identity.certificate_chain_pem}}));
  options.watch_identity_key_cert_pairs();
  options.set_certificate_verifier(
      gx::ExternalCertificateVerifier::Create<PeerCheckVerifier>(std::move(check)));
}

}  // namespace

StatusOr<TlsIdentity> LoadTlsIdentity(const std::string& certificate_chain_file,
                                      const std::string& key_file) {
  TlsIdentity identity;
  TRUC_ASSIGN_OR_RETURN(identity.certificate_chain_pem, ReadFile(certificate_chain_file));
  // Loading through PrivateKey enforces the key file's permissions and validates it.
  TRUC_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::LoadPemFile(key_file));
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain,
                        crypto::Certificate::FromPemBundle(identity.certificate_chain_pem));
  if (chain.empty() || chain.front().public_key().key_id() != key.key_id()) {
    return InvalidArgumentError(
        fmt::format("{}: the certificate does not match {}", certificate_chain_file, key_file),
        "rpc.key_mismatch");
  }
  identity.private_key_pem = std::string(key.ToPem().reveal());
  return identity;
}

std::shared_ptr<grpc::ServerCredentials> PinnedTlsServerCredentials(const TlsIdentity& identity,
                                                                    PeerCheck check) {
  gx::TlsServerCredentialsOptions options(nullptr);
  Configure(options, identity, std::move(check));
  // The chain is judged by `check` (against the federation's CAs), not by a fixed root list.
  options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
  return grpc::experimental::TlsServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> PinnedTlsChannelCredentials(const TlsIdentity& identity,
                                                                      PeerCheck check) {
  gx::TlsChannelCredentialsOptions options;
  Configure(options, identity, std::move(check));
  options.set_verify_server_certs(false);  // `check` decides.
  options.set_check_call_host(false);
  return grpc::experimental::TlsCredentials(options);
}

Status RequireTls13ByDefault() {
  // Load the distribution's configuration first, so that it cannot be loaded later over ours.
  if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, nullptr) != 1) {
    return crypto::OpenSslError(StatusCode::kInternal, "initialising OpenSSL", "rpc.tls_policy");
  }
  // "Protocol" sets SSL_OP_NO_* options, which survive the SSL_CTX_set_min_proto_version(TLS1_2)
  // that gRPC applies to its contexts.
  static constexpr char kPolicy[] =
      "truc_openssl_init = truc_init\n"
      "[truc_init]\n"
      "ssl_conf = truc_ssl\n"
      "[truc_ssl]\n"
      "system_default = truc_tls\n"
      "[truc_tls]\n"
      "MinProtocol = TLSv1.3\n"
      "Protocol = -ALL, TLSv1.3\n";
  crypto::BioPtr bio = crypto::MemoryBio(kPolicy);
  std::unique_ptr<CONF, decltype(&NCONF_free)> conf(NCONF_new(nullptr), &NCONF_free);
  long error_line = 0;
  if (bio == nullptr || conf == nullptr ||
      NCONF_load_bio(conf.get(), bio.get(), &error_line) <= 0 ||
      CONF_modules_load(conf.get(), "truc_openssl_init", 0) <= 0) {
    return crypto::OpenSslError(StatusCode::kInternal, "installing the TLS 1.3 policy",
                                "rpc.tls_policy");
  }
  return OkStatus();
}

}  // namespace truc::rpc
