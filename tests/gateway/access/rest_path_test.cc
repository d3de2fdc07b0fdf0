#include "gateway/access/rest_path.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace truc::gateway::access {
namespace {

using Segments = std::vector<std::string>;

NormalizedPath Normalized(std::string_view raw) {
  StatusOr<NormalizedPath> path = NormalizeRestPath(raw);
  INFO(raw << ": " << path.status().ToString());
  REQUIRE(path.ok());
  return *std::move(path);
}

// The message NormalizeRestPath refuses `raw` with, after checking that it is a Client.BadRequest.
std::string Refusal(std::string_view raw) {
  StatusOr<NormalizedPath> path = NormalizeRestPath(raw);
  INFO(raw);
  REQUIRE_FALSE(path.ok());
  CHECK(path.status().reason() == "Client.BadRequest");
  CHECK(path.status().code() == StatusCode::kInvalidArgument);
  return path.status().message();
}

EndpointPattern Pattern(std::string_view method, std::string_view path) {
  StatusOr<EndpointPattern> pattern = EndpointPattern::Parse(method, path);
  INFO(method << " " << path << ": " << pattern.status().ToString());
  REQUIRE(pattern.ok());
  return *std::move(pattern);
}

bool Matches(const EndpointPattern& pattern, std::string_view method, std::string_view raw_path) {
  return pattern.Matches(method, Normalized(raw_path));
}

TEST_CASE("A path without dot segments is forwarded exactly as received", "[gateway][access]") {
  struct Case {
    std::string raw;
    Segments segments;
  };
  for (const Case& c : std::vector<Case>{
           {"/", {""}},
           {"/pets", {"pets"}},
           {"/pets/", {"pets", ""}},
           {"/pets//1", {"pets", "", "1"}},
           {"/pets/%31%20x", {"pets", "1 x"}},
           {"/caf%C3%A9/ph%e1%bb%9f", {"café", "phở"}},
           {"/phở", {"phở"}},
           {"/pets/...", {"pets", "..."}},
           {"/pets/..a/.b", {"pets", "..a", ".b"}},
           {"/pets/a;b=c/%3B", {"pets", "a;b=c", ";"}},
           {"/files/*/{id}", {"files", "*", "{id}"}},
       }) {
    const NormalizedPath path = Normalized(c.raw);
    INFO(c.raw);
    CHECK(path.segments == c.segments);
    CHECK(path.forward == c.raw);
  }
}

TEST_CASE("Dot segments are resolved in every spelling", "[gateway][access]") {
  struct Case {
    std::string raw;
    Segments segments;
    std::string forward;
  };
  for (const Case& c : std::vector<Case>{
           {"/a/../b", {"b"}, "/b"},
           {"/a/%2e%2e/b", {"b"}, "/b"},
           {"/a/%2E%2E/b", {"b"}, "/b"},
           {"/a/.%2e/b", {"b"}, "/b"},
           {"/a/%2E./b", {"b"}, "/b"},
           {"/pets/./1", {"pets", "1"}, "/pets/1"},
           {"/pets/%2E/1", {"pets", "1"}, "/pets/1"},
           {"/pets/%2e/%31", {"pets", "1"}, "/pets/%31"},
           {"/a/b/..", {"a", ""}, "/a/"},
           {"/a/.", {"a", ""}, "/a/"},
           {"/a/..", {""}, "/"},
           {"/.", {""}, "/"},
           {"/a//..", {"a", ""}, "/a/"},
           {"/a/b/../../c/./d", {"c", "d"}, "/c/d"},
           {"/pets/1/../../admin", {"admin"}, "/admin"},
       }) {
    const NormalizedPath path = Normalized(c.raw);
    INFO(c.raw);
    CHECK(path.segments == c.segments);
    CHECK(path.forward == c.forward);
  }
}

TEST_CASE("Paths that could escape a grant are refused, saying what and where",
          "[gateway][access]") {
  struct Case {
    std::string raw;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"/../x", "bad request path: '..' at offset 1 climbs above the root"},
           {"/a/../../b", "bad request path: '..' at offset 6 climbs above the root"},
           {"/pets/%2E%2E/%2E%2E/x", "bad request path: '..' at offset 13 climbs above the root"},
           {"/pets/..%2f..%2fadmin", "bad request path: an encoded separator (%2f) at offset 8"},
           {"/pets/%2Fadmin", "bad request path: an encoded separator (%2F) at offset 6"},
           {"/pets/%5c..", "bad request path: an encoded separator (%5c) at offset 6"},
           {"/pets/%5C..", "bad request path: an encoded separator (%5C) at offset 6"},
           {"/pets/\\..", "bad request path: a backslash at offset 6"},
           {"/pets\\..\\admin", "bad request path: a backslash at offset 5"},
           {"/pets/%00", "bad request path: an encoded NUL at offset 6"},
           {"/pets/%zz",
            "bad request path: invalid percent-encoding (a '%' not followed by two "
            "hex digits) at offset 6"},
           {"/pets/%2",
            "bad request path: invalid percent-encoding (a '%' not followed by two "
            "hex digits) at offset 6"},
           {"/pets/1%",
            "bad request path: invalid percent-encoding (a '%' not followed by two "
            "hex digits) at offset 7"},
           {"/pets/%C0%AE%C0%AE/admin", "bad request path: the segment at offset 6 is not UTF-8"},
           {"/pets/%C0%AFadmin", "bad request path: the segment at offset 6 is not UTF-8"},
           {"/pets/%FF", "bad request path: the segment at offset 6 is not UTF-8"},
           {"/pets/\xC0\xAE", "bad request path: the segment at offset 6 is not UTF-8"},
           {"/pets/\xC3%A9", "bad request path: the segment at offset 6 is not UTF-8"},
           {"/pets/..;/admin", "bad request path: a dot segment with parameters at offset 6"},
           {"/pets/%2e%2e;x/admin", "bad request path: a dot segment with parameters at offset 6"},
           {"/pets/.;x", "bad request path: a dot segment with parameters at offset 6"},
           {"pets", "bad request path: the path does not start with '/'"},
           {"", "bad request path: the path does not start with '/'"},
           {"/pets?x=1",
            "bad request path: a '?' at offset 5 (a query or fragment is not part "
            "of the path)"},
           {"/pets#top",
            "bad request path: a '#' at offset 5 (a query or fragment is not part "
            "of the path)"},
           {"/pets/a b", "bad request path: a space or control character (0x20) at offset 7"},
           {std::string("/pets/\0", 7),
            "bad request path: a space or control character (0x00) at offset 6"},
           {"/pets/\x7f", "bad request path: a space or control character (0x7f) at offset 6"},
       }) {
    CHECK(Refusal(c.raw) == c.message);
  }
}

