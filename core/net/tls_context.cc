#include "core/net/tls_context.h"

#include <vector>

#include <fmt/format.h>
#include <openssl/ssl.h>

#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/crypto/openssl_util.h"

namespace truc::net::internal {
namespace {

namespace ssl = boost::asio::ssl;

Status BadOptions(std::string message) {
  return InvalidArgumentError(std::move(message), "net.bad_tls_options");
}

StatusOr<ssl::context> NewContext(const SSL_METHOD* method, TlsVersion min_version) {
  SSL_CTX* native = SSL_CTX_new(method);
  if (native == nullptr) {
    return crypto::OpenSslError(StatusCode::kInternal, "cannot create a TLS context",
                                "net.tls_context");
  }
  ssl::context context(native);  // Owns `native` from here on.
  // SSL_CTX_new has applied the process's OpenSSL configuration, which may disable versions
  // (Protocol = -TLSv1.2 sets SSL_OP_NO_TLSv1_2) or raise the minimum: what our options say
  // replaces it.
  SSL_CTX_clear_options(native, SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3);
  SSL_CTX_set_min_proto_version(
      native, min_version == TlsVersion::kTls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(native, 0);  // The highest this OpenSSL supports.
  return context;
}

// Trusts every certificate in `ca_file` for verifying peers; returns them.
StatusOr<std::vector<crypto::Certificate>> TrustCaFile(SSL_CTX* context,
                                                       const std::string& ca_file) {
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> cas,
                        crypto::Certificate::LoadPemFile(ca_file));
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  for (const crypto::Certificate& ca : cas) {
    if (X509_STORE_add_cert(store, ca.native_handle()) != 1) {
      return crypto::OpenSslError(StatusCode::kInvalidArgument,
                                  fmt::format("cannot trust '{}' from {}", ca.subject(), ca_file),
                                  "net.tls_bad_certificate");
    }
  }
  return cas;
}

Status UseCertificateChain(SSL_CTX* context, const std::string& chain_file,
                           const std::string& key_file) {
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain,
                        crypto::Certificate::LoadPemFile(chain_file));
  TRUC_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::LoadPemFile(key_file));
  // Both calls take references of their own on the OpenSSL objects.
  if (SSL_CTX_use_certificate(context, chain.front().native_handle()) != 1) {
    return crypto::OpenSslError(StatusCode::kInvalidArgument,
                                fmt::format("cannot use the TLS certificate in {}", chain_file),
                                "net.tls_bad_certificate");
  }
  for (size_t i = 1; i < chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(context, chain[i].native_handle()) != 1) {
      return crypto::OpenSslError(
          StatusCode::kInvalidArgument,
          fmt::format("cannot use certificate {} of the chain in {}", i + 1, chain_file),
          "net.tls_bad_certificate");
    }
  }
  if (SSL_CTX_use_PrivateKey(context, key.native_handle()) != 1) {
    return crypto::OpenSslError(
        StatusCode::kInvalidArgument,
        fmt::format("the key in {} does not belong to the certificate in {}", key_file, chain_file),
        "net.tls_key_mismatch");
  }
  return OkStatus();
}

}  // namespace

StatusOr<ssl::context> MakeServerTlsContext(const TlsServerOptions& options) {
  const bool asks_for_certificates = options.client_certificates != ClientCertificateMode::kNone;
  if (asks_for_certificates && options.client_ca_file.empty()) {
    return BadOptions("client certificates are requested but no client CA file is given");
  }
  if (!asks_for_certificates && !options.client_ca_file.empty()) {
    return BadOptions(
        fmt::format("client CA file {} is given but client certificates are not requested",
                    options.client_ca_file));
  }
  TRUC_ASSIGN_OR_RETURN(ssl::context context, NewContext(TLS_server_method(), options.min_version));
  SSL_CTX* native = context.native_handle();
  // Client-initiated renegotiation (TLS 1.2) would let a client restart the expensive part of the
  // handshake at will.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  TRUC_RETURN_IF_ERROR(
      UseCertificateChain(native, options.certificate_chain_file, options.key_file));
  if (!asks_for_certificates) return context;

  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> cas,
                        TrustCaFile(native, options.client_ca_file));
  for (const crypto::Certificate& ca : cas) {
    // The CertificateRequest names the acceptable CAs, so that clients pick a matching certificate.
    if (SSL_CTX_add_client_CA(native, ca.native_handle()) != 1) {
      return crypto::OpenSslError(
          StatusCode::kInvalidArgument,
          fmt::format("cannot name '{}' from {} to clients", ca.subject(), options.client_ca_file),
          "net.tls_bad_certificate");
    }
  }
  int verify = SSL_VERIFY_PEER;
  if (options.client_certificates == ClientCertificateMode::kRequired) {
    verify |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  }
  SSL_CTX_set_verify(native, verify, nullptr);
  // Resuming a session whose client was verified requires a session id context.
  static constexpr unsigned char kSessionContext[] = "truc-http";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof(kSessionContext) - 1);
  return context;
}

StatusOr<ssl::context> MakeClientTlsContext(const TlsClientOptions& options) {
  if (options.certificate_chain_file.empty() != options.key_file.empty()) {
    return BadOptions("a client certificate needs both a certificate chain file and a key file");
  }
  TRUC_ASSIGN_OR_RETURN(ssl::context context, NewContext(TLS_client_method(), TlsVersion::kTls12));
  SSL_CTX* native = context.native_handle();
  if (options.ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(native) != 1) {
      return crypto::OpenSslError(StatusCode::kInternal,
                                  "cannot use OpenSSL's default CA locations", "net.tls_context");
    }
  } else {
    TRUC_RETURN_IF_ERROR(TrustCaFile(native, options.ca_file).status());
  }
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  if (!options.certificate_chain_file.empty()) {
    TRUC_RETURN_IF_ERROR(
        UseCertificateChain(native, options.certificate_chain_file, options.key_file));
  }
  return context;
}

}  // namespace truc::net::internal
