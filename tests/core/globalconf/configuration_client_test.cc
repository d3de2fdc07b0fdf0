#include "core/globalconf/configuration_client.h"

#include <mutex>
#include <optional>
#include <thread>

#include <catch2/catch.hpp>

#include "core/base/encoding.h"
#include "core/base/file.h"
#include "core/crypto/digest.h"
#include "core/net/http_server.h"
#include "tests/core/globalconf/test_federation.h"
#include "tests/support/temp_dir.h"

namespace truc::globalconf {
namespace {

using std::chrono::seconds;
using testing::kFakeClockStart;

// Serves one signed configuration on loopback as a static web server would: with an ETag, and
// 304 to a matching If-None-Match.
class ConfigurationServer {
 public:
  ConfigurationServer()
      : server_(net::HttpServer::Start(
                    {}, [this](const net::HttpRequest& request,
                               const net::HttpResponder& respond) { respond(Handle(request)); })
                    .value()),
        url_("http://" + server_->endpoint() + "/globalconf") {}

  const std::string& url() const { return url_; }

  // Serves `bytes` from now on.
  void Serve(std::string bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    etag_ = "\"" + HexEncode(crypto::Sha256(bytes)).substr(0, 16) + "\"";
    body_ = std::move(bytes);
  }
  std::string etag() const {
    std::lock_guard<std::mutex> lock(mu_);
    return etag_;
  }
  int not_modified() const {
    std::lock_guard<std::mutex> lock(mu_);
    return not_modified_;
  }
  // The If-None-Match of the last request, if it had one.
  std::optional<std::string> last_if_none_match() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_if_none_match_;
  }

  // Stops serving and closes the port. (Destroying the server, rather than calling Stop() alone,
  // is what closes the listening socket for certain.)
  void Shutdown() { server_.reset(); }

 private:
  net::HttpResponse Handle(const net::HttpRequest& request) {
    std::lock_guard<std::mutex> lock(mu_);
    last_if_none_match_ = request.headers.Get("If-None-Match");
    net::HttpResponse response;
    if (last_if_none_match_ == etag_) {
      ++not_modified_;
      response.status = 304;
    } else {
      response = net::MakeResponse(200, "application/octet-stream", body_);
    }
    response.headers.Set("ETag", etag_);
    return response;
  }

  mutable std::mutex mu_;
  std::string body_;                               // Guarded by mu_.
  std::string etag_;                               // Guarded by mu_.
  int not_modified_ = 0;                           // Guarded by mu_.
  std::optional<std::string> last_if_none_match_;  // Guarded by mu_.
  std::unique_ptr<net::HttpServer> server_;
  const std::string url_;
};

// A federation, a server for its configuration, a fake clock and a directory for the anchors
// and the cache.
struct Fixture {
  Fixture() {
    REQUIRE(WriteFileAtomically(dir.File("anchors.pem"), federation.root.certificate.ToPem(), 0644)
                .ok());
  }

  ConfigurationClientOptions Options() const {
    ConfigurationClientOptions options;
    options.urls = {server.url()};
    options.trust_anchor_file = dir.File("anchors.pem");
    options.cache_file = dir.File("globalconf.bin");
    options.clock = &clock;
    return options;
  }
  std::unique_ptr<ConfigurationClient> Client() const {
    return ConfigurationClient::Create(Options()).value();
  }
  std::string Cached() const { return ReadFile(dir.File("globalconf.bin")).value(); }
  uint64_t CurrentVersion(const ConfigurationClient& client) const {
    const std::shared_ptr<const ConfigurationView> view = client.Current();
    REQUIRE(view != nullptr);
    return view->info().version;
  }

