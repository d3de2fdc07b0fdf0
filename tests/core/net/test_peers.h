// Peers for the HTTP tests that the library's own client and server cannot play (raw sockets, TLS
// endpoints limited to TLS 1.2), and certificate files for TLS servers and clients.
#pragma once

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "core/crypto/certificate.h"
#include "core/net/tls_options.h"
#include "tests/support/raw_socket.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_federation.h"

namespace truc::testing {

// A federation of its own (valid now, for OpenSSL reads the real clock) whose root is DIR/ca.pem,
// and gateway TLS certificates issued by it, written to a temporary directory.
class TlsFiles {
 public:
  TlsFiles();

  // Issues a gateway-tls certificate naming `subject_alt_names` ("IP:127.0.0.1", "DNS:x") and
  // writes it as NAME.pem with its key as NAME.key.
  crypto::Certificate Issue(const std::string& name, std::vector<std::string> subject_alt_names);

  const std::string& ca_file() const { return ca_file_; }
  // The files of the certificate Issue'd as `name`, served with TLS 1.3 and no client
  // certificates.
  net::TlsServerOptions Server(const std::string& name) const;
  // Trusting ca_file(), presenting the certificate Issue'd as `client_name` if one is given.
  net::TlsClientOptions Client(const std::string& client_name = "") const;

 private:
  TempDir dir_;
  TestFederation federation_;
  std::string ca_file_;
};

// Completes a TLS handshake with the server on loopback `port` as a client that speaks TLS 1.2
// only (whatever the process's OpenSSL configuration says) and verifies nothing. Returns "" on
// success, the error otherwise.
std::string HandshakeAsTls12Client(uint16_t port);

// An HTTPS server on loopback that speaks TLS 1.2 only and answers one request with 200 and the
// negotiated protocol version ("TLSv1.2") as the body.
class Tls12OnlyServer {
 public:
  explicit Tls12OnlyServer(const net::TlsServerOptions& files);
  Tls12OnlyServer(const Tls12OnlyServer&) = delete;
  Tls12OnlyServer& operator=(const Tls12OnlyServer&) = delete;
  ~Tls12OnlyServer();

  // "https://127.0.0.1:PORT/".
  std::string url() const;

 private:
  boost::asio::awaitable<void> ServeOneRequest();

  boost::asio::io_context io_;
  boost::asio::ssl::context context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

}  // namespace truc::testing
