#include "core/globalconf/configuration_client.h"

#include <optional>

#include <fmt/format.h>

#include "core/base/file.h"

namespace truc::globalconf {
namespace {

Status InvalidOptions(std::string message) {
  return InvalidArgumentError(std::move(message), std::string(kInvalidOptions));
}

// The configuration kept at `path`, verified but possibly no longer current.
StatusOr<std::shared_ptr<const ConfigurationView>> ReadCache(const std::string& path,
                                                             const crypto::TrustStore& anchors,
                                                             TimePoint now) {
  TRUC_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(path));
  TRUC_ASSIGN_OR_RETURN(const VerifiedConfiguration verified,
                        VerifyConfigurationAnyPeriod(bytes, anchors, now));
  return ConfigurationView::Create(verified);
}

}  // namespace

StatusOr<std::unique_ptr<ConfigurationClient>> ConfigurationClient::Create(
    ConfigurationClientOptions options) {
  if (options.urls.empty()) return InvalidOptions("no URL to download the configuration from");
  for (const std::string& url : options.urls) {
    if (Status valid = net::ParseHttpUrl(url).status(); !valid.ok()) {
      return InvalidOptions(valid.message());
    }
  }
  if (options.cache_file.empty()) return InvalidOptions("no cache file");
  if (options.refresh_interval <= std::chrono::milliseconds::zero()) {
    return InvalidOptions("the refresh interval must be positive");
  }
  if (options.clock == nullptr) return InvalidOptions("no clock");
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> roots,
                        crypto::Certificate::LoadPemFile(options.trust_anchor_file));
  TRUC_ASSIGN_OR_RETURN(crypto::TrustStore anchors, crypto::TrustStore::Create(std::move(roots)));

  std::unique_ptr<ConfigurationClient> client(
      new ConfigurationClient(std::move(options), std::move(anchors)));
  const std::string& cache_file = client->options_.cache_file;
  StatusOr<std::shared_ptr<const ConfigurationView>> cached =
      ReadCache(cache_file, client->anchors_, client->options_.clock->Now());
  if (cached.ok()) {
    const ConfigurationInfo& info = (*cached)->info();
    client->logger_.Info("loaded the cached global configuration",
                         {{"version", info.version},
                          {"expires_at", FormatRfc3339(info.expires_at)},
                          {"file", cache_file}});
    client->Install(*std::move(cached));
  } else if (cached.status().code() != StatusCode::kNotFound) {
    client->logger_.Warning("ignoring the cached global configuration",
                            {{"file", cache_file}, {"error", cached.status().ToString()}});
  }
  return client;
}

ConfigurationClient::~ConfigurationClient() {
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    stopping_ = true;
  }
  loop_wake_.notify_all();
  if (loop_.joinable()) loop_.join();
}

StatusOr<RefreshResult> ConfigurationClient::Refresh() {
  std::lock_guard<std::mutex> lock(refresh_mu_);
  // Asking on after an answer of "nothing new" keeps a mirror that is merely behind from hiding
  // an edition that a later URL has.
  std::optional<RefreshResult> first_answer;
  Status last;
  for (const std::string& url : options_.urls) {
    StatusOr<RefreshResult> result = RefreshFrom(url);
    if (result.ok()) {
      if (*result == RefreshResult::kUpdated) return result;
      if (!first_answer) first_answer = *result;
      continue;
    }
    last = result.status().Annotate(url);
    logger_.Warning("cannot refresh the global configuration",
                    {{"url", url}, {"error", result.status().ToString()}});
  }
  if (first_answer) return *first_answer;
  return last;
}

StatusOr<RefreshResult> ConfigurationClient::RefreshFrom(const std::string& url) {
  net::HttpHeaders headers;
  const auto etag = etags_.find(url);
  if (etag != etags_.end()) headers.Set("If-None-Match", etag->second);
  TRUC_ASSIGN_OR_RETURN(const net::HttpResponse response,
                        net::HttpFetch("GET", url, headers, "", options_.http));
  if (response.status == 304 && etag != etags_.end()) return RefreshResult::kNotModified;
  if (response.status != 200) {
    return UnavailableError(fmt::format("HTTP status {}", response.status),
                            std::string(kHttpError));
  }

  TRUC_ASSIGN_OR_RETURN(VerifiedConfiguration verified,
                        VerifyConfiguration(response.body, anchors_, options_.clock->Now()));
  const std::shared_ptr<const ConfigurationView> held = Current();
  const uint64_t version = verified.info.version;
  if (held != nullptr && version < held->info().version) {
    return FailedPreconditionError(
        fmt::format("offered global configuration version {}, older than version {} held", version,
                    held->info().version),
        std::string(kOlderVersion));
  }
  RefreshResult result = RefreshResult::kUnchanged;
  if (held == nullptr || version > held->info().version) {
    TRUC_ASSIGN_OR_RETURN(std::shared_ptr<const ConfigurationView> view,
                          ConfigurationView::Create(verified));
    TRUC_RETURN_IF_ERROR(
        WriteFileAtomically(options_.cache_file, verified.signed_bytes, 0644)
            .Annotate(fmt::format("cannot cache global configuration version {}", version)));
    Install(std::move(view));
    logger_.Info("global configuration updated",
                 {{"version", version},
                  {"expires_at", FormatRfc3339(verified.info.expires_at)},
                  {"url", url}});
    result = RefreshResult::kUpdated;
  }
  if (std::optional<std::string> new_etag = response.headers.Get("ETag")) {
    etags_[url] = *std::move(new_etag);
  } else {
    etags_.erase(url);
  }
  return result;
}

void ConfigurationClient::Install(std::shared_ptr<const ConfigurationView> view) {
  std::lock_guard<std::mutex> lock(current_mu_);
  current_ = std::move(view);
}

void ConfigurationClient::Start() {
  std::lock_guard<std::mutex> lock(loop_mu_);
  if (loop_.joinable()) return;
  loop_ = std::thread([this] { RunLoop(); });
}

void ConfigurationClient::RunLoop() {
  std::unique_lock<std::mutex> lock(loop_mu_);
  while (!stopping_) {
    lock.unlock();
    // Refresh logs its own failures; what matters here is whether routing can go on.
    static_cast<void>(Refresh());
    if (const Status usable = CheckUsable(); !usable.ok()) {
      logger_.Error("no usable global configuration: routing stops",
                    {{"error", usable.ToString()}});
    }
    lock.lock();
    loop_wake_.wait_for(lock, options_.refresh_interval, [this] { return stopping_; });
  }
}

std::shared_ptr<const ConfigurationView> ConfigurationClient::Current() const {
  std::lock_guard<std::mutex> lock(current_mu_);
  return current_;
}

Status ConfigurationClient::CheckUsable() const {
  const std::shared_ptr<const ConfigurationView> view = Current();
  if (view == nullptr) {
    return UnavailableError("no global configuration has been obtained",
                            std::string(kNoConfiguration));
  }
  return view->info().CheckCurrent(options_.clock->Now());
}

}  // namespace truc::globalconf
