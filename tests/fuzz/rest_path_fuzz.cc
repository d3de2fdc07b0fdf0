// Request paths and endpoint patterns as access rights compare them: normalising never crashes,
// is idempotent, and a normalised path never climbs above the service's root.
#include "gateway/access/rest_path.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  truc::fuzz::Fields fields(data, size);
  const std::string_view method = fields.Next(' ');
  const std::string_view pattern_path = fields.Next('\n');
  const std::string_view raw = fields.Rest();
  truc::StatusOr<truc::gateway::access::NormalizedPath> path =
      truc::gateway::access::NormalizeRestPath(raw);
  if (path.ok()) {
    truc::fuzz::Require(path->forward.starts_with('/'), "a normalised path starts with /");
    truc::fuzz::Require(
        path->forward.find("/../") == std::string::npos && !path->forward.ends_with("/.."),
        "a normalised path has no dot-dot segment");
    truc::StatusOr<truc::gateway::access::NormalizedPath> again =
        truc::gateway::access::NormalizeRestPath(path->forward);
    truc::fuzz::Require(again.ok() && again->forward == path->forward, "normalising is idempotent");
  }
  truc::StatusOr<truc::gateway::access::EndpointPattern> pattern =
      truc::gateway::access::EndpointPattern::Parse(method, pattern_path);
  if (pattern.ok() && path.ok()) {
    (void)pattern->Matches("GET", *path);
    truc::fuzz::Require(pattern->Covers(*pattern), "a pattern covers itself");
  }
  return 0;
}
