// HTTP/2 between our HTTP server and client (TlsServerOptions::http2, TlsClientOptions::http2):
// many calls on one connection, answers in any order, limits, deadlines, and the fallback to
// HTTP/1.1 for clients that do not ask for HTTP/2.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "core/net/event_loop.h"
#include "core/net/http_client.h"
#include "core/net/http_server.h"
#include "tests/core/net/test_peers.h"

namespace truc::net {
namespace {

using testing::TlsFiles;

// Echoes the request: its method, target and body, and where it came from.
void EchoHandler(HttpRequest request, HttpResponder respond) {
  HttpResponse response = MakeResponse(200, "application/octet-stream", std::move(request.body));
  response.headers.Add("X-Method", request.method);
  response.headers.Add("X-Target", request.target);
  response.headers.Add("X-Peer", request.peer_address);
  response.headers.Add("X-Echo", request.headers.Get("X-Echo").value_or(""));
  respond(std::move(response));
}

struct Fixture {
  Fixture() { files.Issue("server", {"IP:127.0.0.1"}); }

  std::unique_ptr<HttpServer> Start(HttpHandler handler = EchoHandler, bool http2 = true,
                                    size_t max_body_bytes = 10 << 20) {
    HttpServerOptions options;
    options.tls = files.Server("server");
    options.tls->http2 = http2;
    options.max_body_bytes = max_body_bytes;
    options.shutdown_grace = std::chrono::milliseconds(200);
    return HttpServer::Start(std::move(options), std::move(handler)).value();
  }

  HttpClientOptions Http2Client() const {
    HttpClientOptions options;
    options.tls = files.Client();
    options.tls.http2 = true;
    return options;
  }

