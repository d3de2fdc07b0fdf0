// OpenSSL contexts for the HTTP server and client. Internal to core/net: nothing outside it
// includes Asio's SSL headers.
#pragma once

#include <memory>

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

#include "core/base/status.h"
#include "core/net/tls_options.h"

namespace truc::net::internal {

// What a pinned check (TlsPeerCheck) decided about one connection's peer. Attached to the
// connection's SSL before its handshake; must outlive the handshake.
struct PeerVerification {
  const TlsPeerCheck* check = nullptr;
  Status verdict;                                   // Why the check refused the peer, when it did.
  std::shared_ptr<const crypto::Certificate> leaf;  // The accepted peer's certificate.
};

// Makes the handshake of `ssl`, whose context was made for pinned options, decide its peer with
// `verification->check` and record the outcome there.
void AttachPeerVerification(SSL* ssl, PeerVerification* verification);
// The verification attached to `ssl`, or null.
const PeerVerification* PeerVerificationOf(const SSL* ssl);

// True when the handshake on `ssl` chose HTTP/2 (ALPN "h2").
bool ChoseHttp2(const SSL* ssl);

// A context serving `options.certificate_chain_file` with its key, asking for client
// certificates as `options` say (with `options.pinned`: our identity from memory, a client
// certificate required and judged by the check the connection attaches), for TLS versions from
// `options.min_version` up. Errors: InvalidArgument ("net.bad_tls_options") for inconsistent
// options; the errors of crypto::Certificate::LoadPemFile and crypto::PrivateKey::LoadPemFile
// (unreadable, malformed, or a key file others may read); InvalidArgument
// ("net.tls_bad_certificate", "net.tls_key_mismatch") when OpenSSL refuses the certificate or the
// key does not belong to it. Messages name the file.
StatusOr<boost::asio::ssl::context> MakeServerTlsContext(const TlsServerOptions& options);

// A context that verifies servers against `options.ca_file` (or OpenSSL's default verify paths),
// presents the client certificate if one is given, for TLS 1.2 and 1.3 (with `options.pinned`:
// presents its identity, TLS 1.3 only, and judges servers by the check each connection attaches).
// Checking the server's name is per connection (SSL_set1_host); `options.verify_hostname` is not
// applied here. Errors as MakeServerTlsContext.
StatusOr<boost::asio::ssl::context> MakeClientTlsContext(const TlsClientOptions& options);

}  // namespace truc::net::internal
