#include <future>
#include <thread>

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/net/http_client.h"
#include "core/net/http_server.h"
#include "tests/core/net/test_peers.h"

namespace truc::net {
namespace {

using testing::RawExchange;

// Echoes the method, target, X-Road-Client (last one) and body.
void EchoHandler(HttpRequest request, HttpResponder respond) {
  HttpResponse response =
      MakeResponse(200, "text/plain",
                   request.method + " " + request.target + " " +
                       request.headers.Get("X-Road-Client").value_or("-") + " " + request.body);
  response.headers.Add("X-Echo", "yes");
  respond(std::move(response));
}

std::string Url(const HttpServer& server, const std::string& path) {
  return "http://" + server.endpoint() + path;
}

TEST_CASE("The HTTP server and client exchange requests on loopback", "[net]") {
  auto server = HttpServer::Start({}, EchoHandler).value();
  HttpHeaders headers;
  headers.Add("X-Road-Client", "VN/GOV/1/first");
  headers.Add("x-road-client", "VN/GOV/1/last");
  const HttpResponse response =
      HttpFetch("POST", Url(*server, "/r1/a%2Fb?q=1"), headers, "hello").value();
  CHECK(response.status == 200);
  CHECK(response.body == "POST /r1/a%2Fb?q=1 VN/GOV/1/last hello");
  CHECK(response.headers.Get("x-echo") == "yes");
  CHECK(response.headers.Get("Content-Type") == "text/plain");
}

TEST_CASE("Handlers may respond later from another thread", "[net]") {
  std::vector<std::thread> workers;
  std::mutex mu;
  auto server = HttpServer::Start({}, [&](HttpRequest request, HttpResponder respond) {
                  std::lock_guard lock(mu);
                  workers.emplace_back([request = std::move(request), respond] {
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                    respond(MakeResponse(202, "text/plain", "later:" + request.body));
                  });
                }).value();
  std::vector<std::thread> clients;
  std::atomic<int> accepted{0};
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&, i] {
      StatusOr<HttpResponse> response = HttpFetch("PUT", Url(*server, "/"), {}, std::to_string(i));
      if (response.ok() && response->status == 202 &&
          response->body == "later:" + std::to_string(i)) {
        ++accepted;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  server->Stop();
  for (std::thread& worker : workers) worker.join();
  CHECK(accepted == 8);
}

TEST_CASE("Responders the handler keeps outlive the server harmlessly", "[net]") {
  // A worker pool may destroy its task, and the responder in it, after the server is gone.
  std::vector<HttpResponder> kept;
  std::mutex mu;
  HttpServerOptions options;
  options.shutdown_grace = std::chrono::milliseconds(50);
  auto server = HttpServer::Start(options, [&](HttpRequest request, HttpResponder respond) {
                  if (request.body != "never") {
                    respond(MakeResponse(200, "text/plain", "once:" + request.body));
                  }
                  std::lock_guard lock(mu);
                  kept.push_back(std::move(respond));
                }).value();
  const HttpResponse answered = HttpFetch("POST", Url(*server, "/"), {}, "a").value();
  CHECK(answered.body == "once:a");

  SECTION("a request never answered gets 503 when the server stops") {
    auto unanswered = std::async(std::launch::async,
                                 [&] { return HttpFetch("POST", Url(*server, "/"), {}, "never"); });
    while (true) {
      std::lock_guard lock(mu);
      if (kept.size() == 2) break;
      std::this_thread::yield();
    }
    server->Stop();
    const StatusOr<HttpResponse> stopped = unanswered.get();
    REQUIRE(stopped.ok());
    CHECK(stopped->status == 503);
    CHECK(stopped->body == "the server is stopping\n");
  }
  server.reset();
  // Answers after the server is gone are ignored; destroying the responders touches nothing.
  for (HttpResponder& respond : kept) respond(MakeResponse(500, "text/plain", "late"));
  kept.clear();
}

TEST_CASE("Oversized, malformed and slow requests are refused", "[net]") {
  HttpServerOptions options;
  options.max_body_bytes = 16;
  options.read_timeout = std::chrono::milliseconds(300);
  auto server = HttpServer::Start(options, EchoHandler).value();

  SECTION("a body over the limit gets 413") {
    const HttpResponse response =
        HttpFetch("POST", Url(*server, "/"), {}, std::string(17, 'x')).value();
    CHECK(response.status == 413);
    CHECK(response.body == "request body exceeds the limit of 16 bytes\n");
  }
  SECTION("a body at the limit passes") {
    CHECK(HttpFetch("POST", Url(*server, "/"), {}, std::string(16, 'x')).value().status == 200);
  }
  SECTION("garbage gets 400") {
    const std::string reply = RawExchange(server->port(), "NOT HTTP AT ALL\r\n\r\n");
    CHECK(reply.starts_with("HTTP/1.1 400 Bad Request"));
    CHECK(reply.find("malformed HTTP request") != std::string::npos);
  }
  SECTION("a client that never finishes its headers is disconnected") {
    const auto started = std::chrono::steady_clock::now();
    const std::string reply = RawExchange(server->port(), "GET / HTTP/1.1\r\nHost: x\r\n");
    CHECK(reply.empty());
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  }
  SECTION("the server still answers afterwards") {
    CHECK(HttpFetch("GET", Url(*server, "/ok"), {}, "").value().body == "GET /ok - ");
  }
}

TEST_CASE("Bodies framed otherwise than by Content-Length or chunked are refused", "[net]") {
  std::atomic<int> handled{0};
  auto server = HttpServer::Start({}, [&](HttpRequest request, HttpResponder respond) {
                  ++handled;
                  EchoHandler(std::move(request), std::move(respond));
                }).value();
  // The body is a second request: were the coding ignored, it would reach the handler too.
  const auto smuggle = [&](const std::string& framing) {
    return RawExchange(server->port(), "POST /first HTTP/1.1\r\nHost: x\r\n" + framing +
                                           "\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n");
  };
  SECTION("an unknown coding gets 501") {
    const std::string reply = smuggle("Transfer-Encoding: xchunked");
    CHECK(reply.starts_with("HTTP/1.1 501 Not Implemented"));
    CHECK(reply.find("\"xchunked\" is not supported") != std::string::npos);
  }
  SECTION("identity is no longer a transfer coding") {
    CHECK(smuggle("Transfer-Encoding: identity").starts_with("HTTP/1.1 501"));
  }
  SECTION("chunked must be the last coding") {
    CHECK(smuggle("Transfer-Encoding: chunked, identity").starts_with("HTTP/1.1 400"));
    CHECK(smuggle("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip")
              .starts_with("HTTP/1.1 400"));
  }
  SECTION("Transfer-Encoding beside Content-Length") {
    CHECK(smuggle("Transfer-Encoding: chunked\r\nContent-Length: 0").starts_with("HTTP/1.1 400"));
  }
  // Each refusal closes the connection: nothing after it is read as a request.
  CHECK(handled == 0);
}

TEST_CASE("A chunked body is read, and its trailer fields are not taken as header fields",
          "[net]") {
  auto server = HttpServer::Start({}, EchoHandler).value();
  for (const std::string coding : {"chunked", "CHUNKED"}) {
    INFO(coding);
    const std::string reply = RawExchange(
        server->port(),
        "POST /r1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Road-Client: VN/GOV/1/header\r\n"
        "Transfer-Encoding: " +
            coding + "\r\n\r\n5\r\nhello\r\n0\r\nX-Road-Client: VN/GOV/999999/spoofed\r\n\r\n");
    CHECK(reply.starts_with("HTTP/1.1 200"));
    CHECK(reply.ends_with("POST /r1 VN/GOV/1/header hello"));
  }
}

TEST_CASE("Idle connections make room for new ones when the server is full", "[net]") {
  HttpServerOptions options;
  options.max_connections = 4;
  options.read_timeout = std::chrono::seconds(60);  // Far longer than the test may take.
  auto server = HttpServer::Start(options, EchoHandler).value();
  std::vector<std::unique_ptr<testing::LoopbackSocket>> idle;
  for (int i = 0; i < 8; ++i) {
    idle.push_back(std::make_unique<testing::LoopbackSocket>(server->port()));
  }
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    const StatusOr<HttpResponse> response = HttpFetch("GET", Url(*server, "/served"), {}, "");
    REQUIRE(response.ok());
    CHECK(response->body == "GET /served - ");
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}

// A server that holds every request unanswered until it goes (then answers them "late").
struct SlowServer {
  SlowServer()
      : server(HttpServer::Start({}, [this](HttpRequest, HttpResponder respond) {
                 std::lock_guard lock(mu);
                 parked.push_back(std::move(respond));
               }).value()) {}
  ~SlowServer() {
    std::lock_guard lock(mu);
    for (HttpResponder& respond : parked) respond(MakeResponse(200, "text/plain", "late"));
    parked.clear();  // Responders must not outlive the server (http_server.h).
  }

  std::mutex mu;
  std::vector<HttpResponder> parked;  // Guarded by mu.
  std::unique_ptr<HttpServer> server;
};

// AsyncHttpClient::Fetch, waiting for the answer.
StatusOr<HttpResponse> FetchAndWait(AsyncHttpClient& client, const std::string& method,
                                    const std::string& url, const HttpHeaders& headers,
                                    std::string body, const HttpClientOptions& options = {}) {
  std::promise<StatusOr<HttpResponse>> answered;
  client.Fetch(
      method, url, headers, std::move(body), options,
      [&answered](StatusOr<HttpResponse> response) { answered.set_value(std::move(response)); });
  return answered.get_future().get();
}

TEST_CASE(
    "The asynchronous client keeps connections open, replaces those the server closed, and "
    "answers calls made at once",
    "[net]") {
  HttpServerOptions options;
  options.read_timeout = std::chrono::milliseconds(100);  // Idle connections close after it.
  auto server =
      HttpServer::Start(options, [](HttpRequest request, HttpResponder respond) {
        respond(MakeResponse(200, "text/plain", request.peer_address + " " + request.body));
      }).value();
  AsyncHttpClient client(2);
  const std::string first = FetchAndWait(client, "POST", Url(*server, "/"), {}, "1").value().body;
  const std::string second = FetchAndWait(client, "POST", Url(*server, "/"), {}, "2").value().body;
  const std::string connection = first.substr(0, first.find(' '));
  CHECK(first == connection + " 1");
  CHECK(second == connection + " 2");  // The same connection: the same client port.

  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const StatusOr<HttpResponse> third = FetchAndWait(client, "POST", Url(*server, "/"), {}, "3");
  REQUIRE(third.ok());
  CHECK(third->body.ends_with(" 3"));
  CHECK(!third->body.starts_with(connection + " "));

  constexpr int kCalls = 20;
  std::vector<std::promise<StatusOr<HttpResponse>>> answers(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    client.Fetch("POST", Url(*server, "/"), {}, std::to_string(i), {},
                 [&answers, i](StatusOr<HttpResponse> response) {
                   answers[i].set_value(std::move(response));
                 });
  }
  for (int i = 0; i < kCalls; ++i) {
    const StatusOr<HttpResponse> response = answers[i].get_future().get();
    REQUIRE(response.ok());
    CHECK(response->body.ends_with(" " + std::to_string(i)));
  }

  HttpHeaders split;
  split.Add("X-Bad", "a\r\nInjected: yes");
  CHECK(FetchAndWait(client, "GET", Url(*server, "/"), split, "").status().reason() ==
        "net.bad_request");
  CHECK(FetchAndWait(client, "GET", "http://127.0.0.1:1/", {}, "").status().code() ==
        StatusCode::kUnavailable);
  SlowServer slow;
  HttpClientOptions short_wait;
  short_wait.timeout = std::chrono::milliseconds(200);
  const Status late =
      FetchAndWait(client, "GET", Url(*slow.server, "/"), {}, "", short_wait).status();
  INFO(late.ToString());
  CHECK(late.code() == StatusCode::kDeadlineExceeded);
}

TEST_CASE("The client refuses to send a request that would split", "[net]") {
  auto server = HttpServer::Start({}, EchoHandler).value();
  HttpHeaders injected;
  injected.Add("X-Road-UserId", "u1\r\nX-Injected: yes");
  const StatusOr<HttpResponse> header = HttpFetch("GET", Url(*server, "/"), injected, "");
  CHECK(header.status().reason() == "net.bad_request");
  HttpHeaders bad_name;
  bad_name.Add("X Road", "v");
  CHECK(HttpFetch("GET", Url(*server, "/"), bad_name, "").status().reason() == "net.bad_request");
  const StatusOr<HttpResponse> target =
      HttpFetch("GET", Url(*server, "/a HTTP/1.1\r\nHost: x\r\n\r\nGET /b"), {}, "");
  CHECK(target.status().reason() == "net.bad_request");
}

TEST_CASE("Answers the server cannot send as they are are made sendable, never thrown", "[net]") {
  auto server = HttpServer::Start({}, [](HttpRequest request, HttpResponder respond) {
                  const int status = std::stoi(request.target.substr(1));
                  HttpResponse response = MakeResponse(status, "text/plain", "a body");
                  response.headers.Add("Content-Length", "999");  // Framing is the server's.
                  respond(std::move(response));
                }).value();
  for (const int status : {204, 304}) {
    const HttpResponse response =
        HttpFetch("GET", Url(*server, "/" + std::to_string(status)), {}, "").value();
    CHECK(response.status == status);
    CHECK(response.body.empty());
  }
  const HttpResponse interim = HttpFetch("GET", Url(*server, "/100"), {}, "").value();
  CHECK(interim.status == 502);
  const HttpResponse ok = HttpFetch("GET", Url(*server, "/200"), {}, "").value();
  CHECK(ok.body == "a body");
  CHECK(ok.headers.Get("Content-Length") == "6");
  // A TRACE with a body is refused by the client (Beast would throw while writing it).
  CHECK(HttpFetch("TRACE", Url(*server, "/200"), {}, "x").status().reason() == "net.bad_request");
}

TEST_CASE("The client reports unreachable servers, timeouts and bad URLs", "[net]") {
  SECTION("nothing listening") {
    uint16_t port;
    {
      auto server = HttpServer::Start({}, EchoHandler).value();
      port = server->port();
    }
    const Status status =
        HttpFetch("GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, "").status();
    CHECK(status.code() == StatusCode::kUnavailable);
    CHECK(status.message().starts_with("cannot connect to http://127.0.0.1:"));
  }
  SECTION("a server slower than the deadline") {
    SlowServer slow;
    HttpClientOptions options;
    options.timeout = std::chrono::milliseconds(200);
    CHECK(HttpFetch("GET", Url(*slow.server, "/"), {}, "", options).status().code() ==
          StatusCode::kDeadlineExceeded);
  }
  SECTION("malformed URLs") {
    CHECK(ParseHttpUrl("ftp://x/").status().message() ==
          "invalid URL 'ftp://x/': only http:// and https:// URLs are supported");
    CHECK(ParseHttpUrl("http://:80/").status().message() == "invalid URL 'http://:80/': no host");
    CHECK(ParseHttpUrl("http://x:99999/").status().message() ==
          "invalid URL 'http://x:99999/': bad port '99999'");
    const HttpUrl v6 = ParseHttpUrl("http://[::1]:8080?x=1").value();
    CHECK(v6.host == "::1");
    CHECK(v6.port == 8080);
    CHECK(v6.target == "/?x=1");
    CHECK_FALSE(v6.tls);
  }
  SECTION("https URLs default to port 443") {
    const HttpUrl https = ParseHttpUrl("https://gw.example/r1/x").value();
    CHECK(https.tls);
    CHECK(https.host == "gw.example");
    CHECK(https.port == 443);
    CHECK(https.target == "/r1/x");
    CHECK(ParseHttpUrl("https://gw.example:8443").value().port == 8443);
    CHECK(ParseHttpUrl("http://gw.example").value().port == 80);
  }
}

TEST_CASE("Once Stop returns, the port refuses connections", "[net]") {
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto server = HttpServer::Start({}, EchoHandler).value();
    const std::string url = Url(*server, "/");
    server->Stop();
    HttpClientOptions options;
    options.timeout = std::chrono::milliseconds(500);
    CHECK(HttpFetch("GET", url, {}, "", options).status().code() == StatusCode::kUnavailable);
  }
}

TEST_CASE("The server refuses to bind a bad address", "[net]") {
  HttpServerOptions options;
  options.address = "not-an-ip";
  CHECK(HttpServer::Start(options, EchoHandler).status().reason() == "net.bad_address");
}

}  // namespace
}  // namespace truc::net
