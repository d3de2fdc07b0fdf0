// OpenSSL contexts for the HTTP server and client. Internal to core/net: nothing outside it
// includes Asio's SSL headers.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include "core/base/status.h"
#include "core/net/tls_options.h"

namespace truc::net::internal {

// A context serving `options.certificate_chain_file` with its key, asking for client
// certificates as `options` say, for TLS versions from `options.min_version` up. Errors:
// InvalidArgument ("net.bad_tls_options") for inconsistent options; the errors of
// crypto::Certificate::LoadPemFile and crypto::PrivateKey::LoadPemFile (unreadable, malformed, or
// a key file others may read); InvalidArgument ("net.tls_bad_certificate", "net.tls_key_mismatch")
// when OpenSSL refuses the certificate or the key does not belong to it. Messages name the file.
StatusOr<boost::asio::ssl::context> MakeServerTlsContext(const TlsServerOptions& options);

// A context that verifies servers against `options.ca_file` (or OpenSSL's default verify paths),
// presents the client certificate if one is given, for TLS 1.2 and 1.3. Checking the server's
// name is per connection (SSL_set1_host); `options.verify_hostname` is not applied here. Errors
// as MakeServerTlsContext.
StatusOr<boost::asio::ssl::context> MakeClientTlsContext(const TlsClientOptions& options);

}  // namespace truc::net::internal