TEST_CASE("Endpoint patterns are checked when parsed", "[gateway][access]") {
  CHECK(Pattern("GET", "/pets/*").ToString() == "GET /pets/*");
  CHECK(Pattern("*", "/**").ToString() == "* /**");
  CHECK(Pattern("PATCH", "/pets/{id}/photos").path == "/pets/{id}/photos");
  CHECK(Pattern("GET", "/").path == "/");

  struct Case {
    std::string method;
    std::string path;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"", "/pets", "endpoint method '' is neither '*' nor an HTTP method"},
           {"GE T", "/pets", "endpoint method 'GE T' is neither '*' nor an HTTP method"},
           {"GET/", "/pets", "endpoint method 'GET/' is neither '*' nor an HTTP method"},
           {"GET", "pets", "endpoint path 'pets': the path does not start with '/'"},
           {"GET", "", "endpoint path '': the path does not start with '/'"},
           {"GET", "/pets/**/photos",
            "endpoint path '/pets/**/photos': '**' at offset 6 is not the last segment"},
           {"GET", "/**/**", "endpoint path '/**/**': '**' at offset 1 is not the last segment"},
           {"GET", "/pets/../admin", "endpoint path '/pets/../admin': a dot segment at offset 6"},
           {"GET", "/pets/.", "endpoint path '/pets/.': a dot segment at offset 6"},
           {"GET", "/pets/%2Fx",
            "endpoint path '/pets/%2Fx': an encoded separator (%2F) at offset 6"},
           {"GET", "/pets/%zz",
            "endpoint path '/pets/%zz': invalid percent-encoding (a '%' not followed by two hex "
            "digits) at offset 6"},
       }) {
    const StatusOr<EndpointPattern> pattern = EndpointPattern::Parse(c.method, c.path);
    INFO(c.method << " " << c.path);
    REQUIRE_FALSE(pattern.ok());
    CHECK(pattern.status().code() == StatusCode::kInvalidArgument);
    CHECK(pattern.status().message() == c.message);
  }
}

