#include "core/config/duration.h"

#include <catch2/catch.hpp>

namespace truc::config {
namespace {

using std::chrono::milliseconds;

TEST_CASE("Durations take a whole number and one unit", "[config]") {
  CHECK(ParseDuration("250ms").value() == milliseconds(250));
  CHECK(ParseDuration("30s").value() == milliseconds(30'000));
  CHECK(ParseDuration("5m").value() == milliseconds(300'000));
  CHECK(ParseDuration("2h").value() == milliseconds(7'200'000));
  CHECK(ParseDuration("1d").value() == milliseconds(86'400'000));
  CHECK(ParseDuration("0s").value() == milliseconds(0));
  CHECK(ParseDuration("007s").value() == milliseconds(7'000));
}

TEST_CASE("Anything else is not a duration", "[config]") {
  const std::string expected =
      R"(expected a duration such as "250ms", "30s", "5m", "2h" or "1d", got )";
  CHECK(ParseDuration("30").status().message() == expected + R"("30")");
  CHECK(ParseDuration("").status().message() == expected + R"("")");
  CHECK(ParseDuration("s").status().message() == expected + R"("s")");
  CHECK(ParseDuration("-5s").status().message() == expected + R"("-5s")");
  CHECK(ParseDuration("+5s").status().message() == expected + R"("+5s")");
  CHECK(ParseDuration("1.5s").status().message() == expected + R"("1.5s")");
  CHECK(ParseDuration("30 s").status().message() == expected + R"("30 s")");
  CHECK(ParseDuration(" 30s").status().message() == expected + R"(" 30s")");
  CHECK(ParseDuration("30S").status().message() == expected + R"("30S")");
  CHECK(ParseDuration("1w").status().message() == expected + R"("1w")");
  CHECK(ParseDuration("1h30m").status().message() == expected + R"("1h30m")");
  CHECK(ParseDuration("5s\n").status().message() == expected + R"("5s\n")");
  CHECK(ParseDuration("x").status().reason() == "config.invalid");
  CHECK(ParseDuration("x").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("Durations that overflow milliseconds are rejected", "[config]") {
  // 2^63 - 1 ms is the largest representable duration.
  CHECK(ParseDuration("9223372036854775807ms").value() == milliseconds::max());
  CHECK(ParseDuration("9223372036854775808ms").status().message() ==
        R"(duration "9223372036854775808ms" is too large)");
  CHECK(ParseDuration("106751991168d").status().message() ==
        R"(duration "106751991168d" is too large)");
  CHECK(ParseDuration("106751991167d").value() == milliseconds(106751991167LL * 86'400'000));
  CHECK(ParseDuration("99999999999999999999999999s").status().message() ==
        R"(duration "99999999999999999999999999s" is too large)");
}

TEST_CASE("FormatDuration picks the largest exact unit", "[config]") {
  CHECK(FormatDuration(milliseconds(0)) == "0s");
  CHECK(FormatDuration(milliseconds(250)) == "250ms");
  CHECK(FormatDuration(milliseconds(1'500)) == "1500ms");
  CHECK(FormatDuration(milliseconds(90'000)) == "90s");
  CHECK(FormatDuration(milliseconds(300'000)) == "5m");
  CHECK(FormatDuration(milliseconds(7'200'000)) == "2h");
  CHECK(FormatDuration(milliseconds(172'800'000)) == "2d");
  CHECK(FormatDuration(milliseconds(-5'000)) == "-5s");
  for (const milliseconds d : {milliseconds(1), milliseconds(61'000), milliseconds::max()}) {
    CHECK(ParseDuration(FormatDuration(d)).value() == d);
  }
}

}  // namespace
}  // namespace truc::config
