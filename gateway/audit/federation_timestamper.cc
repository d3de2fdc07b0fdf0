#include "gateway/audit/federation_timestamper.h"

namespace truc::gateway::audit {

FederationTimestamper::FederationTimestamper(std::vector<std::string> urls, ViewSource views,
                                             net::HttpClientOptions options)
    : urls_(std::move(urls)), views_(std::move(views)), options_(options) {}

StatusOr<timestamp::TimestampToken> FederationTimestamper::Timestamp(
    std::string_view sha256_digest) {
  const std::shared_ptr<const globalconf::ConfigurationView> view = views_();
  if (view == nullptr) {
    return UnavailableError("no global configuration names the approved timestamp authorities",
                            "audit.no_configuration");
  }
  TRUC_ASSIGN_OR_RETURN(
      timestamp::TimestampVerifier verifier,
      timestamp::TimestampVerifier::Create(view->approved_tsas(), view->trust_store()));
  TRUC_ASSIGN_OR_RETURN(std::unique_ptr<timestamp::HttpTimestamper> timestamper,
                        timestamp::HttpTimestamper::Create(urls_, std::move(verifier), options_));
  return timestamper->Timestamp(sha256_digest);
}

}  // namespace truc::gateway::audit
