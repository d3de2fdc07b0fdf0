#include "core/net/http_syntax.h"

#include <catch2/catch.hpp>

namespace truc::net {
namespace {

TEST_CASE("HTTP tokens are RFC 9110's: no separators, spaces or controls", "[net]") {
  CHECK(IsHttpToken("GET"));
  CHECK(IsHttpToken("X-Road-UserId"));
  CHECK(IsHttpToken("a!#$%&'*+-.^_`|~9"));
  CHECK_FALSE(IsHttpToken(""));
  CHECK_FALSE(IsHttpToken("X Road"));
  CHECK_FALSE(IsHttpToken("X-Road:"));
  CHECK_FALSE(IsHttpToken("X-Road\r\nX-Injected"));
  CHECK_FALSE(IsHttpToken("Tên"));
}

TEST_CASE("HTTP field values refuse CR, LF, NUL and other controls", "[net]") {
  CHECK(IsHttpFieldValue(""));
  CHECK(IsHttpFieldValue("VN079123456789"));
  CHECK(IsHttpFieldValue("Nguyễn Văn\tA"));
  CHECK(IsHttpFieldValue("Nguy\xean"));  // obs-text is HTTP; whether it is UTF-8 is not HTTP's.
  CHECK_FALSE(IsHttpFieldValue("u1\r\nX-Injected: yes"));
  CHECK_FALSE(IsHttpFieldValue("u1\nX"));
  CHECK_FALSE(IsHttpFieldValue("u1\rX"));
  CHECK_FALSE(IsHttpFieldValue(std::string_view("u1\0", 3)));
  CHECK_FALSE(IsHttpFieldValue("bell\x07"));
  CHECK_FALSE(IsHttpFieldValue("del\x7f"));
  CHECK_FALSE(IsHttpFieldValue(" leading"));
  CHECK_FALSE(IsHttpFieldValue("trailing\t"));
}

TEST_CASE("Origin-form targets start with / and hold no space or control", "[net]") {
  CHECK(IsOriginFormTarget("/"));
  CHECK(IsOriginFormTarget("/api/citizens/079123456789?fields=name%2Cbirth"));
  CHECK(IsOriginFormTarget("/đường"));
  CHECK_FALSE(IsOriginFormTarget(""));
  CHECK_FALSE(IsOriginFormTarget("?a=1"));
  CHECK_FALSE(IsOriginFormTarget("http://elsewhere/"));
  CHECK_FALSE(IsOriginFormTarget("/a b"));
  CHECK_FALSE(IsOriginFormTarget("/only/x HTTP/1.1\r\nHost: x\r\n\r\nGET /smuggled"));
  CHECK_FALSE(IsOriginFormTarget("/a\tb"));
}

}  // namespace
}  // namespace truc::net
