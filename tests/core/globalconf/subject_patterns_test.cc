#include "core/globalconf/subject_patterns.h"

#include <catch2/catch.hpp>

namespace truc::globalconf {
namespace {

using Strings = std::vector<std::string>;

SubjectPatterns Parsed(const Strings& patterns) {
  StatusOr<SubjectPatterns> parsed = SubjectPatterns::Parse(patterns);
  REQUIRE(parsed.ok());
  return *std::move(parsed);
}

TEST_CASE("Subject identifiers are found where a service declares them", "[globalconf]") {
  const SubjectPatterns citizens =
      Parsed({"/citizens/{}", "/households/*/members/{}", "?cccd", "?parcel"});
  CHECK(citizens.Extract("/citizens/079123456789") == Strings{"079123456789"});
  // The template is a prefix: what follows is about the same citizen.
  CHECK(citizens.Extract("/citizens/079123456789/address?fields=street") ==
        Strings{"079123456789"});
  CHECK(citizens.Extract("/households/H-17/members/001099000001") == Strings{"001099000001"});
  // Query parameters, each occurrence; percent-decoded; each identifier once.
  CHECK(citizens.Extract("/search?cccd=0791&parcel=L%2F17&cccd=0792&cccd=0791") ==
        Strings{"0791", "0792", "L/17"});
  CHECK(citizens.Extract("/citizens/079%20123") == Strings{"079 123"});
  // Several patterns in one request, in the patterns' order.
  CHECK(citizens.Extract("/citizens/0791?cccd=0792") == Strings{"0791", "0792"});

  // Nothing where the declaration says nothing.
  CHECK(citizens.Extract("/citizens").empty());
  CHECK(citizens.Extract("/citizens/").empty());
  CHECK(citizens.Extract("/other/0791").empty());
  CHECK(citizens.Extract("/households/H-17/members").empty());
  CHECK(citizens.Extract("/search?cccd=&x=1").empty());
  CHECK(citizens.Extract("/search?cccdx=0791").empty());
  CHECK(citizens.Extract("").empty());
  // An escape that does not decode, or bytes that are not UTF-8, are not taken.
  CHECK(citizens.Extract("/citizens/07%G1").empty());
  CHECK(citizens.Extract("/citizens/%FF%FE").empty());
  // Nor an identifier longer than an id number could be.
  CHECK(citizens.Extract("/citizens/" + std::string(SubjectPatterns::kMaxSubjectBytes + 1, '7'))
            .empty());

  std::string many = "/search?";
  for (int i = 0; i < 20; ++i) many += "cccd=" + std::to_string(i) + "&";
  CHECK(citizens.Extract(many).size() == SubjectPatterns::kMaxSubjects);

  CHECK(Parsed({}).empty());
  CHECK(Parsed({}).Extract("/citizens/0791").empty());
}

TEST_CASE("A subject identifier pattern that is not one is refused, saying why", "[globalconf]") {
  for (const char* bad : {"", "citizens/{}", "/", "/citizens", "/citizens/{}/{}", "/citizens//{}",
                          "/citizens/{id}", "/citizens/x{}", "/citizens/{}?x", "?", "?a=b", "?a&b",
                          "/citizens/{} ", "/cit%20izens/{}", "/citizens/{}#x"}) {
    INFO("\"" << bad << "\"");
    const StatusOr<SubjectPatterns> parsed = SubjectPatterns::Parse(Strings{bad});
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
    CHECK(parsed.status().reason() == kBadSubjectPattern);
    CHECK(parsed.status().message().find("subject identifier pattern") != std::string::npos);
  }
  CHECK_FALSE(SubjectPatterns::Parse(Strings(SubjectPatterns::kMaxPatterns + 1, "?a")).ok());
  CHECK_FALSE(SubjectPatterns::Parse(
                  Strings{"/" + std::string(SubjectPatterns::kMaxPatternBytes, 'a') + "/{}"})
                  .ok());
}

}  // namespace
}  // namespace truc::globalconf
