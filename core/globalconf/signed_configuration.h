// The signed global configuration: how the registry signs it and how everyone else verifies it.
// The format is specified in docs/globalconf.md.
//
// What is signed is exactly the bytes of a serialized truc.v1.GlobalConfiguration, carried
// unchanged in SignedGlobalConfiguration.configuration, so a verifier never re-serializes what it
// checks. The signer must hold a configuration-signing certificate (the `config-signing` profile:
// not a CA, keyUsage digitalSignature alone, no extendedKeyUsage), so that no key certified for
// another purpose (a member's signing key, a gateway's TLS key, a TSA, a CA) can sign a
// configuration even when it chains to the same root.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/crypto/trust_store.h"
#include "truc/v1/global_configuration.pb.h"

namespace truc::globalconf {

// Reasons for verification failures. Failures of the signer's certificate chain keep the reasons
// of crypto::TrustStore::VerifyChain (crypto.cert_untrusted, crypto.cert_expired, ...).
//
// kInvalidArgument: the bytes do not parse, or a required part is missing or out of range.
inline constexpr std::string_view kMalformed = "globalconf.malformed";
// kUnauthenticated: the signature does not verify with the leaf certificate's key.
inline constexpr std::string_view kBadSignature = "globalconf.bad_signature";
// kUnauthenticated: the leaf certificate is not a configuration-signing certificate.
inline constexpr std::string_view kNotConfigurationSigner = "globalconf.not_configuration_signer";
// kUnavailable: the configuration's own validity period has ended, or not yet begun.
inline constexpr std::string_view kExpired = "globalconf.expired";
inline constexpr std::string_view kNotYetValid = "globalconf.not_yet_valid";
// kInvalidArgument, from SignConfiguration only: the signer's key is not the chain's leaf key.
inline constexpr std::string_view kSignerMismatch = "globalconf.signer_mismatch";

// Which configuration this is and when it may be used.
struct ConfigurationInfo {
  uint64_t version = 0;
  TimePoint issued_at;
  TimePoint expires_at;  // Later than issued_at.

  // OK if issued_at <= now < expires_at. Otherwise kUnavailable with kExpired or kNotYetValid and
  // a message naming the version, the bound that was crossed and `now`.
  Status CheckCurrent(TimePoint now) const;
};

// A configuration whose signature and signer have been verified.
struct VerifiedConfiguration {
  v1::GlobalConfiguration configuration;
  ConfigurationInfo info;
  // The SignedGlobalConfiguration exactly as received: what to cache or serve again.
  std::string signed_bytes;
};

// Signs `configuration` for publication and returns the serialized SignedGlobalConfiguration.
// The configuration is serialized deterministically and signed by `signer`; `signer_chain` is the
// signer's certificate followed by any intermediate CAs (not the root, which verifiers hold).
// `configuration` must have issued_at before expires_at. Errors: kInvalidArgument with kMalformed
// for missing or inverted times or a configuration too large to serialize, kSignerMismatch when
// `signer_chain` is empty or its first certificate is not `signer`'s; the signer's own errors.
// Thread-safe if `signer` is.
StatusOr<std::string> SignConfiguration(const v1::GlobalConfiguration& configuration,
                                        const crypto::Signer& signer,
                                        const std::vector<crypto::Certificate>& signer_chain);

// Verifies serialized SignedGlobalConfiguration bytes as a gateway does before using them: the
// signature over the configuration bytes with the leaf certificate's key, the leaf's chain to
// `anchors` at `now`, that the leaf is a configuration-signing certificate, and that the
// configuration is current at `now` (ConfigurationInfo::CheckCurrent). Errors carry the reasons
// above or those of the chain verification. Thread-safe.
StatusOr<VerifiedConfiguration> VerifyConfiguration(std::string_view signed_bytes,
                                                    const crypto::TrustStore& anchors,
                                                    TimePoint now);

// As VerifyConfiguration, but accepts a configuration whatever its validity period, which the
// caller checks with info.CheckCurrent(). For a copy kept on disk, which may have expired since it
// was written but still tells which version was last held. The chain is checked at `now`, or at
// the configuration's expiry if that is earlier: the last moment the configuration was usable.
StatusOr<VerifiedConfiguration> VerifyConfigurationAnyPeriod(std::string_view signed_bytes,
                                                             const crypto::TrustStore& anchors,
                                                             TimePoint now);

}  // namespace truc::globalconf
