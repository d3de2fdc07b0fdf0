// Mutual TLS for gRPC where trust is decided by our code, not by host names: each side presents
// its certificate chain and checks the peer's with a PeerCheck during the handshake (the gateway
// pins peers to the TLS certificates the global configuration registers for them).
//
// gRPC 1.51 offers no knob for the minimum TLS version of these credentials, so TLS 1.3 is
// enforced for the whole process by RequireTls13ByDefault, which must run before any TLS context
// is created. Contexts that Trục creates itself (core/net) set their own versions explicitly and
// are not affected.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>

#include <grpcpp/grpcpp.h>

#include "core/base/status.h"
#include "core/crypto/certificate.h"

namespace truc::rpc {

// Decides whether the peer may connect: OK to accept, an error (whose message is logged by gRPC
// and ends the handshake) to refuse. `leaf` is the peer's certificate, `intermediates` the rest of
// the chain it sent. Called on gRPC's threads, possibly concurrently; must not block for long.
using PeerCheck = std::function<Status(const crypto::Certificate& leaf,
                                       std::span<const crypto::Certificate> intermediates)>;

// Our side of the connection, loaded once.
struct TlsIdentity {
  std::string certificate_chain_pem;  // Our certificate, then its issuers.
  std::string private_key_pem;
};

// Loads the certificate chain and the key (which must be 0600 and match the certificate).
StatusOr<TlsIdentity> LoadTlsIdentity(const std::string& certificate_chain_file,
                                      const std::string& key_file);

// Server credentials that require a client certificate and accept it only if `check` does.
std::shared_ptr<grpc::ServerCredentials> PinnedTlsServerCredentials(const TlsIdentity& identity,
                                                                    PeerCheck check);

// Channel credentials that present `identity` and accept the server only if `check` does; the
// host name the channel was created with plays no part.
std::shared_ptr<grpc::ChannelCredentials> PinnedTlsChannelCredentials(const TlsIdentity& identity,
                                                                      PeerCheck check);

// Makes every TLS context the process creates from now on refuse versions below TLS 1.3, through
// OpenSSL's process-wide default configuration (the `system_default` of the SSL module). Call once,
// early in main, before gRPC or anything else creates a TLS context. kInternal if OpenSSL refuses
// the configuration.
Status RequireTls13ByDefault();

}  // namespace truc::rpc
