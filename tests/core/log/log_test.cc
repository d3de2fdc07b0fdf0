#include "core/log/log.h"

#include <cstdint>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/base/strings.h"
#include "tests/fakes/fake_clock.h"

namespace truc::log {
namespace {

// 2026-11-23T16:40:50.123Z
const TimePoint kTime =
    TimePoint(std::chrono::seconds(1'795'452'050)) + std::chrono::milliseconds(123);

// Sends the process-wide log to a string, with a fake clock, for as long as it lives.
class CapturedLog {
 public:
  explicit CapturedLog(Format format, Level level = Level::kDebug) : clock_(kTime) {
    Configure({.level = level, .format = format, .output = &out_, .clock = &clock_});
  }
  ~CapturedLog() { Configure(LogOptions{}); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::string str() const { return out_.str(); }
  testing::FakeClock& clock() { return clock_; }

 private:
  testing::FakeClock clock_;
  std::ostringstream out_;
};

// Values that would silently become a bool or an integer do not compile.
static_assert(!std::is_constructible_v<Field, std::string_view, const int*>);
static_assert(!std::is_constructible_v<Field, std::string_view, char>);
static_assert(std::is_constructible_v<Field, std::string_view, const char*>);
static_assert(std::is_constructible_v<Field, std::string_view, unsigned short>);

TEST_CASE("Defaults are text at info level on stderr with the system clock", "[log]") {
  const LogOptions options;
  CHECK(options.level == Level::kInfo);
  CHECK(options.format == Format::kText);
  CHECK(options.output == &std::cerr);
  CHECK(options.clock == &SystemClock::Instance());
  CHECK(LevelName(Level::kDebug) == "debug");
  CHECK(LevelName(Level::kInfo) == "info");
  CHECK(LevelName(Level::kWarning) == "warning");
  CHECK(LevelName(Level::kError) == "error");
}

TEST_CASE("Text lines show time, level, component, message and fields", "[log]") {
  CapturedLog captured(Format::kText);
  const Logger log("gateway");
  const std::string address = "127.0.0.1";
  log.Info("listening", {{"address", address}, {"port", 8443}});
  captured.clock().Advance(std::chrono::milliseconds(1'001));
  log.Debug("tick");
  log.Warning("slow peer", {{"peer", std::string_view("VN/GOV/1/gw1")}, {"ms", 1500u}});
  log.Error("giving up", {{"retry", false}});
  CHECK(captured.str() ==
        "2026-11-23T16:40:50.123Z INFO  gateway: listening address=127.0.0.1 port=8443\n"
        "2026-11-23T16:40:51.124Z DEBUG gateway: tick\n"
        "2026-11-23T16:40:51.124Z WARN  gateway: slow peer peer=VN/GOV/1/gw1 ms=1500\n"
        "2026-11-23T16:40:51.124Z ERROR gateway: giving up retry=false\n");
}

TEST_CASE("JSON lines are one object each with the fields in order", "[log]") {
  CapturedLog captured(Format::kJson);
  const Logger log("gateway");
  log.Info("listening", {{"address", "127.0.0.1"}, {"port", 8443}});
  log.Debug("tick");
  log.Warning("slow peer", {{"ms", 1500}});
  log.Error("giving up", {{"retry", false}});
  CHECK(captured.str() ==
        R"({"time":"2026-11-23T16:40:50.123Z","level":"info","component":"gateway",)"
        R"("msg":"listening","address":"127.0.0.1","port":8443})"
        "\n"
        R"({"time":"2026-11-23T16:40:50.123Z","level":"debug","component":"gateway",)"
        R"("msg":"tick"})"
        "\n"
        R"({"time":"2026-11-23T16:40:50.123Z","level":"warning","component":"gateway",)"
        R"("msg":"slow peer","ms":1500})"
        "\n"
        R"({"time":"2026-11-23T16:40:50.123Z","level":"error","component":"gateway",)"
        R"("msg":"giving up","retry":false})"
        "\n");
}

TEST_CASE("Numbers and booleans are written as such in both formats", "[log]") {
  const auto log_numbers = [] {
    Logger("stats").Info("numbers", {{"neg", -1},
                                     {"big", std::numeric_limits<uint64_t>::max()},
                                     {"min", std::numeric_limits<int64_t>::min()},
                                     {"ratio", 0.5},
                                     {"whole", 2.0},
                                     {"nan", std::numeric_limits<double>::quiet_NaN()},
                                     {"ok", true}});
  };
  SECTION("text") {
    CapturedLog captured(Format::kText);
    log_numbers();
    CHECK(captured.str() ==
          "2026-11-23T16:40:50.123Z INFO  stats: numbers neg=-1 big=18446744073709551615 "
          "min=-9223372036854775808 ratio=0.5 whole=2 nan=nan ok=true\n");
  }
  SECTION("json") {
    CapturedLog captured(Format::kJson);
    log_numbers();
    CHECK(captured.str() ==
          R"({"time":"2026-11-23T16:40:50.123Z","level":"info","component":"stats",)"
          R"("msg":"numbers","neg":-1,"big":18446744073709551615,"min":-9223372036854775808,)"
          R"("ratio":0.5,"whole":2.0,"nan":null,"ok":true})"
          "\n");
  }
}

TEST_CASE("Hostile text values are quoted and escaped and stay on one line", "[log]") {
  CapturedLog captured(Format::kText);
  Logger("gateway").Warning("bad\nrequest \"x\" \\ done", {{"user", "Nguyễn Văn A"},
                                                           {"city", "Huế"},
                                                           {"quote", "say \"hi\""},
                                                           {"newline", "a\nb\r"},
                                                           {"empty", ""},
                                                           {"equals", "a=b"},
                                                           {"ansi", "\x1b[31mred"},
                                                           {"c1", "\xc2\x9b"},
                                                           {"invalid", "\xff"},
                                                           {"tab", "a\tb"},
                                                           {"path", "C:\\dir"},
                                                           {"odd key", "v"}});
  CHECK(captured.str() ==
        R"(2026-11-23T16:40:50.123Z WARN  gateway: bad\nrequest "x" \\ done)"
        R"( user="Nguyễn Văn A" city=Huế quote="say \"hi\"" newline="a\nb\r" empty="")"
        R"( equals="a=b" ansi="\u001b[31mred" c1="\u009b" invalid="\xff" tab="a\tb")"
        R"( path="C:\\dir" "odd key"=v)"
        "\n");
}

TEST_CASE("Hostile JSON values are escaped and non-ASCII stays UTF-8", "[log]") {
  CapturedLog captured(Format::kJson);
  Logger("gate\"way")
      .Error("a \"quoted\"\nmessage", {{"user", "Nguyễn Văn A"},
                                       {"control", "\x07\t\x1f"},
                                       {"path", "C:\\dir"},
                                       {"invalid", "ok\xff"},
                                       {"msg", "shadows the message"},
                                       {"level", 3}});
  CHECK(captured.str() ==
        R"({"time":"2026-11-23T16:40:50.123Z","level":"error","component":"gate\"way",)"
        R"("msg":"a \"quoted\"\nmessage","user":"Nguyễn Văn A","control":"\u0007\t\u001f",)"
        R"("path":"C:\\dir","invalid":"ok)"
        "\xef\xbf\xbd"  // U+FFFD REPLACEMENT CHARACTER
        R"(","_msg":"shadows the message","_level":3})"
        "\n");
}

TEST_CASE("Events below the configured level are dropped", "[log]") {
  CapturedLog captured(Format::kText, Level::kWarning);
  const Logger log("registry");
  CHECK_FALSE(Logger::Enabled(Level::kDebug));
  CHECK_FALSE(Logger::Enabled(Level::kInfo));
  CHECK(Logger::Enabled(Level::kWarning));
  CHECK(Logger::Enabled(Level::kError));
  log.Debug("hidden");
  log.Info("hidden");
  log.Warning("shown");
  log.Error("shown");
  CHECK(captured.str() ==
        "2026-11-23T16:40:50.123Z WARN  registry: shown\n"
        "2026-11-23T16:40:50.123Z ERROR registry: shown\n");
}

TEST_CASE("Configure redirects later lines", "[log]") {
  CapturedLog first(Format::kText);
  const Logger log("cli");
  log.Info("one");
  {
    CapturedLog second(Format::kJson, Level::kError);
    log.Info("dropped");
    log.Error("two");
    CHECK(second.str() ==
          R"({"time":"2026-11-23T16:40:50.123Z","level":"error","component":"cli","msg":"two"})"
          "\n");
  }
  CHECK(first.str() == "2026-11-23T16:40:50.123Z INFO  cli: one\n");
}

TEST_CASE("Lines logged from several threads never interleave", "[log]") {
  constexpr int kThreads = 8;
  constexpr int kLinesPerThread = 200;
  const std::string payload(512, 'x');
  std::set<std::string> expected;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kLinesPerThread; ++i) {
      expected.insert(
          fmt::format("2026-11-23T16:40:50.123Z INFO  worker: working thread={} line={} payload={}",
                      t, i, payload));
    }
  }

  CapturedLog captured(Format::kText);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([t, &payload] {
        const Logger log("worker");
        for (int i = 0; i < kLinesPerThread; ++i) {
          log.Info("working", {{"thread", t}, {"line", i}, {"payload", payload}});
        }
      });
    }
  }

  const std::string output = captured.str();
  REQUIRE(!output.empty());
  CHECK(output.back() == '\n');
  std::vector<std::string_view> lines = SplitString(output, '\n');
  lines.pop_back();  // After the last newline.
  CHECK(lines.size() == expected.size());
  const std::set<std::string> seen(lines.begin(), lines.end());
  CHECK(seen == expected);
}

}  // namespace
}  // namespace truc::log
