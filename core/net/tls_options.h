// TLS settings of the HTTP server and client (http_server.h, http_client.h), as plain values.
//
// Certificates and keys are PEM files. Private key files must have mode 0600 (see
// crypto::PrivateKey::LoadPemFile). The protocol versions set here are the ones that apply, even
// when the process has installed an OpenSSL configuration with other defaults.
#pragma once

#include <string>

namespace truc::net {

enum class TlsVersion { kTls12, kTls13 };

// Whether a TLS server asks its clients for a certificate.
enum class ClientCertificateMode {
  kNone,      // Not requested.
  kOptional,  // Requested; a client without one is served, one whose certificate fails
              // verification is refused.
  kRequired,  // Requested; a client without a valid certificate is refused at the handshake.
};

struct TlsServerOptions {
  std::string certificate_chain_file;  // The server's certificate first, then its issuers.
  std::string key_file;                // The private key of the first certificate.
  // The CAs that client certificates must chain to. Required unless client_certificates is
  // kNone, and refused when it is (a CA file that nothing uses is a configuration mistake).
  std::string client_ca_file;
  ClientCertificateMode client_certificates = ClientCertificateMode::kNone;
  TlsVersion min_version = TlsVersion::kTls13;
};

// Used for https:// URLs only; the client accepts TLS 1.2 and 1.3.
struct TlsClientOptions {
  // The CAs the server's certificate must chain to; empty: OpenSSL's default verify paths (the
  // system's public CAs).
  std::string ca_file;
  // A client certificate (then its issuers) and its key, for servers that require mutual TLS.
  // Both or neither.
  std::string certificate_chain_file;
  std::string key_file;
  // Whether the server's certificate must name the URL's host (a DNS name or an IP address in
  // its subjectAltName). Turning this off still verifies the chain.
  bool verify_hostname = true;
};

}  // namespace truc::net
