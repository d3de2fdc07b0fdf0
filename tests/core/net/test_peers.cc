#include "tests/core/net/test_peers.h"

#include <chrono>

#include <arpa/inet.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/base/file.h"

namespace truc::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// A context for TLS 1.2 alone (Asio's tlsv12 methods set it as both minimum and maximum).
ssl::context Tls12Only(ssl::context::method method) {
  ssl::context context(method);
  // The process's OpenSSL configuration may disable TLS 1.2 (see tls_system_config_test.cc).
  SSL_CTX_clear_options(context.native_handle(), SSL_OP_NO_TLSv1_2);
  return context;
}

}  // namespace

TlsFiles::TlsFiles()
    : federation_(std::chrono::system_clock::now()), ca_file_(dir_.File("ca.pem")) {
  REQUIRE(WriteFileAtomically(ca_file_, federation_.root().certificate.ToPem(), 0644).ok());
}

crypto::Certificate TlsFiles::Issue(const std::string& name,
                                    std::vector<std::string> subject_alt_names) {
  KeyAndCertificate leaf = federation_.Issue(pki::Profile::kGatewayTls, "VN/GOV/000100/" + name,
                                             std::move(subject_alt_names));
  TestFederation::Write(leaf, dir_.path(), name);
  return leaf.certificate;
}

net::TlsServerOptions TlsFiles::Server(const std::string& name) const {
  return {.certificate_chain_file = dir_.File(name + ".pem"), .key_file = dir_.File(name + ".key")};
}

net::TlsClientOptions TlsFiles::Client(const std::string& client_name) const {
  net::TlsClientOptions options{.ca_file = ca_file_};
  if (!client_name.empty()) {
    options.certificate_chain_file = dir_.File(client_name + ".pem");
    options.key_file = dir_.File(client_name + ".key");
  }
  return options;
}

std::string HandshakeAsTls12Client(uint16_t port) {
  asio::io_context io;
  ssl::context context = Tls12Only(ssl::context::tlsv12_client);
  ssl::stream<tcp::socket> stream(io, context);
  beast::error_code error;
  stream.next_layer().connect({asio::ip::address_v4::loopback(), port}, error);
  if (!error) stream.handshake(ssl::stream_base::client, error);
  return error ? error.message() : "";
}

Tls12OnlyServer::Tls12OnlyServer(const net::TlsServerOptions& files)
    : context_(Tls12Only(ssl::context::tlsv12_server)),
      acceptor_(io_, {asio::ip::address_v4::loopback(), 0}) {
  context_.use_certificate_chain_file(files.certificate_chain_file);
  context_.use_private_key_file(files.key_file, ssl::context::pem);
  asio::co_spawn(io_, ServeOneRequest(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

Tls12OnlyServer::~Tls12OnlyServer() {
  io_.stop();
  thread_.join();
}

std::string Tls12OnlyServer::url() const {
  return "https://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/";
}

asio::awaitable<void> Tls12OnlyServer::ServeOneRequest() {
  auto [accept_error, socket] = co_await acceptor_.async_accept(kNoThrow);
  if (accept_error) co_return;
  beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), context_);
  auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::server, kNoThrow);
  if (handshake_error) co_return;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  auto [read_error, read] = co_await http::async_read(stream, buffer, request, kNoThrow);
  if (read_error) co_return;
  http::response<http::string_body> response(http::status::ok, 11);
  response.body() = SSL_get_version(stream.native_handle());
  response.prepare_payload();
  co_await http::async_write(stream, response, kNoThrow);
}

}  // namespace truc::testing
