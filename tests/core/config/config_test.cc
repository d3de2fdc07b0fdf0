#include "core/config/config.h"

#include <filesystem>
#include <fstream>
#include <system_error>

#include <catch2/catch.hpp>
#include <stdlib.h>

namespace truc::config {
namespace {

using std::chrono::milliseconds;

ConfigDocument Parse(std::string_view text) {
  StatusOr<ConfigDocument> doc = ConfigDocument::FromString(text, "gateway.toml");
  REQUIRE(doc.ok());
  return std::move(doc).value();
}

enum class Format { kText, kJson };

TEST_CASE("Typed getters read every kind of value", "[config]") {
  ConfigDocument doc = Parse(R"(name = "gw1"
enabled = true
ratio = 0.25
weight = 3
timeout = "250ms"
format = "json"
peers = ["a.example", "b.example"]
empty = []

[listen]
address = "127.0.0.1"
port = 8443

[[routes]]
path = "/a"

[[routes]]
path = "/b"
)");
  ConfigTable root = doc.root();
  CHECK(root.path().empty());
  CHECK(root.GetString("name").value() == "gw1");
  CHECK(root.GetBool("enabled").value());
  CHECK(root.GetDouble("ratio").value() == 0.25);
  CHECK(root.GetDouble("weight").value() == 3.0);
  CHECK(root.GetDuration("timeout").value() == milliseconds(250));
  CHECK(
      root.GetEnum<Format>("format", {{"text", Format::kText}, {"json", Format::kJson}}).value() ==
      Format::kJson);
  CHECK(root.GetStringArray("peers").value() == std::vector<std::string>{"a.example", "b.example"});
  CHECK(root.GetStringArray("empty").value().empty());

  ConfigTable listen = root.GetTable("listen").value();
  CHECK(listen.path() == "listen");
  CHECK(listen.GetString("address").value() == "127.0.0.1");
  CHECK(listen.GetInt("port", 1, 65535).value() == 8443);

  std::vector<ConfigTable> routes = root.GetTableArray("routes").value();
  REQUIRE(routes.size() == 2);
  CHECK(routes[0].path() == "routes[0]");
  CHECK(routes[0].GetString("path").value() == "/a");
  CHECK(routes[1].GetString("path").value() == "/b");

  CHECK(doc.CheckNoUnknownKeys().ok());
}

TEST_CASE("Optional getters return their default only when the field is absent", "[config]") {
  ConfigDocument doc = Parse("port = 9000\n");
  ConfigTable root = doc.root();
  CHECK(root.GetInt("port", 1, 65535, 8443).value() == 9000);
  CHECK(root.GetInt("backlog", 1, 1000, 128).value() == 128);
  CHECK(root.GetString("name", "gw").value() == "gw");
  CHECK_FALSE(root.GetBool("debug", false).value());
  CHECK(root.GetDouble("ratio", 1.5).value() == 1.5);
  CHECK(root.GetDuration("timeout", std::chrono::seconds(30)).value() == milliseconds(30'000));
  CHECK(root.GetStringArray("peers", {"x"}).value() == std::vector<std::string>{"x"});
  CHECK(root.GetEnum("format", {{"text", Format::kText}, {"json", Format::kJson}}, Format::kText)
            .value() == Format::kText);
  CHECK(root.GetOptionalTableArray("routes").value().empty());
  CHECK_FALSE(root.Has("name"));

  // An absent optional table reads as an empty one with the path it would have had.
  ConfigTable tls = root.GetOptionalTable("tls").value();
  CHECK(tls.path() == "tls");
  CHECK(tls.GetString("cipher", "default").value() == "default");
  CHECK(tls.GetString("key_file").status().message() ==
        "gateway.toml: tls.key_file: required field is missing");
  CHECK(tls.CheckNoUnknownKeys().ok());

  // A default does not excuse a value of the wrong type.
  CHECK(ConfigDocument::FromString("port = \"x\"\n", "a.toml")
            ->root()
            .GetInt("port", 1, 65535, 8443)
            .status()
            .message() == "a.toml:1:8: port: expected an integer between 1 and 65535, got string");
}

TEST_CASE("A missing required field is named by its full path", "[config]") {
  ConfigDocument doc = Parse("[tls]\ncert_file = \"gw.pem\"\n");
  ConfigTable tls = doc.root().GetTable("tls").value();
  const Status status = tls.GetString("key_file").status();
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.reason() == "config.missing");
  CHECK(status.message() == "gateway.toml: tls.key_file: required field is missing");

  CHECK(doc.root().GetTable("listen").status().message() ==
        "gateway.toml: listen: required field is missing");
  CHECK(doc.root().GetTableArray("routes").status().message() ==
        "gateway.toml: routes: required field is missing");
  CHECK(doc.root().GetEnum<Format>("format", {{"text", Format::kText}}).status().message() ==
        "gateway.toml: format: required field is missing");
}

TEST_CASE("A value of the wrong type is named with its position", "[config]") {
  ConfigDocument doc = Parse(R"([log]
format = 1
level = "info"
verbose = "yes"
ratio = "half"
timeout = 30
peers = "a.example"
when = 2026-01-01T00:00:00Z
)");
  ConfigTable log = doc.root().GetTable("log").value();

  const Status format = log.GetString("format").status();
  CHECK(format.message() == "gateway.toml:2:10: log.format: expected a string, got integer");
  CHECK(format.reason() == "config.invalid");
  CHECK(log.GetTable("level").status().message() ==
        "gateway.toml:3:9: log.level: expected a table, got string");
  CHECK(log.GetBool("verbose").status().message() ==
        "gateway.toml:4:11: log.verbose: expected a boolean, got string");
  CHECK(log.GetDouble("ratio").status().message() ==
        "gateway.toml:5:9: log.ratio: expected a number, got string");
  CHECK(log.GetDuration("timeout").status().message() ==
        "gateway.toml:6:11: log.timeout: expected a duration such as \"250ms\", \"30s\", \"5m\", "
        "\"2h\" or \"1d\", got integer");
  CHECK(log.GetStringArray("peers").status().message() ==
        "gateway.toml:7:9: log.peers: expected an array of strings, got string");
  CHECK(log.GetTableArray("peers").status().message() ==
        "gateway.toml:7:9: log.peers: expected an array of tables, got string");
  CHECK(log.GetString("when").status().message() ==
        "gateway.toml:8:8: log.when: expected a string, got date-time");
  CHECK(doc.root().GetString("log").status().message() ==
        "gateway.toml:1:1: log: expected a string, got table");
}

TEST_CASE("An integer outside its range is reported with its value", "[config]") {
  // The port is on line 12, column 8.
  ConfigDocument doc = Parse(R"(# Gateway configuration.
#
# Lines of comments push the listen table down the file.
#
#
#
#
#
#

[listen]
port = 70000
backlog = -1
)");
  ConfigTable listen = doc.root().GetTable("listen").value();
  const Status port = listen.GetInt("port", 1, 65535).status();
  CHECK(port.code() == StatusCode::kInvalidArgument);
  CHECK(port.reason() == "config.invalid");
  CHECK(port.message() ==
        "gateway.toml:12:8: listen.port: expected an integer between 1 and 65535, got 70000");
  CHECK(listen.GetInt("backlog", 0, 1024, 128).status().message() ==
        "gateway.toml:13:11: listen.backlog: expected an integer between 0 and 1024, got -1");
  CHECK(listen.GetInt("port", 70000, 70000).value() == 70000);
}

TEST_CASE("A malformed duration is reported with the text as written", "[config]") {
  ConfigDocument doc = Parse("timeout = \"30 seconds\"\nidle = \"9999999999999999d\"\n");
  const Status timeout = doc.root().GetDuration("timeout").status();
  CHECK(timeout.reason() == "config.invalid");
  CHECK(timeout.message() ==
        "gateway.toml:1:11: timeout: expected a duration such as \"250ms\", \"30s\", \"5m\", "
        "\"2h\" or \"1d\", got \"30 seconds\"");
  CHECK(doc.root().GetDuration("idle", milliseconds(0)).status().message() ==
        "gateway.toml:2:8: idle: duration \"9999999999999999d\" is too large");
}

TEST_CASE("An enum error lists the allowed values", "[config]") {
  ConfigDocument doc = Parse("format = \"xml\"\nlevel = 3\n");
  ConfigTable root = doc.root();
  CHECK(root.GetEnum("format", {{"text", Format::kText}, {"json", Format::kJson}}, Format::kText)
            .status()
            .message() == "gateway.toml:1:10: format: expected \"text\" or \"json\", got \"xml\"");
  enum class Level { kDebug, kInfo, kWarning };
  CHECK(root.GetEnum<Level>(
                "level",
                {{"debug", Level::kDebug}, {"info", Level::kInfo}, {"warning", Level::kWarning}})
            .status()
            .message() ==
        "gateway.toml:2:9: level: expected \"debug\", \"info\" or \"warning\", got integer");
}

TEST_CASE("Errors inside arrays name the element", "[config]") {
  ConfigDocument doc = Parse(R"(peers = ["a", 2, "c"]
mixed = [{ path = "/a" }, "b"]

[[routes]]
path = "/a"

[[routes]]
path = 7
)");
  ConfigTable root = doc.root();
  CHECK(root.GetStringArray("peers").status().message() ==
        "gateway.toml:1:15: peers[1]: expected a string, got integer");
  CHECK(root.GetTableArray("mixed").status().message() ==
        "gateway.toml:2:27: mixed[1]: expected a table, got string");
  std::vector<ConfigTable> routes = root.GetTableArray("routes").value();
  REQUIRE(routes.size() == 2);
  CHECK(routes[1].GetString("path").status().message() ==
        "gateway.toml:8:8: routes[1].path: expected a string, got integer");
}

TEST_CASE("Keys that are not bare are quoted in paths", "[config]") {
  ConfigDocument doc = Parse("[servers.\"gw.example\"]\nport = 0\n");
  ConfigTable server = doc.root().GetTable("servers").value().GetTable("gw.example").value();
  CHECK(server.path() == "servers.\"gw.example\"");
  CHECK(server.GetInt("port", 1, 65535).status().message() ==
        "gateway.toml:2:8: servers.\"gw.example\".port: expected an integer between 1 and 65535, "
        "got 0");
}

TEST_CASE("Fields that were never read are reported as unknown with their position", "[config]") {
  ConfigDocument doc = Parse(R"(name = "gw1"

lisen = "127.0.0.1:8443"

[tls]
cert_file = "gw.pem"
kye_file = "gw.key"

[[routes]]
path = "/a"

[[routes]]
pth = "/b"

[metrics]
port = 9100
)");
  ConfigTable root = doc.root();
  REQUIRE(root.GetString("name").ok());
  ConfigTable tls = root.GetTable("tls").value();
  REQUIRE(tls.GetString("cert_file").ok());
  std::vector<ConfigTable> routes = root.GetTableArray("routes").value();
  for (ConfigTable& route : routes) {
    (void)route.GetString("path", "/");  // Only marks the field as read.
  }

  CHECK(tls.CheckNoUnknownKeys().message() == "gateway.toml:7:1: tls.kye_file: unknown field");
  const Status status = doc.CheckNoUnknownKeys();
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.reason() == "config.invalid");
  // In file order; the never-read [metrics] table is one finding, not one per field.
  CHECK(status.message() ==
        "gateway.toml:3:1: lisen: unknown field\n"
        "gateway.toml:7:1: tls.kye_file: unknown field\n"
        "gateway.toml:13:1: routes[1].pth: unknown field\n"
        "gateway.toml:15:2: metrics: unknown field");

  SECTION("reading the fields clears the report") {
    REQUIRE(root.GetString("lisen", "").ok());
    REQUIRE(tls.GetString("kye_file", "").ok());
    REQUIRE(routes[1].GetString("pth", "").ok());
    ConfigTable metrics = root.GetTable("metrics").value();
    CHECK(doc.CheckNoUnknownKeys().message() == "gateway.toml:16:1: metrics.port: unknown field");
    REQUIRE(metrics.GetInt("port", 1, 65535).ok());
    CHECK(doc.CheckNoUnknownKeys().ok());
  }
}

TEST_CASE("Has and FieldError do not count as reads", "[config]") {
  ConfigDocument doc = Parse("[tls]\nkey_file = \"/missing/gw.key\"\n");
  ConfigTable tls = doc.root().GetTable("tls").value();
  CHECK(tls.Has("key_file"));
  const Status error = tls.FieldError("key_file", "file does not exist");
  CHECK(error.reason() == "config.invalid");
  CHECK(error.message() == "gateway.toml:2:12: tls.key_file: file does not exist");
  CHECK(tls.FieldError("cert_file", "is required when key_file is set").message() ==
        "gateway.toml: tls.cert_file: is required when key_file is set");
  CHECK(doc.CheckNoUnknownKeys().message() == "gateway.toml:2:1: tls.key_file: unknown field");
}

TEST_CASE("A syntax error gives the position and the parser's description", "[config]") {
  const Status missing_value =
      ConfigDocument::FromString("[listen]\nport = \n", "gateway.toml").status();
  CHECK(missing_value.code() == StatusCode::kInvalidArgument);
  CHECK(missing_value.reason() == "config.invalid");
  CHECK(missing_value.message() ==
        "gateway.toml:2:8: Error while parsing key-value pair: expected value, saw '\\n'");

  CHECK(ConfigDocument::FromString("port = 1\nport = 2\n", "gateway.toml").status().message() ==
        "gateway.toml:2:8: Error while parsing key-value pair: cannot redefine existing integer "
        "'port'");
  CHECK(ConfigDocument::FromString("port = 84x3\n", "gateway.toml").status().message() ==
        "gateway.toml:1:10: Error while parsing decimal integer: expected digit, saw 'x'");
}

// A directory under the system's temporary directory, removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "truc-config-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST_CASE("FromFile names the document by its path", "[config]") {
  TempDir dir;
  const std::string path = (dir.path() / "gateway.toml").string();
  std::ofstream(path) << "[listen]\nport = 70000\n";

