// TLS settings of the HTTP server and client (http_server.h, http_client.h), as plain values.
//
// Certificates and keys are PEM files. Private key files must have mode 0600 (see
// crypto::PrivateKey::LoadPemFile). The protocol versions set here are the ones that apply, even
// when the process has installed an OpenSSL configuration with other defaults.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/base/status.h"

namespace truc::crypto {
class Certificate;
}

namespace truc::net {

enum class TlsVersion { kTls12, kTls13 };

// Whether a TLS server asks its clients for a certificate.
enum class ClientCertificateMode {
  kNone,      // Not requested.
  kOptional,  // Requested; a client without one is served, one whose certificate fails
              // verification is refused.
  kRequired,  // Requested; a client without a valid certificate is refused at the handshake.
};

// Trust decided by code rather than by CAs and host names (the gateways pin each other to the
// TLS certificates the global configuration registers). Called during the handshake with the
// certificate the peer presented and the rest of the chain it sent: OK accepts the peer, an error
// ends the handshake (and is what the client's call fails with, when the client refused).
// Called on I/O threads, possibly concurrently; must not block.
using TlsPeerCheck = std::function<Status(const crypto::Certificate& leaf,
                                          std::span<const crypto::Certificate> intermediates)>;

// Our side of a pinned connection, loaded once (see rpc::LoadTlsIdentity).
struct TlsIdentityPem {
  std::string certificate_chain_pem;  // Our certificate, then its issuers.
  std::string private_key_pem;
};

// A server whose clients must present a certificate that `check` accepts.
struct PinnedTlsServer {
  TlsIdentityPem identity;
  TlsPeerCheck check;
};

// A client that presents `identity` and accepts a server only if `check` does. Connections are
// kept for later calls with the same `group` only (a group names one peer under one
// configuration: a call under another check never reuses a connection this check accepted).
struct PinnedTlsClient {
  std::shared_ptr<const TlsIdentityPem> identity;
  TlsPeerCheck check;
  std::string group;
};

struct TlsServerOptions {
  // Instead of the files and CAs below: our identity from memory, and clients pinned by code
  // (client certificates are then required). The other fields must be left empty.
  std::optional<PinnedTlsServer> pinned;
  std::string certificate_chain_file;  // The server's certificate first, then its issuers.
  std::string key_file;                // The private key of the first certificate.
  // The CAs that client certificates must chain to. Required unless client_certificates is
  // kNone, and refused when it is (a CA file that nothing uses is a configuration mistake).
  std::string client_ca_file;
  ClientCertificateMode client_certificates = ClientCertificateMode::kNone;
  TlsVersion min_version = TlsVersion::kTls13;
  // Offer HTTP/2 (ALPN "h2") besides HTTP/1.1: a client that asks for it gets it.
  bool http2 = false;
};

// Used for https:// URLs only; the client accepts TLS 1.2 and 1.3.
struct TlsClientOptions {
  // Instead of the CA and certificate files below, and of host names: our identity from memory and
  // servers pinned by code. The other fields must then be left empty.
  std::shared_ptr<const PinnedTlsClient> pinned;
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
  // Speak HTTP/2 (ALPN "h2" only: a server that does not choose it fails the call), with the
  // calls to one origin sharing one connection, many at once, instead of a connection each.
  bool http2 = false;
};

}  // namespace truc::net
