// Timestamping with the federation's TSAs: each token is checked against the timestamp
// authorities and CAs that the current global configuration approves, so approving or revoking a
// TSA in the registry takes effect at the next call.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/globalconf/configuration_view.h"
#include "core/net/http_client.h"
#include "core/timestamp/timestamper.h"

namespace truc::gateway::audit {

// Thread-safe.
class FederationTimestamper final : public timestamp::Timestamper {
 public:
  using ViewSource = std::function<std::shared_ptr<const globalconf::ConfigurationView>()>;

  // `urls`: the TSAs to ask, in order ("http://host:port/path").
  FederationTimestamper(std::vector<std::string> urls, ViewSource views,
                        net::HttpClientOptions options = {});

  // Errors: kUnavailable when there is no global configuration; those of
  // timestamp::HttpTimestamper (each TSA tried in turn).
  StatusOr<timestamp::TimestampToken> Timestamp(std::string_view sha256_digest) override;

 private:
  const std::vector<std::string> urls_;
  const ViewSource views_;
  const net::HttpClientOptions options_;
};

}  // namespace truc::gateway::audit
