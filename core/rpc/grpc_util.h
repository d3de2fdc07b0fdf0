// The seam between truc::Status and gRPC, and mutual-TLS credentials for Trục's gRPC services.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "core/base/status.h"
#include "core/crypto/certificate.h"

namespace truc::rpc {

// Turns off abseil's mutex deadlock detection for the process. Debian builds abseil without
// NDEBUG, which leaves it on: every lock of every gRPC mutex then updates one global lock graph
// under one global lock. Call once at the start of a program that serves or calls over gRPC,
// before any thread is started.
void DisableMutexDeadlockDetection();

// Same code and message; the reason travels in the status details, so that it survives the wire.
grpc::Status ToGrpcStatus(const Status& status);
Status FromGrpcStatus(const grpc::Status& status);

// The SHA-256 fingerprint of the certificate the peer presented over mutual TLS, or nullopt.
std::optional<std::string> PeerCertificateFingerprint(const grpc::ServerContextBase& context);
// The TLS certificate the caller presented (and the server verified), or nullopt.
std::optional<crypto::Certificate> PeerCertificate(const grpc::ServerContextBase& context);

// PeerCertificate, parsing each distinct certificate once: gRPC hands the peer's certificate over
// as PEM with every call, and parsing it takes OpenSSL 3's global decoder lock. Keeps at most
// `capacity` certificates (all are dropped when it is full). Thread-safe.
class PeerCertificateCache {
 public:
  explicit PeerCertificateCache(size_t capacity = 1024) : capacity_(capacity) {}
  std::optional<crypto::Certificate> Get(const grpc::ServerContextBase& context);

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, crypto::Certificate> parsed_;  // By PEM; guarded by mu_.
};

// A started gRPC server and the "host:port" it listens on.
// How long a client may take to complete its TLS handshake with a server StartGrpcServer starts.
inline constexpr std::chrono::milliseconds kServerHandshakeTimeout{10'000};

struct ListeningServer {
  std::unique_ptr<grpc::Server> server;
  std::string endpoint;
  // The queue of its asynchronous services, when asked for.
  std::unique_ptr<grpc::ServerCompletionQueue> queue;
};

// Builds and starts a server on `host`:`port` (port 0 picks a free one) with `credentials`,
// serving `services` (not owned; they must outlive the server), with messages of up to
// `max_message_bytes` each way when that is not 0. kUnavailable (reason "rpc.listen_failed")
// naming `what` the server is for and the address when it cannot listen there.
StatusOr<ListeningServer> StartGrpcServer(const std::string& host, uint16_t port,
                                          std::shared_ptr<grpc::ServerCredentials> credentials,
                                          const std::vector<grpc::Service*>& services,
                                          size_t max_message_bytes, std::string_view what,
                                          bool with_queue = false);

// PEM files of one side of a mutual-TLS connection.
struct TlsFiles {
  std::string certificate_chain_file;  // Our certificate, then its issuers.
  std::string key_file;                // Our private key (mode 0600).
  std::string trusted_ca_file;         // The CAs whose certificates we accept from the peer.
};

// Server credentials that require and verify a client certificate from the trusted CAs.
StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsServerCredentials(
    const TlsFiles& files);
// Server credentials for local callers: TLS with our certificate; when files.trusted_ca_file is
// set, a client certificate from those CAs is requested and verified but not required (callers
// without one are told apart by PeerCertificateFingerprint returning nullopt).
StatusOr<std::shared_ptr<grpc::ServerCredentials>> OptionalClientTlsServerCredentials(
    const TlsFiles& files);
// Channel credentials presenting our certificate and verifying the server's.
StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MutualTlsChannelCredentials(
    const TlsFiles& files);

}  // namespace truc::rpc
