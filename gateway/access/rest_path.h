// The path of a REST service call as the provider's gateway checks it against access rights, and
// the endpoint patterns access rights are granted on.
//
// A caller may try to escape the endpoints it was granted by spelling a path so that the gateway
// and the backend read it differently: "/pets/../admin", "/pets/%2e%2e/admin",
// "/pets/..%2Fadmin", "/pets/..\admin", overlong UTF-8 dots. NormalizeRestPath resolves what it
// can resolve unambiguously (dot segments, in every spelling), rejects what it cannot (encoded
// separators, backslashes, NUL, malformed escapes or UTF-8, climbing above the root), and hands
// out both the decoded segments that access checks match and the path to forward, so that the
// backend receives exactly the path that was checked.
//
// Everything here is stateless and thread-safe.
#pragma once

#include <compare>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"

namespace truc::gateway::access {

// A REST path after NormalizeRestPath.
//
// Segments are what lies between the slashes after the leading one, so "/" is one empty segment,
// "/pets" is {"pets"} and "/pets/" is {"pets", ""}. Empty segments are kept as they are, never
// merged: "/pets//1" is {"pets", "", "1"}, which backends may read differently from "/pets/1",
// so it is not treated as that path (it matches "/pets/**", never "/pets/*").
struct NormalizedPath {
  // The percent-decoded segments, valid UTF-8, none holding "/", "\" or NUL; dot segments
  // resolved.
  std::vector<std::string> segments;
  // The path to send to the backend: the received bytes with dot segments removed, still
  // percent-encoded as received (the r1 protocol forwards paths raw); identical to the input
  // when it had no dot segment. It starts with "/".
  std::string forward;
};

// Normalises `raw`, the path of a request as received: percent-encoded, starting with "/", without
// the query. Each segment is percent-decoded on its own; a segment that decodes to "." or ".."
// (".", "%2E", "%2e", ".%2e", ...) is resolved as RFC 3986's remove_dot_segments does ("/a/./b"
// and "/a/x/../b" are "/a/b"; a final "." or ".." leaves a trailing slash: "/a/b/.." is "/a/").
//
// Rejected with ClientError(kBadRequest), whose message names what is wrong and the offset in
// `raw` where it is:
//   - a path that does not start with "/", or that holds "?", "#", a space or a control byte;
//   - ".." above the root ("/..", "/a/../../b");
//   - an encoded separator (%2F, %5C) or a backslash, which the backend might take as a
//     separator the check did not see;
//   - an encoded NUL (%00);
//   - a "%" not followed by two hex digits;
//   - a segment that is not UTF-8, as received or decoded (overlong forms such as %C0%AE
//     included);
//   - a dot segment with parameters ("..;x", ".;x"), which some backend frameworks strip to a
//     dot segment after the check.
StatusOr<NormalizedPath> NormalizeRestPath(std::string_view raw);

// An HTTP method and a path pattern of a REST service, as access rights are granted on and as
// services declare their endpoints.
//
// `method` is "*" (any method) or an HTTP method token, compared exactly (methods are
// case-sensitive: "GET", not "get").
//
// `path` starts with "/" and is written like a request path (percent-encoded where needed). Its
// segments are:
//   "*"       exactly one non-empty segment ("/pets/*" matches "/pets/1", not "/pets/" nor
//             "/pets/1/photos");
//   "{name}"  the same as "*": an OpenAPI path parameter, so that endpoints copied from an
//             OpenAPI document mean what they say;
//   "**"      any number of segments, zero included, and only as the last segment ("/pets/**"
//             matches "/pets", "/pets/", "/pets/1/photos"; "/**" matches every path);
//   anything else: a literal, percent-decoded and compared with the decoded request segment
//             ("%2A" is a literal "*").
// Patterns are compared as written: "/pets/%41" and "/pets/A" match the same paths but are two
// patterns.
struct EndpointPattern {
  std::string method;
  std::string path;

  // A pattern of `method` and `path` once checked. InvalidArgument, naming what is wrong: a
  // method that is neither "*" nor a token; a path that would not pass NormalizeRestPath, that
  // has dot segments, or that has "**" anywhere but at its end.
  static StatusOr<EndpointPattern> Parse(std::string_view method, std::string_view path);

  // Whether a request with `method` to `path` is one of this pattern's. The pattern must have
  // come from Parse.
  bool Matches(std::string_view request_method, const NormalizedPath& request_path) const;

  // Whether every request `other` matches is also one this pattern matches (a pattern covers
  // itself). Both must have come from Parse.
  bool Covers(const EndpointPattern& other) const;

  // "GET /pets/*".
  std::string ToString() const;

  friend auto operator<=>(const EndpointPattern&, const EndpointPattern&) = default;
};

}  // namespace truc::gateway::access