  TlsFiles files;
};

StatusOr<HttpResponse> FetchAndWait(AsyncHttpClient& client, const std::string& method,
                                    const std::string& url, std::string body,
                                    const HttpClientOptions& options, HttpHeaders headers = {}) {
  std::promise<StatusOr<HttpResponse>> answered;
  client.Fetch(
      method, url, headers, std::move(body), options,
      [&answered](StatusOr<HttpResponse> response) { answered.set_value(std::move(response)); });
  return answered.get_future().get();
}

TEST_CASE("HTTP/2: many calls at once share one connection and get their own answers",
          "[net][http2]") {
  Fixture fixture;
  // Answers from another thread, in the reverse order of arrival, once all have arrived.
  constexpr int kCalls = 64;
  std::mutex mu;
  std::vector<std::pair<HttpRequest, HttpResponder>> held;
  bool batch_done = false;
  auto server = fixture.Start([&](HttpRequest request, HttpResponder respond) {
    std::vector<std::pair<HttpRequest, HttpResponder>> all;
    {
      std::lock_guard lock(mu);
      if (batch_done) return EchoHandler(std::move(request), std::move(respond));
      held.emplace_back(std::move(request), std::move(respond));
      if (held.size() < kCalls) return;
      all = std::move(held);
      batch_done = true;
    }
    std::thread([all = std::move(all)]() mutable {
      for (auto it = all.rbegin(); it != all.rend(); ++it) EchoHandler(it->first, it->second);
    }).detach();
  });
  EventLoop loop(2, "test-loop");
  AsyncHttpClient client(loop);
  const HttpClientOptions options = fixture.Http2Client();

  std::vector<std::promise<StatusOr<HttpResponse>>> answers(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    // Bodies from empty to 300 KiB: larger than a frame and than the first flow-control window.
    std::string body(static_cast<size_t>(i) * 4801, static_cast<char>('a' + i % 26));
    HttpHeaders headers;
    headers.Add("X-Echo", std::to_string(i));
    client.Fetch("POST", "https://" + server->endpoint() + "/call/" + std::to_string(i) + "?q=1",
                 headers, std::move(body), options, [&answers, i](StatusOr<HttpResponse> response) {
                   answers[i].set_value(std::move(response));
                 });
  }
  std::set<std::string> peers;
  for (int i = 0; i < kCalls; ++i) {
    StatusOr<HttpResponse> response = answers[i].get_future().get();
    REQUIRE(response.ok());
    CHECK(response->status == 200);
    CHECK(response->body == std::string(static_cast<size_t>(i) * 4801, 'a' + i % 26));
    CHECK(response->headers.Get("X-Method") == "POST");
    CHECK(response->headers.Get("X-Target") == "/call/" + std::to_string(i) + "?q=1");
    CHECK(response->headers.Get("X-Echo") == std::to_string(i));
    peers.insert(response->headers.Get("X-Peer").value_or(""));
  }
  // One connection per thread of the loop carried them all (calls made off the loop's threads
  // take its threads in turn).
  CHECK(peers.size() == 2);

  // A large body both ways.
  const std::string large(3 << 20, 'L');
  StatusOr<HttpResponse> big =
      FetchAndWait(client, "PUT", "https://" + server->endpoint() + "/big", large, options);
  INFO(big.status().ToString());
  REQUIRE(big.ok());
  CHECK(big->body == large);
  client.Shutdown();
  server->Stop();
  loop.Stop();
}

TEST_CASE("HTTP/2: a server offering it still serves HTTP/1.1 clients", "[net][http2]") {
  Fixture fixture;
  auto server = fixture.Start();
  HttpClientOptions options;
  options.tls = fixture.files.Client();
  StatusOr<HttpResponse> response =
      HttpFetch("POST", "https://" + server->endpoint() + "/one", {}, "plain", options);
  REQUIRE(response.ok());
  CHECK(response->body == "plain");
}

TEST_CASE("HTTP/2: a client asking for it fails clearly where the server does not offer it",
          "[net][http2]") {
  Fixture fixture;
  auto server = fixture.Start(EchoHandler, /*http2=*/false);
  AsyncHttpClient client(1);
  StatusOr<HttpResponse> response =
      FetchAndWait(client, "GET", "https://" + server->endpoint() + "/", "", fixture.Http2Client());
  REQUIRE_FALSE(response.ok());
  CHECK(response.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(response.status().message(), Catch::Contains("does not speak HTTP/2"));
}

TEST_CASE("HTTP/2: limits on bodies hold both ways", "[net][http2]") {
  Fixture fixture;
  auto server = fixture.Start(EchoHandler, true, /*max_body_bytes=*/100 << 10);
  AsyncHttpClient client(1);
  HttpClientOptions options = fixture.Http2Client();
  const std::string url = "https://" + server->endpoint() + "/";

  StatusOr<HttpResponse> refused =
      FetchAndWait(client, "POST", url, std::string(200 << 10, 'x'), options);
  REQUIRE(refused.ok());
  CHECK(refused->status == 413);
  CHECK_THAT(refused->body, Catch::Contains("exceeds the limit of 102400 bytes"));

  // The connection serves on after the refusal; an answer above the client's limit fails.
  options.max_response_bytes = 50 << 10;
  StatusOr<HttpResponse> small = FetchAndWait(client, "POST", url, "fine", options);
  REQUIRE(small.ok());
  CHECK(small->body == "fine");
  StatusOr<HttpResponse> too_large =
      FetchAndWait(client, "POST", url, std::string(60 << 10, 'y'), options);
  REQUIRE_FALSE(too_large.ok());
  CHECK(too_large.status().code() == StatusCode::kResourceExhausted);
}

TEST_CASE("HTTP/2: a call unanswered by its deadline fails alone; Stop answers the rest",
          "[net][http2]") {
  Fixture fixture;
  std::mutex mu;
  std::condition_variable arrived;
  std::vector<HttpResponder> kept;  // Never answered by the handler.
  auto server = fixture.Start([&](HttpRequest request, HttpResponder respond) {
    if (request.target == "/never") {
      std::lock_guard lock(mu);
      kept.push_back(std::move(respond));
      arrived.notify_all();
      return;
    }
    EchoHandler(std::move(request), std::move(respond));
  });
  AsyncHttpClient client(1);
  HttpClientOptions options = fixture.Http2Client();
  const std::string base = "https://" + server->endpoint();

  options.timeout = std::chrono::milliseconds(300);
  StatusOr<HttpResponse> late = FetchAndWait(client, "GET", base + "/never", "", options);
  REQUIRE_FALSE(late.ok());
  CHECK(late.status().code() == StatusCode::kDeadlineExceeded);
  options.timeout = std::chrono::seconds(10);
  StatusOr<HttpResponse> next = FetchAndWait(client, "POST", base + "/next", "still", options);
  REQUIRE(next.ok());
  CHECK(next->body == "still");

  std::promise<StatusOr<HttpResponse>> pending;
  client.Fetch(
      "GET", base + "/never", {}, "", options,
      [&pending](StatusOr<HttpResponse> response) { pending.set_value(std::move(response)); });
  {
    std::unique_lock lock(mu);
    arrived.wait(lock, [&] { return kept.size() == 2; });
  }
  server->Stop();
  StatusOr<HttpResponse> stopped = pending.get_future().get();
  INFO(stopped.status().ToString());
  REQUIRE(stopped.ok());
  CHECK(stopped->status == 503);
  CHECK_THAT(stopped->body, Catch::Contains("the server is stopping"));
  for (HttpResponder& respond : kept) respond(MakeResponse(200, "text/plain", "too late"));
}

}  // namespace
}  // namespace truc::net
