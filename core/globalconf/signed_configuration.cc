#include "core/globalconf/signed_configuration.h"

#include <algorithm>
#include <climits>
#include <span>

#include <fmt/format.h>
#include <openssl/x509v3.h>

#include "proto/deterministic_serialization.h"

namespace truc::globalconf {
namespace {

Status Malformed(std::string message) {
  return InvalidArgumentError(std::move(message), std::string(kMalformed));
}

template <typename Message>
StatusOr<Message> Parse(std::string_view bytes) {
  Message message;
  if (bytes.size() > INT_MAX ||
      !message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Malformed(fmt::format("not a serialized {}", message.GetTypeName()));
  }
  return message;
}

// The latest whole second that, with up to a second of nanoseconds added, a TimePoint can hold:
// later times are refused rather than overflowing.
constexpr int64_t kMaxSeconds =
    std::chrono::duration_cast<std::chrono::seconds>(TimePoint::duration::max()).count() - 1;

StatusOr<TimePoint> ToTimePoint(const google::protobuf::Timestamp& t, std::string_view field) {
  if (t.seconds() < 0 || t.seconds() > kMaxSeconds || t.nanos() < 0 || t.nanos() > 999'999'999) {
    return Malformed(fmt::format("{} out of range ({} s, {} ns)", field, t.seconds(), t.nanos()));
  }
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::seconds(t.seconds()) + std::chrono::nanoseconds(t.nanos())));
}

StatusOr<ConfigurationInfo> ReadInfo(const v1::GlobalConfiguration& configuration) {
  if (!configuration.has_issued_at() || !configuration.has_expires_at()) {
    return Malformed("the configuration lacks issued_at or expires_at");
  }
  ConfigurationInfo info;
  info.version = configuration.version();
  TRUC_ASSIGN_OR_RETURN(info.issued_at, ToTimePoint(configuration.issued_at(), "issued_at"));
  TRUC_ASSIGN_OR_RETURN(info.expires_at, ToTimePoint(configuration.expires_at(), "expires_at"));
  if (info.expires_at <= info.issued_at) {
    return Malformed(fmt::format("the configuration expires at {}, not after it was issued at {}",
                                 FormatRfc3339(info.expires_at), FormatRfc3339(info.issued_at)));
  }
  return info;
}

// The config-signing profile: an end-entity certificate whose keyUsage is digitalSignature alone
// and which has no extendedKeyUsage. This is what sets it apart from the federation's other
// leaves (member signing adds nonRepudiation; gateway TLS and TSA carry an extendedKeyUsage).
Status CheckConfigurationSigner(const crypto::Certificate& leaf) {
  // crypto::Certificate does not expose key usages, so they are read from the OpenSSL handle.
  X509* cert = leaf.native_handle();
  const uint32_t flags = X509_get_extension_flags(cert);
  const char* problem = nullptr;
  if (leaf.IsCa()) {
    problem = "is a CA certificate";
  } else if ((flags & EXFLAG_KUSAGE) == 0 || X509_get_key_usage(cert) != KU_DIGITAL_SIGNATURE) {
    problem = "does not have keyUsage digitalSignature alone";
  } else if ((flags & EXFLAG_XKUSAGE) != 0) {
    problem = "has an extendedKeyUsage";
  }
  if (problem == nullptr) return OkStatus();
  return UnauthenticatedError(
      fmt::format("certificate '{}' {}: it is not a configuration-signing certificate",
                  leaf.subject(), problem),
      std::string(kNotConfigurationSigner));
}

}  // namespace

Status ConfigurationInfo::CheckCurrent(TimePoint now) const {
  if (now >= expires_at) {
    return UnavailableError(
        fmt::format("global configuration version {} expired at {}; checked at {}", version,
                    FormatRfc3339(expires_at), FormatRfc3339(now)),
        std::string(kExpired));
  }
  if (now < issued_at) {
    return UnavailableError(
        fmt::format("global configuration version {} is not valid before {}; checked at {}",
                    version, FormatRfc3339(issued_at), FormatRfc3339(now)),
        std::string(kNotYetValid));
  }
  return OkStatus();
}