  const TestFederation federation;
  testing::FakeClock clock;
  testing::TempDir dir;
  ConfigurationServer server;
};

TEST_CASE("The client downloads, verifies and caches newer configurations", "[globalconf]") {
  Fixture f;
  const std::string version_1 = f.federation.Sign(f.federation.Configuration(1));
  f.server.Serve(version_1);
  const std::unique_ptr<ConfigurationClient> client = f.Client();

  CHECK(client->Current() == nullptr);
  const Status none = client->CheckUsable();
  CHECK(none.code() == StatusCode::kUnavailable);
  CHECK(none.reason() == kNoConfiguration);

  REQUIRE(client->Refresh().value() == RefreshResult::kUpdated);
  CHECK(f.CurrentVersion(*client) == 1);
  CHECK(client->CheckUsable().ok());
  CHECK(f.Cached() == version_1);
  CHECK(f.server.last_if_none_match() == std::nullopt);

  SECTION("the same file again: the server answers 304") {
    CHECK(client->Refresh().value() == RefreshResult::kNotModified);
    CHECK(f.server.last_if_none_match() == f.server.etag());
    CHECK(f.server.not_modified() == 1);
    CHECK(f.CurrentVersion(*client) == 1);
  }
  SECTION("a newer version replaces the current one, and the cache") {
    const std::shared_ptr<const ConfigurationView> before = client->Current();
    const std::string version_2 = f.federation.Sign(f.federation.Configuration(2));
    f.server.Serve(version_2);
    CHECK(client->Refresh().value() == RefreshResult::kUpdated);
    CHECK(f.server.not_modified() == 0);
    CHECK(f.CurrentVersion(*client) == 2);
    CHECK(f.Cached() == version_2);
    CHECK(before->info().version == 1);  // A reader's snapshot stays as it was.
  }
  SECTION("an older version is refused") {
    const std::string version_2 = f.federation.Sign(f.federation.Configuration(2));
    f.server.Serve(version_2);
    REQUIRE(client->Refresh().ok());
    f.server.Serve(version_1);
    const Status status = client->Refresh().status();
    CHECK(status.code() == StatusCode::kFailedPrecondition);
    CHECK(status.reason() == kOlderVersion);
    CHECK(status.message() == f.server.url() +
                                  ": offered global configuration version 1, older than "
                                  "version 2 held");
    CHECK(f.CurrentVersion(*client) == 2);
    CHECK(f.Cached() == version_2);
  }
  SECTION("the same version signed again is accepted without change") {
    const std::string resigned = f.federation.Sign(f.federation.Configuration(1));
    REQUIRE(resigned != version_1);  // ECDSA signatures are randomized.
    f.server.Serve(resigned);
    CHECK(client->Refresh().value() == RefreshResult::kUnchanged);
    CHECK(f.Cached() == version_1);
    // Its ETag is remembered all the same.
    CHECK(client->Refresh().value() == RefreshResult::kNotModified);
  }
  SECTION("a tampered file is refused") {
    std::string tampered = f.federation.Sign(f.federation.Configuration(2));
    tampered[tampered.size() / 3] ^= 0x20;
    f.server.Serve(tampered);
    CHECK_FALSE(client->Refresh().ok());
    CHECK(f.CurrentVersion(*client) == 1);
    CHECK(f.Cached() == version_1);
  }
  SECTION("an expired configuration is refused") {
    f.server.Serve(f.federation.Sign(f.federation.Configuration(2, kIssuedAt - kValidity)));
    const Status status = client->Refresh().status();
    CHECK(status.reason() == kExpired);
    CHECK(f.CurrentVersion(*client) == 1);
  }
  SECTION("a configuration with an unusable entry is refused and not cached") {
    v1::GlobalConfiguration configuration = f.federation.Configuration(2);
    configuration.mutable_members(0)->mutable_id()->clear_instance();
    f.server.Serve(f.federation.Sign(configuration));
    CHECK(client->Refresh().status().reason() == kInvalidEntry);
    CHECK(f.CurrentVersion(*client) == 1);
    CHECK(f.Cached() == version_1);
  }
  SECTION("a cache that cannot be written stops the update") {
    REQUIRE(WriteFileAtomically(f.dir.File("not-a-dir"), "", 0644).ok());
    ConfigurationClientOptions options = f.Options();
    options.cache_file = f.dir.File("not-a-dir/globalconf.bin");
    const std::unique_ptr<ConfigurationClient> uncached =
        ConfigurationClient::Create(options).value();
    CHECK_FALSE(uncached->Refresh().ok());
    CHECK(uncached->Current() == nullptr);
  }
}

TEST_CASE("The client fails closed when its only configuration expires", "[globalconf]") {
  Fixture f;
  f.server.Serve(f.federation.Sign(f.federation.Configuration(5)));
  const std::unique_ptr<ConfigurationClient> client = f.Client();
  REQUIRE(client->Refresh().ok());
  const TimePoint expires_at = kIssuedAt + kValidity;

  f.clock.Set(expires_at - seconds(1));
  CHECK(client->CheckUsable().ok());
  f.clock.Set(expires_at);
  const Status status = client->CheckUsable();
  CHECK(status.code() == StatusCode::kUnavailable);
  CHECK(status.reason() == kExpired);
  CHECK(status.message() ==
        "global configuration version 5 expired at 2026-01-07T23:00:00.000Z; checked at "
        "2026-01-07T23:00:00.000Z");
  // The view is still there to look at, but it must not be used for routing.
  CHECK(f.CurrentVersion(*client) == 5);
  // Nothing newer has been published: the registry's answer changes nothing.
  CHECK(client->Refresh().value() == RefreshResult::kNotModified);
  CHECK(client->CheckUsable().reason() == kExpired);
}

TEST_CASE("A restarted client starts from its cache", "[globalconf]") {
  Fixture f;
  const std::string version_2 = f.federation.Sign(f.federation.Configuration(2));
  f.server.Serve(version_2);
  REQUIRE(f.Client()->Refresh().ok());
  f.server.Shutdown();

  SECTION("with the registry down") {
    const std::unique_ptr<ConfigurationClient> restarted = f.Client();
    CHECK(f.CurrentVersion(*restarted) == 2);
    CHECK(restarted->CheckUsable().ok());
    const Status status = restarted->Refresh().status();
    CHECK(status.code() == StatusCode::kUnavailable);
    CHECK(f.CurrentVersion(*restarted) == 2);
  }
  SECTION("after the cached configuration expired") {
    f.clock.Set(kIssuedAt + kValidity + seconds(1));
    const std::unique_ptr<ConfigurationClient> restarted = f.Client();
    CHECK(f.CurrentVersion(*restarted) == 2);
    CHECK(restarted->CheckUsable().reason() == kExpired);

    // The expired version still bounds what is accepted: a mirror offering version 1, current
    // at the clock's time, is refused.
    ConfigurationServer mirror;
    mirror.Serve(f.federation.Sign(f.federation.Configuration(1, f.clock.Now())));
    ConfigurationClientOptions options = f.Options();
    options.urls = {mirror.url()};
    const std::unique_ptr<ConfigurationClient> from_mirror =
        ConfigurationClient::Create(options).value();
    CHECK(from_mirror->Refresh().status().reason() == kOlderVersion);
    // A newer one is accepted and makes the client usable again.
    mirror.Serve(f.federation.Sign(f.federation.Configuration(3, f.clock.Now())));
    CHECK(from_mirror->Refresh().value() == RefreshResult::kUpdated);
    CHECK(from_mirror->CheckUsable().ok());
  }
  SECTION("with a cache that does not verify") {
    REQUIRE(WriteFileAtomically(f.dir.File("globalconf.bin"), "garbage", 0644).ok());
    const std::unique_ptr<ConfigurationClient> restarted = f.Client();
    CHECK(restarted->Current() == nullptr);
    CHECK(restarted->CheckUsable().reason() == kNoConfiguration);
  }
}

TEST_CASE("The client tries the registry's mirrors in order", "[globalconf]") {
  Fixture f;
  f.server.Serve(f.federation.Sign(f.federation.Configuration(1)));
  uint16_t dead_port;
  {
    auto dead = net::HttpServer::Start({}, [](const net::HttpRequest&, const net::HttpResponder&) {
                }).value();
    dead_port = dead->port();
  }
  const std::string dead_url = "http://127.0.0.1:" + std::to_string(dead_port) + "/globalconf";
  ConfigurationServer broken;  // Serves an empty body.
  ConfigurationClientOptions options = f.Options();

  SECTION("unreachable and broken ones are skipped") {
    options.urls = {dead_url, broken.url(), f.server.url()};
    const std::unique_ptr<ConfigurationClient> client =
        ConfigurationClient::Create(options).value();
    CHECK(client->Refresh().value() == RefreshResult::kUpdated);
  }
  SECTION("a mirror that is behind does not hide a newer edition from the next URL") {
    ConfigurationServer stale_mirror;
    stale_mirror.Serve(f.federation.Sign(f.federation.Configuration(1)));
    options.urls = {stale_mirror.url(), f.server.url()};
    const std::unique_ptr<ConfigurationClient> client =
        ConfigurationClient::Create(options).value();
    CHECK(client->Refresh().value() == RefreshResult::kUpdated);  // From the stale mirror.
    CHECK(client->Refresh().value() == RefreshResult::kNotModified);
    f.server.Serve(f.federation.Sign(f.federation.Configuration(2)));
    CHECK(client->Refresh().value() == RefreshResult::kUpdated);
    CHECK(f.CurrentVersion(*client) == 2);
    CHECK(stale_mirror.not_modified() == 2);
  }
  SECTION("when none works, the last one's error is returned") {
    options.urls = {broken.url(), dead_url};
    const std::unique_ptr<ConfigurationClient> client =
        ConfigurationClient::Create(options).value();
    const Status status = client->Refresh().status();
    CHECK(status.code() == StatusCode::kUnavailable);
    CHECK(status.message().starts_with(dead_url + ": "));
  }
}

TEST_CASE("A server error is reported as such", "[globalconf]") {
  Fixture f;
  auto failing =
      net::HttpServer::Start({}, [](const net::HttpRequest&, const net::HttpResponder& respond) {
        respond(net::MakeResponse(503, "text/plain", "maintenance"));
      }).value();
  ConfigurationClientOptions options = f.Options();
  options.urls = {"http://" + failing->endpoint() + "/globalconf"};
  const Status status = ConfigurationClient::Create(options).value()->Refresh().status();
  CHECK(status.reason() == kHttpError);
  CHECK(status.message().ends_with("HTTP status 503"));
}

TEST_CASE("The background thread keeps the configuration fresh", "[globalconf]") {
  Fixture f;
  f.server.Serve(f.federation.Sign(f.federation.Configuration(1)));
  ConfigurationClientOptions options = f.Options();
  options.refresh_interval = std::chrono::milliseconds(10);
  const std::unique_ptr<ConfigurationClient> client = ConfigurationClient::Create(options).value();
  client->Start();
  client->Start();  // Does nothing more.

  const auto wait_for_version = [&](uint64_t version) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::shared_ptr<const ConfigurationView> view = client->Current();
      if (view != nullptr && view->info().version == version) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  };
  CHECK(wait_for_version(1));
  f.server.Serve(f.federation.Sign(f.federation.Configuration(2)));
  CHECK(wait_for_version(2));
}

TEST_CASE("Client options are checked", "[globalconf]") {
  Fixture f;
  ConfigurationClientOptions options = f.Options();
  SECTION("no URL") {
    options.urls.clear();
    CHECK(ConfigurationClient::Create(options).status().reason() == kInvalidOptions);
  }
  SECTION("not an http URL") {
    options.urls = {"ftp://registry.example.vn/globalconf"};
    CHECK(ConfigurationClient::Create(options).status().reason() == kInvalidOptions);
  }
  SECTION("no cache file") {
    options.cache_file.clear();
    CHECK(ConfigurationClient::Create(options).status().reason() == kInvalidOptions);
  }
  SECTION("no refresh interval") {
    options.refresh_interval = std::chrono::milliseconds::zero();
    CHECK(ConfigurationClient::Create(options).status().reason() == kInvalidOptions);
  }
  SECTION("a missing trust anchor file") {
    options.trust_anchor_file = f.dir.File("missing.pem");
    CHECK(ConfigurationClient::Create(options).status().code() == StatusCode::kNotFound);
  }
}

}  // namespace
}  // namespace truc::globalconf
