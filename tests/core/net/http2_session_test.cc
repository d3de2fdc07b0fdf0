// core/net's HTTP/2 session in memory: a client's session and a server's, their bytes handed
// from one to the other, no sockets.
#include "core/net/http2_session.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>

#include <catch2/catch.hpp>
#include <nghttp2/nghttp2.h>

namespace truc::net::internal {
namespace {

// Hands each side's output to the other until neither has more to say; returns the largest
// number of body bytes the server held for streams still arriving.
size_t Pump(Http2Session& client, Http2Session& server) {
  size_t most_buffered = 0;
  while (true) {
    std::string to_server;
    std::string to_client;
    client.Output(to_server);
    if (!to_server.empty()) REQUIRE(server.Receive(to_server).ok());
    most_buffered = std::max(most_buffered, server.buffered());
    server.Output(to_client);
    if (!to_client.empty()) REQUIRE(client.Receive(to_client).ok());
    if (to_server.empty() && to_client.empty()) return most_buffered;
  }
}

TEST_CASE("HTTP/2 session: the bodies still arriving on a connection are bounded together",
          "[net][http2]") {
  // Each body is within the limit per message; eight at once are not within the connection's.
  constexpr size_t kBody = 300 << 10;
  Http2Session* server_session = nullptr;
  std::map<int32_t, size_t> delivered;  // Body sizes the server's handler got, by stream.
  std::unique_ptr<Http2Session> server = Http2Session::Server(
      {.max_body_bytes = 400 << 10, .max_buffered_bytes = 1 << 20},
      {.message =
           [&](int32_t id, Http2Message message) {
             delivered[id] = message.body.size();
             CHECK(message.body == std::string(kBody, 'b'));
             server_session->Respond(id, MakeResponse(200, "text/plain", "ok"));
           },
       .closed = nullptr});
  server_session = server.get();
  std::map<int32_t, int> answered;    // Status, by stream.
  std::map<int32_t, uint32_t> reset;  // Error code, by stream.
  std::unique_ptr<Http2Session> client = Http2Session::Client(
      {}, {.message = [&](int32_t id, Http2Message message) { answered[id] = message.status; },
           .closed =
               [&](int32_t id, uint32_t code) {
                 if (code != 0) reset[id] = code;
               }});
  for (int i = 0; i < 8; ++i) {
    REQUIRE(client->Request("POST", "gateway", "/x", {}, std::string(kBody, 'b')).ok());
  }
  const size_t most_buffered = Pump(*client, *server);

  CHECK(most_buffered <= size_t{1} << 20);
  CHECK(server->buffered() == 0);
  CHECK_FALSE(reset.empty());                  // Some were refused,
  CHECK(answered.size() >= 2);                 // others served whole,
  CHECK(answered.size() + reset.size() == 8);  // and each got one or the other.
  for (const auto& [id, code] : reset) CHECK(code == NGHTTP2_REFUSED_STREAM);
  for (const auto& [id, status] : answered) {
    CHECK(status == 200);
    CHECK(delivered.at(id) == kBody);
  }
}

TEST_CASE("HTTP/2 session: a body over the limit arrives marked too large, the next is served",
          "[net][http2]") {
  Http2Session* server_session = nullptr;
  std::unique_ptr<Http2Session> server = Http2Session::Server(
      {.max_body_bytes = 1000},
      {.message =
           [&](int32_t id, Http2Message message) {
             server_session->Respond(
                 id, MakeResponse(message.too_large ? 413 : 200, "text/plain", message.body));
           },
       .closed = nullptr});
  server_session = server.get();
  std::map<int32_t, Http2Message> answers;
  std::unique_ptr<Http2Session> client = Http2Session::Client(
      {}, {.message = [&](int32_t id, Http2Message message) { answers[id] = std::move(message); },
           .closed = nullptr});
  const int32_t large = client->Request("PUT", "gateway", "/a", {}, std::string(1001, 'x')).value();
  HttpHeaders headers;
  headers.Add("X-Case", "Kept");
  headers.Add("Connection", "close");  // Not a field of HTTP/2: dropped, not sent.
  const int32_t small = client->Request("POST", "gateway", "/b", headers, "fine").value();
  Pump(*client, *server);
  REQUIRE(answers.size() == 2);
  CHECK(answers[large].status == 413);
  CHECK(answers[large].body.empty());
  CHECK(answers[small].status == 200);
  CHECK(answers[small].body == "fine");
  CHECK(server->buffered() == 0);
}

}  // namespace
}  // namespace truc::net::internal
