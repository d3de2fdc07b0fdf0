// Pinned TLS (trust decided by code at the handshake, as the gateways pin each other), kept TLS
// connections, and servers and clients sharing one EventLoop.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>

#include <catch2/catch.hpp>

#include "core/base/file.h"
#include "core/crypto/certificate.h"
#include "core/net/event_loop.h"
#include "core/net/http_client.h"
#include "core/net/http_server.h"
#include "tests/core/net/test_peers.h"

namespace truc::net {
namespace {

using testing::TlsFiles;

TlsIdentityPem IdentityOf(const TlsFiles& files, const std::string& name) {
  const TlsServerOptions paths = files.Server(name);
  return {ReadFile(paths.certificate_chain_file).value(), ReadFile(paths.key_file).value()};
}

// Accepts exactly the certificate `expected`, counting its calls.
struct Pin {
  std::string fingerprint;
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);

  TlsPeerCheck Check() const {
    return [expected = fingerprint, calls = calls](const crypto::Certificate& leaf,
                                                   std::span<const crypto::Certificate>) {
      ++*calls;
      if (leaf.Fingerprint() == expected) return OkStatus();
      return PermissionDeniedError("not the pinned certificate: " + leaf.subject(),
                                   "test.not_pinned");
    };
  }
};

// Answers with the client's certificate as the check accepted it, and where it came from.
void Describe(HttpRequest request, HttpResponder respond) {
  respond(MakeResponse(200, "text/plain",
                       (request.peer_certificate == nullptr ? std::string("none")
                                                            : request.peer_certificate->subject()) +
                           " from " + request.peer_address));
}

std::unique_ptr<HttpServer> StartPinnedServer(TlsIdentityPem identity, TlsPeerCheck check,
                                              EventLoop* loop = nullptr,
                                              HttpHandler handler = Describe) {
  HttpServerOptions options;
  options.tls = TlsServerOptions{.pinned = PinnedTlsServer{std::move(identity), std::move(check)}};
  options.loop = loop;
  return HttpServer::Start(std::move(options), std::move(handler)).value();
}

HttpClientOptions PinnedClient(TlsIdentityPem identity, TlsPeerCheck check,
                               const std::string& group) {
  HttpClientOptions options;
  options.tls.pinned = std::make_shared<const PinnedTlsClient>(
      PinnedTlsClient{.identity = std::make_shared<const TlsIdentityPem>(std::move(identity)),
                      .check = std::move(check),
                      .group = group});
  return options;
}

StatusOr<HttpResponse> Get(AsyncHttpClient& client, const HttpServer& server,
                           const HttpClientOptions& options) {
  std::promise<StatusOr<HttpResponse>> answered;
  client.Fetch(
      "GET", "https://" + server.endpoint() + "/", {}, "", options,
      [&answered](StatusOr<HttpResponse> response) { answered.set_value(std::move(response)); });
  return answered.get_future().get();
}

TEST_CASE("Pinned TLS: each side decides its peer by code, at the handshake", "[net][tls]") {
  TlsFiles files;
  const crypto::Certificate server_certificate = files.Issue("server", {"DNS:elsewhere"});
  const crypto::Certificate client_certificate = files.Issue("client", {"DNS:client"});
  const crypto::Certificate stranger_certificate = files.Issue("stranger", {"DNS:stranger"});
  const Pin client_pin{client_certificate.Fingerprint()};
  const Pin server_pin{server_certificate.Fingerprint()};
  auto server = StartPinnedServer(IdentityOf(files, "server"), client_pin.Check());
  AsyncHttpClient client(1);

  SECTION("both accepted: the handler sees the certificate the check accepted") {
    // The server's certificate names another host: pinning, not names, decides.
    const HttpResponse response =
        Get(client, *server, PinnedClient(IdentityOf(files, "client"), server_pin.Check(), "a"))
            .value();
    CHECK(response.status == 200);
    CHECK(response.body.starts_with(client_certificate.subject() + " from 127.0.0.1:"));
    CHECK(*client_pin.calls == 1);
    CHECK(*server_pin.calls == 1);
  }
  SECTION("the client refuses the server: the call fails with the check's own error") {
    const Pin other{stranger_certificate.Fingerprint()};
    const Status refused =
        Get(client, *server, PinnedClient(IdentityOf(files, "client"), other.Check(), "b"))
            .status();
    CHECK(refused.code() == StatusCode::kPermissionDenied);
    CHECK(refused.reason() == "test.not_pinned");
    CHECK(refused.message() == "not the pinned certificate: " + server_certificate.subject());
  }
  SECTION("the server refuses the client: nothing reaches the handler") {
    const Status refused =
        Get(client, *server, PinnedClient(IdentityOf(files, "stranger"), server_pin.Check(), "c"))
            .status();
    CHECK(refused.code() == StatusCode::kUnavailable);
    CHECK(*client_pin.calls == 1);
  }
  SECTION("a client with no certificate is refused") {
    HttpClientOptions plain;
    plain.tls = files.Client();
    plain.tls.verify_hostname = false;
    CHECK(Get(client, *server, plain).status().code() == StatusCode::kUnavailable);
    CHECK(*client_pin.calls == 0);
  }
  SECTION("the blocking client pins too") {
    const HttpClientOptions options =
        PinnedClient(IdentityOf(files, "client"), server_pin.Check(), "d");
    CHECK(HttpFetch("GET", "https://" + server->endpoint() + "/", {}, "", options).value().status ==
          200);
    const Pin other{stranger_certificate.Fingerprint()};
    CHECK(HttpFetch("GET", "https://" + server->endpoint() + "/", {}, "",
                    PinnedClient(IdentityOf(files, "client"), other.Check(), "e"))
              .status()
              .reason() == "test.not_pinned");
  }
  SECTION("pinned options that also name files are refused") {
    HttpServerOptions options;
    options.tls =
        TlsServerOptions{.pinned = PinnedTlsServer{IdentityOf(files, "server"), client_pin.Check()},
                         .certificate_chain_file = files.Server("server").certificate_chain_file};
    CHECK(HttpServer::Start(std::move(options), Describe).status().reason() ==
          "net.bad_tls_options");
    HttpClientOptions mixed = PinnedClient(IdentityOf(files, "client"), server_pin.Check(), "f");
    mixed.tls.ca_file = files.ca_file();
    CHECK(Get(client, *server, mixed).status().reason() == "net.bad_tls_options");
  }
}

TEST_CASE("Pinned TLS connections are kept, and reused only by calls of their group",
          "[net][tls]") {
  TlsFiles files;
  const crypto::Certificate server_certificate = files.Issue("server", {"DNS:server"});
  const crypto::Certificate client_certificate = files.Issue("client", {"DNS:client"});
  const Pin client_pin{client_certificate.Fingerprint()};
  const Pin server_pin{server_certificate.Fingerprint()};
  auto server = StartPinnedServer(IdentityOf(files, "server"), client_pin.Check());
  AsyncHttpClient client(1);
  const HttpClientOptions first =
      PinnedClient(IdentityOf(files, "client"), server_pin.Check(), "peer/1");
  HttpClientOptions same_group = first;
  same_group.tls.pinned = std::make_shared<const PinnedTlsClient>(*first.tls.pinned);
  const HttpClientOptions other_group =
      PinnedClient(IdentityOf(files, "client"), server_pin.Check(), "peer/2");

  const std::string one = Get(client, *server, first).value().body;
  const std::string two = Get(client, *server, same_group).value().body;
  const std::string three = Get(client, *server, other_group).value().body;
  CHECK(one == two);  // The same connection: the same client port.
  CHECK(three != one);
  CHECK(*server_pin.calls == 2);  // One handshake per connection.
  CHECK(*client_pin.calls == 2);
}

TEST_CASE("Cancel ends the calls in progress at once and refuses later ones", "[net]") {
  std::promise<HttpResponder> held;
  auto server = HttpServer::Start({}, [&held](HttpRequest, HttpResponder respond) {
                  held.set_value(std::move(respond));  // Answered only at the end.
                }).value();
  AsyncHttpClient client(1);
  std::promise<StatusOr<HttpResponse>> answered;
  client.Fetch(
      "GET", "http://" + server->endpoint() + "/", {}, "", {.timeout = std::chrono::hours(1)},
      [&answered](StatusOr<HttpResponse> response) { answered.set_value(std::move(response)); });
  HttpResponder respond = held.get_future().get();  // The request has arrived.
  client.Cancel();
  const Status cancelled = answered.get_future().get().status();
  CHECK(cancelled.code() == StatusCode::kCancelled);
  CHECK(cancelled.reason() == "net.cancelled");

  std::promise<StatusOr<HttpResponse>> refused;
  client.Fetch(
      "GET", "http://" + server->endpoint() + "/", {}, "", {},
      [&refused](StatusOr<HttpResponse> response) { refused.set_value(std::move(response)); });
  CHECK(refused.get_future().get().status().reason() == "net.cancelled");
  respond(MakeResponse(200, "text/plain", "too late"));
  client.Shutdown();
}

TEST_CASE("Servers and clients on one shared EventLoop", "[net]") {
  EventLoop loop(2, "test-io");
  // A backend, and a front server that calls it from its handler: on the same threads.
  auto backend = HttpServer::Start({.loop = &loop}, [](HttpRequest, HttpResponder respond) {
                   respond(MakeResponse(200, "text/plain", "from the backend"));
                 }).value();
  AsyncHttpClient client(loop);
  const std::string backend_url = "http://" + backend->endpoint() + "/";
  auto front =
      HttpServer::Start({.loop = &loop}, [&](HttpRequest, HttpResponder respond) {
        client.Fetch("GET", backend_url, {}, "", {}, [respond](StatusOr<HttpResponse> answer) {
          respond(answer.ok() ? *answer
                              : MakeResponse(502, "text/plain", answer.status().ToString()));
        });
      }).value();
  AsyncHttpClient caller(1);
  for (int i = 0; i < 3; ++i) {
    std::promise<StatusOr<HttpResponse>> answered;
    caller.Fetch("GET", "http://" + front->endpoint() + "/", {}, "", {},
                 [&](StatusOr<HttpResponse> response) { answered.set_value(std::move(response)); });
    const HttpResponse response = answered.get_future().get().value();
    CHECK(response.status == 200);
    CHECK(response.body == "from the backend");
  }
  // The caller keeps its connection to the front open: stopping closes it rather than waiting for
  // the shared threads to end.
  const auto started = std::chrono::steady_clock::now();
  front->Stop();
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  client.Shutdown();
  backend->Stop();
  loop.Stop();
}

}  // namespace
}  // namespace truc::net
