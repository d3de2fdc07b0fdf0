#include "core/net/tls_context.h"

#include <vector>

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

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

// Presents `chain` (ours first, then its issuers) with `key`; the files named in errors.
Status UseCertificateChain(SSL_CTX* context, const std::vector<crypto::Certificate>& chain,
                           const crypto::PrivateKey& key, const std::string& chain_file,
                           const std::string& key_file) {
  if (chain.empty()) {
    return InvalidArgumentError(fmt::format("no certificate in {}", chain_file),
                                "net.tls_bad_certificate");
  }
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

Status UseCertificateChain(SSL_CTX* context, const std::string& chain_file,
                           const std::string& key_file) {
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain,
                        crypto::Certificate::LoadPemFile(chain_file));
  TRUC_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::LoadPemFile(key_file));
  return UseCertificateChain(context, chain, key, chain_file, key_file);
}

// The SSL ex_data slot that holds a connection's PeerVerification.
int VerificationIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// OpenSSL's chain verification replaced by the connection's check.
int VerifyPinned(X509_STORE_CTX* store, void* /*unused*/) {
  const auto* ssl = static_cast<const SSL*>(
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* verification =
      ssl == nullptr ? nullptr
                     : static_cast<PeerVerification*>(SSL_get_ex_data(ssl, VerificationIndex()));
  const auto refuse = [&](Status verdict) {
    if (verification != nullptr) verification->verdict = std::move(verdict);
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  };
  if (verification == nullptr || verification->check == nullptr) {
    return refuse(InternalError("no check for the TLS peer", "net.tls_no_check"));
  }
  const auto wrap = [](X509* native) -> StatusOr<crypto::Certificate> {
    X509_up_ref(native);
    return crypto::Certificate::FromNative(crypto::X509Ptr(native));
  };
  X509* native_leaf = X509_STORE_CTX_get0_cert(store);
  if (native_leaf == nullptr) {
    return refuse(UnauthenticatedError("the peer presented no certificate", "net.tls_no_peer"));
  }
  StatusOr<crypto::Certificate> leaf = wrap(native_leaf);
  if (!leaf.ok()) return refuse(leaf.status());
  std::vector<crypto::Certificate> intermediates;
  // What the peer sent besides its certificate (a server's chain includes its own certificate).
  STACK_OF(X509)* sent = X509_STORE_CTX_get0_untrusted(store);
  for (int i = 0; sent != nullptr && i < sk_X509_num(sent); ++i) {
    X509* native = sk_X509_value(sent, i);
    if (X509_cmp(native, native_leaf) == 0) continue;
    StatusOr<crypto::Certificate> certificate = wrap(native);
    if (!certificate.ok()) return refuse(certificate.status());
    intermediates.push_back(*std::move(certificate));
  }
  if (Status verdict = (*verification->check)(*leaf, intermediates); !verdict.ok()) {
    return refuse(std::move(verdict));
  }
  verification->leaf = std::make_shared<const crypto::Certificate>(*std::move(leaf));
  return 1;
}

// Pinned connections: our identity from memory, the peer judged by the connection's check, and
// no session resumption (a resumed session skips the check, and a check belongs to one
// configuration).
Status ConfigurePinned(SSL_CTX* context, const TlsIdentityPem& identity) {
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain,
                        crypto::Certificate::FromPemBundle(identity.certificate_chain_pem));
  TRUC_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                        crypto::PrivateKey::FromPem(crypto::SecretBytes(identity.private_key_pem)));
  TRUC_RETURN_IF_ERROR(
      UseCertificateChain(context, chain, key, "the TLS identity", "the TLS identity's key"));
  SSL_CTX_set_cert_verify_callback(context, &VerifyPinned, nullptr);
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(context, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(context, 0);
  return OkStatus();
}

// Chooses HTTP/2 when the client offers it, else HTTP/1.1 (or no protocol when the client names
// none it would take).
int SelectHttpProtocol(SSL*, const unsigned char** out, unsigned char* out_length,
                       const unsigned char* offered, unsigned offered_length, void*) {
  static constexpr unsigned char kOurs[] = "\x02h2\x08http/1.1";
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, out_length, kOurs, sizeof(kOurs) - 1, offered,
                            offered_length) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

void OfferHttp2(SSL_CTX* context) {
  SSL_CTX_set_alpn_select_cb(context, &SelectHttpProtocol, nullptr);
}

Status AskForHttp2(SSL_CTX* context) {
  static constexpr unsigned char kHttp2[] = "\x02h2";
  if (SSL_CTX_set_alpn_protos(context, kHttp2, sizeof(kHttp2) - 1) != 0) {
    return crypto::OpenSslError(StatusCode::kInternal, "cannot ask for HTTP/2", "net.tls_context");
  }
  return OkStatus();
}

}  // namespace

void AttachPeerVerification(SSL* ssl, PeerVerification* verification) {
  SSL_set_ex_data(ssl, VerificationIndex(), verification);
}

const PeerVerification* PeerVerificationOf(const SSL* ssl) {
  return static_cast<const PeerVerification*>(SSL_get_ex_data(ssl, VerificationIndex()));
}

bool ChoseHttp2(const SSL* ssl) {
  const unsigned char* protocol = nullptr;
  unsigned length = 0;
  SSL_get0_alpn_selected(ssl, &protocol, &length);
  return std::string_view(reinterpret_cast<const char*>(protocol), length) == "h2";
}

StatusOr<ssl::context> MakeServerTlsContext(const TlsServerOptions& options) {
  if (options.pinned.has_value()) {
    if (!options.certificate_chain_file.empty() || !options.key_file.empty() ||
        !options.client_ca_file.empty() ||
        options.client_certificates != ClientCertificateMode::kNone ||
        options.pinned->check == nullptr) {
      return BadOptions("a pinned TLS server takes its identity and its check only");
    }
    TRUC_ASSIGN_OR_RETURN(ssl::context context,
                          NewContext(TLS_server_method(), TlsVersion::kTls13));
    SSL_CTX* native = context.native_handle();
    TRUC_RETURN_IF_ERROR(ConfigurePinned(native, options.pinned->identity));
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    if (options.http2) OfferHttp2(native);
    return context;
  }
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
  if (options.http2) OfferHttp2(native);
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
  if (options.pinned != nullptr) {
    if (!options.ca_file.empty() || !options.certificate_chain_file.empty() ||
        !options.key_file.empty() || options.pinned->identity == nullptr ||
        options.pinned->check == nullptr) {
      return BadOptions("a pinned TLS client takes its identity and its check only");
    }
    TRUC_ASSIGN_OR_RETURN(ssl::context context,
                          NewContext(TLS_client_method(), TlsVersion::kTls13));
    SSL_CTX* native = context.native_handle();
    TRUC_RETURN_IF_ERROR(ConfigurePinned(native, *options.pinned->identity));
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
    if (options.http2) TRUC_RETURN_IF_ERROR(AskForHttp2(native));
    return context;
  }
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
  if (options.http2) TRUC_RETURN_IF_ERROR(AskForHttp2(native));
  if (!options.certificate_chain_file.empty()) {
    TRUC_RETURN_IF_ERROR(
        UseCertificateChain(native, options.certificate_chain_file, options.key_file));
  }
  return context;
}

}  // namespace truc::net::internal
