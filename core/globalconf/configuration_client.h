// How a gateway obtains and keeps the global configuration: download it from the registry or a
// mirror, verify it, never go back to an older version, keep a copy on disk that survives
// restarts, and refuse to route once the configuration held has expired (fail closed).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/crypto/trust_store.h"
#include "core/globalconf/configuration_view.h"
#include "core/globalconf/signed_configuration.h"
#include "core/log/log.h"
#include "core/net/http_client.h"

namespace truc::globalconf {

// kFailedPrecondition from Refresh: the configuration offered is older than the one held.
inline constexpr std::string_view kOlderVersion = "globalconf.older_version";
// kUnavailable from CheckUsable: no configuration has been obtained.
inline constexpr std::string_view kNoConfiguration = "globalconf.none";
// kUnavailable from Refresh: a server answered with an HTTP status other than 200 (or 304).
inline constexpr std::string_view kHttpError = "globalconf.http_error";
// kInvalidArgument from ConfigurationClient::Create: the options are unusable.
inline constexpr std::string_view kInvalidOptions = "globalconf.invalid_options";

struct ConfigurationClientOptions {
  // Where the signed configuration is downloaded from, "http://host[:port]/path", tried in order:
  // the registry and its mirrors. Plain HTTP suffices, since what is downloaded is verified.
  std::vector<std::string> urls;
  // PEM file with the federation's root CA certificate(s), which the configuration-signing
  // certificate must chain to.
  std::string trust_anchor_file;
  // Where the last configuration accepted is kept (the signed bytes, as downloaded).
  std::string cache_file;
  // How often the background thread started by Start() refreshes.
  std::chrono::milliseconds refresh_interval{std::chrono::minutes(5)};
  // Decides validity; not owned, must outlive the client.
  const Clock* clock = &SystemClock::Instance();
  // Timeout and size limit of each download.
  net::HttpClientOptions http;
};

enum class RefreshResult {
  kUpdated,      // A newer version was accepted and is now current.
  kUnchanged,    // The server offered the version already held.
  kNotModified,  // The server answered 304 to the ETag of what was last accepted from it.
};

// Where a gateway's components read the global configuration from (a seam: the exchange core's
// tests give a fixed one). Thread-safe implementations only.
class ConfigurationSource {
 public:
  virtual ~ConfigurationSource() = default;
  // The current configuration, or nullptr before any was obtained. It may have expired: callers
  // that route check CheckUsable() first.
  virtual std::shared_ptr<const ConfigurationView> Current() const = 0;
  // OK when a configuration is held and current now; kUnavailable otherwise (the gateway must
  // then stop routing).
  virtual Status CheckUsable() const = 0;
};

// Thread-safe. Destroying the client stops the background thread, waiting for a refresh in
// progress (at most options.http.timeout per URL).
class ConfigurationClient final : public ConfigurationSource {
 public:
  // Checks the options and reads the trust anchors (errors: kInvalidOptions; those of reading the
  // anchor file). Then loads the cached configuration, if there is one, and holds it when it
  // verifies, even if it has expired since: CheckUsable then says so, and its version remains the
  // floor for what Refresh accepts. A cache that cannot be read or does not verify is logged and
  // ignored. Starts no thread.
  static StatusOr<std::unique_ptr<ConfigurationClient>> Create(ConfigurationClientOptions options);

  ConfigurationClient(const ConfigurationClient&) = delete;
  ConfigurationClient& operator=(const ConfigurationClient&) = delete;
  ConfigurationClient(ConfigurationClient&&) = delete;
  ConfigurationClient& operator=(ConfigurationClient&&) = delete;
  ~ConfigurationClient() override;

  // Asks each URL in turn until one offers a newer configuration, sending If-None-Match with the
  // ETag of what was last accepted from that URL. A downloaded configuration must verify
  // (VerifyConfiguration at the clock's now) and be at least as new as the one held. A newer one
  // is indexed, written to the cache file atomically and only then made current (kUpdated).
  // Otherwise the result is the first URL's answer of kUnchanged or kNotModified. Each URL that
  // fails is logged; when all fail, the error is the last URL's, annotated with it: network
  // errors from net::HttpFetch, kHttpError, the errors of VerifyConfiguration and
  // ConfigurationView::Create, kOlderVersion, or a failure to write the cache (the configuration
  // is then not used). Calls are serialized.
  StatusOr<RefreshResult> Refresh();

  // Starts a thread that calls Refresh at once and then every refresh_interval until the client
  // is destroyed, logging when the configuration cannot be used. Calls after the first do nothing.
  void Start();

  // The current configuration, or nullptr before any was obtained. It may have expired: callers
  // that route check CheckUsable() first.
  std::shared_ptr<const ConfigurationView> Current() const override;

  // OK when a configuration is held and current at the clock's now. Otherwise kUnavailable with
  // kNoConfiguration, kExpired or kNotYetValid: the gateway must then stop routing.
  Status CheckUsable() const override;

 private:
  ConfigurationClient(ConfigurationClientOptions options, crypto::TrustStore anchors)
      : options_(std::move(options)), anchors_(std::move(anchors)) {}

  // Refresh from one URL. Called with refresh_mu_ held.
  StatusOr<RefreshResult> RefreshFrom(const std::string& url);
  void Install(std::shared_ptr<const ConfigurationView> view);
  void RunLoop();

  const ConfigurationClientOptions options_;
  const crypto::TrustStore anchors_;
  const log::Logger logger_{"globalconf"};

  std::mutex refresh_mu_;  // Serializes Refresh.
  // URL -> ETag of the configuration last accepted from it. Guarded by refresh_mu_.
  std::map<std::string, std::string> etags_;

  mutable std::mutex current_mu_;
  std::shared_ptr<const ConfigurationView> current_;  // Guarded by current_mu_.

  std::mutex loop_mu_;
  std::condition_variable loop_wake_;
  bool stopping_ = false;  // Guarded by loop_mu_.
  std::thread loop_;       // Started once, by Start(), under loop_mu_.
};

}  // namespace truc::globalconf
