#include "gateway/rest/rest_headers.h"

#include <catch2/catch.hpp>

namespace truc::gateway::rest {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

net::HttpHeaders Headers(const Fields& fields) {
  net::HttpHeaders headers;
  for (const auto& [name, value] : fields) headers.Add(name, value);
  return headers;
}

TEST_CASE("End-to-end fields pass unchanged, in order, repeats included", "[rest]") {
  const Fields fields = {{"Content-Type", "application/json"},
                         {"Accept", "application/json"},
                         {"Authorization", "Bearer abc"},
                         {"X-Custom", "1"},
                         {"x-custom", "2"},
                         {"X-Road-Client", "EE/GOV/1/portal"},
                         {"X-Road-Id", "m-1"},
                         {"X-Road-UserId", "EE38001085718"},
                         {"Location", "/elsewhere"}};
  CHECK(PassThroughHeaders(Headers(fields)) == fields);
}

TEST_CASE("Hop-by-hop and per-hop fields are dropped in any case", "[rest]") {
  const Fields passed = PassThroughHeaders(Headers({{"connection", "close"},
                                                    {"Keep-Alive", "timeout=5"},
                                                    {"TE", "trailers"},
                                                    {"Trailer", "X-Sum"},
                                                    {"Transfer-Encoding", "chunked"},
                                                    {"UPGRADE", "h2c"},
                                                    {"Proxy-Authenticate", "Basic"},
                                                    {"Proxy-Authorization", "Basic eDp5"},
                                                    {"Host", "gw.example"},
                                                    {"User-Agent", "curl/8"},
                                                    {"Server", "backend/1"},
                                                    {"Content-Length", "12"},
                                                    {"Expect", "100-continue"},
                                                    {"Content-Type", "text/plain"}}));
  CHECK(passed == Fields{{"Content-Type", "text/plain"}});
}

TEST_CASE("The gateways' own request hash and id are never passed on", "[rest]") {
  const Fields passed = PassThroughHeaders(Headers(
      {{"X-Road-Request-Hash", "forged"}, {"x-road-request-id", "forged"}, {"X-Road-Id", "m-1"}}));
  CHECK(passed == Fields{{"X-Road-Id", "m-1"}});
}

TEST_CASE("Fields that Connection names are dropped too", "[rest]") {
  const Fields passed = PassThroughHeaders(Headers({{"X-Secret", "1"},
                                                    {"Connection", " x-secret ,, Foo"},
                                                    {"foo", "2"},
                                                    {"Connection", "X-Other"},
                                                    {"X-Other", "3"},
                                                    {"X-Kept", "4"}}));
  CHECK(passed == Fields{{"X-Kept", "4"}});
}

}  // namespace
}  // namespace truc::gateway::rest
