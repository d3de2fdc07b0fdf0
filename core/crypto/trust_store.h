// Certificate chain verification against a fixed set of trust anchors.
#pragma once

#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/crypto/certificate.h"

namespace truc::crypto {

// Reasons returned by TrustStore::VerifyChain, all with code kUnauthenticated.
inline constexpr std::string_view kCertExpired = "crypto.cert_expired";
inline constexpr std::string_view kCertNotYetValid = "crypto.cert_not_yet_valid";
inline constexpr std::string_view kCertUntrusted = "crypto.cert_untrusted";
inline constexpr std::string_view kCertRevoked = "crypto.cert_revoked";
inline constexpr std::string_view kCertBadSignature = "crypto.cert_bad_signature";
inline constexpr std::string_view kCertChainInvalid = "crypto.cert_chain_invalid";

// Immutable after Create; thread-safe.
class TrustStore {
 public:
  // `anchors` are the trusted CAs (roots, or intermediates trusted on their own, as X-Road's
  // approved CAs may be). `revoked_fingerprints` holds Certificate::Fingerprint() values of
  // revoked certificates, as the registry publishes them. At least one anchor is required.
  static StatusOr<TrustStore> Create(std::vector<Certificate> anchors,
                                     std::set<std::string> revoked_fingerprints = {});

  // Verifies that `leaf` chains to an anchor through certificates from `intermediates`, that
  // every certificate on the chain is valid at `at` and not revoked, and that the intermediates
  // the chain does not need are genuine too (CheckSignatures). Returns the chain, leaf first and
  // anchor last. Errors (kUnauthenticated) carry one of the reasons above and name the
  // offending certificate.
  StatusOr<std::vector<Certificate>> VerifyChain(const Certificate& leaf,
                                                 std::span<const Certificate> intermediates,
                                                 TimePoint at) const;

  // Checks that every certificate of `carried` is an anchor or is signed by its issuer, found
  // among `carried` and the anchors: a chain may carry certificates that VerifyChain's path does
  // not need (a copy of a root, say), and evidence must have no byte that nothing checks. Errors
  // (kUnauthenticated, kCertBadSignature) name the certificate whose signature fails or whose
  // issuer is missing.
  Status CheckSignatures(std::span<const Certificate> carried) const;

  const std::vector<Certificate>& anchors() const { return anchors_; }
  bool IsRevoked(const Certificate& cert) const;

 private:
  TrustStore(std::vector<Certificate> anchors, std::set<std::string> revoked)
      : anchors_(std::move(anchors)), revoked_(std::move(revoked)) {}

  std::vector<Certificate> anchors_;
  std::set<std::string> revoked_;
};

}  // namespace truc::crypto
