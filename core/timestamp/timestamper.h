// The timestamping seam: what gateways and the audit log use to get a digest timestamped.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "core/net/http_client.h"
#include "core/timestamp/timestamp_authority.h"
#include "core/timestamp/timestamp_token.h"

namespace truc::timestamp {

// Implementations are thread-safe and may block (call them from worker threads).
class Timestamper {
 public:
  virtual ~Timestamper() = default;
  // A verified token over `sha256_digest`.
  virtual StatusOr<TimestampToken> Timestamp(std::string_view sha256_digest) = 0;
};

// Timestamps with an authority in the same process (the registry's embedded TSA, tests), through
// the same query, reply and verification as over HTTP.
class LocalTimestamper final : public Timestamper {
 public:
  // `authority` must outlive this.
  LocalTimestamper(const TimestampAuthority& authority, TimestampVerifier verifier)
      : authority_(authority), verifier_(std::move(verifier)) {}

  StatusOr<TimestampToken> Timestamp(std::string_view sha256_digest) override;

 private:
  const TimestampAuthority& authority_;
  const TimestampVerifier verifier_;
};

// Asks RFC 3161 timestamp authorities over HTTP, trying each URL in order until one gives a
// reply that verifies. Each query carries a fresh random nonce.
class HttpTimestamper final : public Timestamper {
 public:
  // `urls`: one or more "http://host:port/path" of approved TSAs.
  static StatusOr<std::unique_ptr<HttpTimestamper>> Create(std::vector<std::string> urls,
                                                           TimestampVerifier verifier,
                                                           net::HttpClientOptions options = {});

  // Errors: the last TSA's failure, annotated with its URL; kUnavailable when none answered.
  StatusOr<TimestampToken> Timestamp(std::string_view sha256_digest) override;

 private:
  HttpTimestamper(std::vector<std::string> urls, TimestampVerifier verifier,
                  net::HttpClientOptions options)
      : urls_(std::move(urls)), verifier_(std::move(verifier)), options_(options) {}

  StatusOr<TimestampToken> AskOne(const std::string& url, std::string_view sha256_digest);

  const std::vector<std::string> urls_;
  const TimestampVerifier verifier_;
  const net::HttpClientOptions options_;
};

}  // namespace truc::timestamp
