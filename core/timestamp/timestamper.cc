#include "core/timestamp/timestamper.h"

#include <fmt/format.h>
#include <openssl/rand.h>

namespace truc::timestamp {
namespace {

// A fresh 8-byte nonce without a leading zero byte (so it round-trips through ASN.1 INTEGER).
StatusOr<std::string> MakeNonce() {
  std::string nonce(8, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), 8) != 1) {
    return InternalError("no randomness for a nonce", "timestamp.internal");
  }
  nonce[0] = static_cast<char>(nonce[0] | 0x01);
  return nonce;
}

}  // namespace

StatusOr<TimestampToken> LocalTimestamper::Timestamp(std::string_view sha256_digest) {
  TRUC_ASSIGN_OR_RETURN(const std::string nonce, MakeNonce());
  TRUC_ASSIGN_OR_RETURN(const std::string query, MakeTimestampQuery(sha256_digest, nonce));
  TRUC_ASSIGN_OR_RETURN(const std::string reply, authority_.Respond(query));
  return verifier_.VerifyReply(reply, sha256_digest, nonce);
}

StatusOr<std::unique_ptr<HttpTimestamper>> HttpTimestamper::Create(std::vector<std::string> urls,
                                                                   TimestampVerifier verifier,
                                                                   net::HttpClientOptions options) {
  if (urls.empty()) return InvalidArgumentError("no TSA URL configured", "timestamp.no_tsa_url");
  for (const std::string& url : urls) TRUC_RETURN_IF_ERROR(net::ParseHttpUrl(url).status());
  return std::unique_ptr<HttpTimestamper>(
      new HttpTimestamper(std::move(urls), std::move(verifier), options));
}

StatusOr<TimestampToken> HttpTimestamper::Timestamp(std::string_view sha256_digest) {
  Status last = UnavailableError("no timestamp authority answered", "timestamp.unavailable");
  for (const std::string& url : urls_) {
    StatusOr<TimestampToken> token = AskOne(url, sha256_digest);
    if (token.ok()) return token;
    last = token.status().Annotate(fmt::format("TSA {}", url));
  }
  return last;
}

StatusOr<TimestampToken> HttpTimestamper::AskOne(const std::string& url,
                                                 std::string_view sha256_digest) {
  TRUC_ASSIGN_OR_RETURN(const std::string nonce, MakeNonce());
  TRUC_ASSIGN_OR_RETURN(std::string query, MakeTimestampQuery(sha256_digest, nonce));
  net::HttpHeaders headers;
  headers.Set("Content-Type", "application/timestamp-query");
  headers.Set("Accept", "application/timestamp-reply");
  TRUC_ASSIGN_OR_RETURN(net::HttpResponse response,
                        net::HttpFetch("POST", url, headers, query, options_));
  if (response.status != 200) {
    return UnavailableError(
        fmt::format("HTTP status {}: {}", response.status, response.body.substr(0, 200)),
        "timestamp.http_error");
  }
  const std::string content_type = response.headers.Get("Content-Type").value_or("");
  if (!content_type.starts_with("application/timestamp-reply")) {
    return UnavailableError(
        fmt::format("answered with Content-Type '{}', not application/timestamp-reply",
                    content_type),
        "timestamp.http_error");
  }
  return verifier_.VerifyReply(response.body, sha256_digest, nonce);
}

}  // namespace truc::timestamp