TEST_CASE("Endpoint patterns match normalised paths", "[gateway][access]") {
  SECTION("'*' is exactly one non-empty segment") {
    const EndpointPattern pets = Pattern("GET", "/pets/*");
    CHECK(Matches(pets, "GET", "/pets/1"));
    CHECK(Matches(pets, "GET", "/pets/%31"));
    CHECK(Matches(pets, "GET", "/pets/a%20b"));
    CHECK(Matches(pets, "GET", "/pets/2/../1"));
    CHECK_FALSE(Matches(pets, "GET", "/pets"));
    CHECK_FALSE(Matches(pets, "GET", "/pets/"));
    CHECK_FALSE(Matches(pets, "GET", "/pets/1/photos"));
    CHECK_FALSE(Matches(pets, "GET", "/pets//1"));
    CHECK_FALSE(Matches(pets, "GET", "/pets/1/"));
    CHECK_FALSE(Matches(pets, "GET", "/petsx/1"));
    CHECK_FALSE(Matches(pets, "GET", "/pets/1/.."));
  }
  SECTION("an OpenAPI path parameter is one segment too") {
    const EndpointPattern photos = Pattern("GET", "/pets/{petId}/photos");
    CHECK(Matches(photos, "GET", "/pets/7/photos"));
    CHECK_FALSE(Matches(photos, "GET", "/pets//photos"));
    CHECK_FALSE(Matches(photos, "GET", "/pets/7/8/photos"));
  }
  SECTION("'**' is any depth, zero included") {
    const EndpointPattern pets = Pattern("GET", "/pets/**");
    CHECK(Matches(pets, "GET", "/pets"));
    CHECK(Matches(pets, "GET", "/pets/"));
    CHECK(Matches(pets, "GET", "/pets/1"));
    CHECK(Matches(pets, "GET", "/pets/1/photos/2"));
    CHECK(Matches(pets, "GET", "/pets//x"));
    CHECK_FALSE(Matches(pets, "GET", "/petsx"));
    CHECK_FALSE(Matches(pets, "GET", "/"));
    CHECK_FALSE(Matches(pets, "GET", "/other/pets"));

    const EndpointPattern everything = Pattern("GET", "/**");
    CHECK(Matches(everything, "GET", "/"));
    CHECK(Matches(everything, "GET", "/a/b/c"));
  }
  SECTION("literal segments are compared decoded") {
    const EndpointPattern file = Pattern("GET", "/files/a%20b");
    CHECK(Matches(file, "GET", "/files/a%20b"));
    CHECK(Matches(file, "GET", "/files/%61%20%62"));
    CHECK_FALSE(Matches(file, "GET", "/files/a+b"));

    const EndpointPattern star = Pattern("GET", "/files/%2A");
    CHECK(Matches(star, "GET", "/files/*"));
    CHECK(Matches(star, "GET", "/files/%2a"));
    CHECK_FALSE(Matches(star, "GET", "/files/x"));

    const EndpointPattern root = Pattern("GET", "/");
    CHECK(Matches(root, "GET", "/"));
    CHECK_FALSE(Matches(root, "GET", "/pets"));

    const EndpointPattern pets = Pattern("GET", "/pets");
    CHECK(Matches(pets, "GET", "/pets"));
    CHECK_FALSE(Matches(pets, "GET", "/pets/"));
    CHECK_FALSE(Matches(pets, "GET", "/Pets"));
  }
  SECTION("methods are exact, or '*'") {
    CHECK(Matches(Pattern("*", "/pets"), "DELETE", "/pets"));
    CHECK(Matches(Pattern("GET", "/pets"), "GET", "/pets"));
    CHECK_FALSE(Matches(Pattern("GET", "/pets"), "get", "/pets"));
    CHECK_FALSE(Matches(Pattern("GET", "/pets"), "POST", "/pets"));
  }
  SECTION("dot segments do not leave a granted prefix") {
    const EndpointPattern open = Pattern("GET", "/public/**");
    CHECK(Matches(open, "GET", "/public/a/../b"));
    CHECK_FALSE(Matches(open, "GET", "/public/../admin"));
    CHECK_FALSE(Matches(open, "GET", "/public/%2e%2e/admin"));
    CHECK_FALSE(Matches(open, "GET", "/public/x/%2E%2E/%2E%2E/admin"));
    CHECK_FALSE(NormalizeRestPath("/public/..%2fadmin").ok());
  }
}