  StatusOr<ConfigDocument> doc = ConfigDocument::FromFile(path);
  REQUIRE(doc.ok());
  CHECK(doc->source_name() == path);
  CHECK(doc->root().GetTable("listen")->GetInt("port", 1, 65535).status().message() ==
        path + ":2:8: listen.port: expected an integer between 1 and 65535, got 70000");

  const std::string missing = (dir.path() / "missing.toml").string();
  const Status not_found = ConfigDocument::FromFile(missing).status();
  CHECK(not_found.code() == StatusCode::kNotFound);
  CHECK(not_found.reason() == "config.unreadable");
  CHECK(not_found.message() ==
        "cannot read configuration file " + missing + ": No such file or directory");

  const Status directory = ConfigDocument::FromFile(dir.path().string()).status();
  CHECK(directory.code() == StatusCode::kUnavailable);
  CHECK(directory.message() ==
        "cannot read configuration file " + dir.path().string() + ": Is a directory");
}

TEST_CASE("Tables stay valid when their document moves", "[config]") {
  ConfigDocument doc = Parse("[listen]\nport = 1\n");
  ConfigTable listen = doc.root().GetTable("listen").value();
  ConfigDocument moved = std::move(doc);
  CHECK(listen.GetInt("port", 1, 2).value() == 1);
  CHECK(moved.CheckNoUnknownKeys().ok());
}

}  // namespace
}  // namespace truc::config