StatusOr<std::string> SignConfiguration(const v1::GlobalConfiguration& configuration,
                                        const crypto::Signer& signer,
                                        const std::vector<crypto::Certificate>& signer_chain) {
  if (signer_chain.empty() || signer_chain.front().public_key().key_id() != signer.key_id()) {
    return InvalidArgumentError("the signer chain must start with the signer's own certificate",
                                std::string(kSignerMismatch));
  }
  TRUC_RETURN_IF_ERROR(ReadInfo(configuration).status());
  v1::SignedGlobalConfiguration signed_configuration;
  TRUC_ASSIGN_OR_RETURN(*signed_configuration.mutable_configuration(),
                        proto::SerializeDeterministically(configuration));
  TRUC_ASSIGN_OR_RETURN(crypto::Signature signature,
                        signer.Sign(signed_configuration.configuration()));
  signed_configuration.mutable_signature()->set_key_id(std::move(signature.key_id));
  signed_configuration.mutable_signature()->set_value(std::move(signature.value));
  for (const crypto::Certificate& cert : signer_chain) {
    signed_configuration.add_signer_certificate_chain(cert.ToDer());
  }
  return proto::SerializeDeterministically(signed_configuration);
}

StatusOr<VerifiedConfiguration> VerifyConfigurationAnyPeriod(std::string_view signed_bytes,
                                                             const crypto::TrustStore& anchors,
                                                             TimePoint now) {
  TRUC_ASSIGN_OR_RETURN(const v1::SignedGlobalConfiguration envelope,
                        Parse<v1::SignedGlobalConfiguration>(signed_bytes));
  if (envelope.configuration().empty() || !envelope.has_signature() ||
      envelope.signer_certificate_chain().empty()) {
    return Malformed(
        "the signed configuration lacks the configuration, the signature or the "
        "signer's certificate");
  }
  std::vector<crypto::Certificate> chain;
  for (int i = 0; i < envelope.signer_certificate_chain_size(); ++i) {
    StatusOr<crypto::Certificate> cert =
        crypto::Certificate::FromDer(envelope.signer_certificate_chain(i));
    if (!cert.ok()) {
      return Malformed(cert.status().Annotate(fmt::format("signer certificate {}", i)).message());
    }
    chain.push_back(*std::move(cert));
  }
  const crypto::Certificate& leaf = chain.front();

  // The signature first: until it verifies, nothing in the configuration is worth reading.
  const crypto::Signature signature{envelope.signature().key_id(), envelope.signature().value()};
  if (const Status verified = leaf.public_key().Verify(envelope.configuration(), signature);
      !verified.ok()) {
    return UnauthenticatedError(
        fmt::format("the configuration's signature does not verify with the key of '{}': {}",
                    leaf.subject(), verified.message()),
        std::string(kBadSignature));
  }
  TRUC_ASSIGN_OR_RETURN(v1::GlobalConfiguration configuration,
                        Parse<v1::GlobalConfiguration>(envelope.configuration()));
  TRUC_ASSIGN_OR_RETURN(ConfigurationInfo info, ReadInfo(configuration));

  const std::span<const crypto::Certificate> intermediates(chain.begin() + 1, chain.end());
  if (StatusOr<std::vector<crypto::Certificate>> trusted =
          anchors.VerifyChain(leaf, intermediates, std::min(now, info.expires_at));
      !trusted.ok()) {
    return trusted.status().Annotate("configuration signer");
  }
  TRUC_RETURN_IF_ERROR(CheckConfigurationSigner(leaf));
  return VerifiedConfiguration{std::move(configuration), info, std::string(signed_bytes)};
}

StatusOr<VerifiedConfiguration> VerifyConfiguration(std::string_view signed_bytes,
                                                    const crypto::TrustStore& anchors,
                                                    TimePoint now) {
  TRUC_ASSIGN_OR_RETURN(VerifiedConfiguration verified,
                        VerifyConfigurationAnyPeriod(signed_bytes, anchors, now));
  TRUC_RETURN_IF_ERROR(verified.info.CheckCurrent(now));
  return verified;
}

}  // namespace truc::globalconf