TEST_CASE("A pattern covers another when it matches every path the other matches",
          "[gateway][access]") {
  CHECK(Pattern("*", "/**").Covers(Pattern("DELETE", "/pets/**")));
  CHECK(Pattern("GET", "/pets/*").Covers(Pattern("GET", "/pets/{id}")));
  CHECK(Pattern("GET", "/pets/*").Covers(Pattern("GET", "/pets/1")));
  CHECK(Pattern("GET", "/pets/{id}").Covers(Pattern("GET", "/pets/*")));
  CHECK(Pattern("GET", "/pets/%31").Covers(Pattern("GET", "/pets/1")));
  CHECK(Pattern("GET", "/pets/**").Covers(Pattern("GET", "/pets")));
  CHECK(Pattern("GET", "/pets/**").Covers(Pattern("GET", "/pets/*/photos")));
  CHECK(Pattern("GET", "/pets/**").Covers(Pattern("GET", "/pets/**")));
  CHECK_FALSE(Pattern("GET", "/pets/*").Covers(Pattern("POST", "/pets/1")));
  CHECK_FALSE(Pattern("GET", "/pets/*").Covers(Pattern("*", "/pets/1")));
  CHECK_FALSE(Pattern("GET", "/pets/*").Covers(Pattern("GET", "/pets/**")));
  CHECK_FALSE(Pattern("GET", "/pets/*").Covers(Pattern("GET", "/pets")));
  CHECK_FALSE(Pattern("GET", "/pets/*").Covers(Pattern("GET", "/pets/")));
  CHECK_FALSE(Pattern("GET", "/pets/1").Covers(Pattern("GET", "/pets/*")));
  CHECK_FALSE(Pattern("GET", "/pets/**").Covers(Pattern("GET", "/**")));
  CHECK_FALSE(Pattern("GET", "/pets/*/photos").Covers(Pattern("GET", "/pets/**")));
}

TEST_CASE("Covers agrees with Matches", "[gateway][access]") {
  const std::vector<EndpointPattern> patterns = {
      Pattern("GET", "/"),          Pattern("GET", "/pets"),      Pattern("GET", "/pets/"),
      Pattern("GET", "/pets/*"),    Pattern("GET", "/pets/{id}"), Pattern("GET", "/pets/1"),
      Pattern("GET", "/pets/%31"),  Pattern("GET", "/pets/**"),   Pattern("GET", "/**"),
      Pattern("*", "/pets/*"),      Pattern("POST", "/pets/*"),   Pattern("GET", "/pets/*/x"),
      Pattern("GET", "/pets/*/**"), Pattern("GET", "/pets//**"),  Pattern("*", "/**"),
  };
  const std::vector<std::string> paths = {"/",       "/pets",    "/pets/",    "/pets/1",
                                          "/pets/2", "/pets//1", "/pets/1/x", "/pets/1/y/z",
                                          "/other",  "/pets//"};
  for (const EndpointPattern& wide : patterns) {
    for (const EndpointPattern& narrow : patterns) {
      if (!wide.Covers(narrow)) continue;
      for (const std::string& path : paths) {
        for (const std::string_view method : {"GET", "POST"}) {
          INFO(wide.ToString() << " covers " << narrow.ToString() << "; " << method << " " << path);
          CHECK((!narrow.Matches(method, Normalized(path)) ||
                 wide.Matches(method, Normalized(path))));
        }
      }
    }
  }
}

}  // namespace
}  // namespace truc::gateway::access
