#include "core/crypto/trust_store.h"

#include <algorithm>

#include <fmt/format.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace truc::crypto {
namespace {

using X509StackPtr =
    std::unique_ptr<STACK_OF(X509), decltype([](STACK_OF(X509) * s) { sk_X509_free(s); })>;

Status ChainError(std::string_view reason, std::string message) {
  return UnauthenticatedError(std::move(message), std::string(reason));
}

}  // namespace

StatusOr<TrustStore> TrustStore::Create(std::vector<Certificate> anchors,
                                        std::set<std::string> revoked_fingerprints) {
  if (anchors.empty()) {
    return InvalidArgumentError("a trust store needs at least one trusted CA",
                                "crypto.no_trust_anchor");
  }
  return TrustStore(std::move(anchors), std::move(revoked_fingerprints));
}

bool TrustStore::IsRevoked(const Certificate& cert) const {
  return revoked_.count(cert.Fingerprint()) != 0;
}

Status TrustStore::CheckSignatures(std::span<const Certificate> carried) const {
  for (const Certificate& cert : carried) {
    // A copy of an anchor is trusted as the anchor is.
    if (std::any_of(anchors_.begin(), anchors_.end(), [&](const Certificate& anchor) {
          return X509_cmp(anchor.native_handle(), cert.native_handle()) == 0;
        })) {
      continue;
    }
    const auto find_issuer = [&](std::span<const Certificate> candidates) {
      for (const Certificate& candidate : candidates) {
        if (X509_check_issued(candidate.native_handle(), cert.native_handle()) == X509_V_OK) {
          return &candidate;
        }
      }
      return static_cast<const Certificate*>(nullptr);
    };
    const Certificate* issuer = find_issuer(anchors_);
    if (issuer == nullptr) issuer = find_issuer(carried);
    EVP_PKEY* key = issuer != nullptr ? X509_get0_pubkey(issuer->native_handle()) : nullptr;
    if (key == nullptr || X509_verify(cert.native_handle(), key) != 1) {
      ClearOpenSslErrors();
      return ChainError(
          kCertBadSignature,
          fmt::format("certificate '{}' (serial {}) {}", cert.subject(), cert.serial_hex(),
                      issuer == nullptr ? "has no issuer among the certificates "
                                          "carried with it or the approved CAs"
                                        : "is not signed by its issuer"));
    }
  }
  return OkStatus();
}

StatusOr<std::vector<Certificate>> TrustStore::VerifyChain(
    const Certificate& leaf, std::span<const Certificate> intermediates, TimePoint at) const {
  X509StorePtr store(X509_STORE_new());
  for (const Certificate& anchor : anchors_)
    X509_STORE_add_cert(store.get(), anchor.native_handle());
  X509StackPtr untrusted(sk_X509_new_null());
  for (const Certificate& cert : intermediates) sk_X509_push(untrusted.get(), cert.native_handle());

  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx ||
      X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native_handle(), untrusted.get()) != 1) {
    return OpenSslError(StatusCode::kInternal, "cannot set up chain verification",
                        "crypto.internal");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(at));
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_X509_STRICT);

  const int verified = X509_verify_cert(ctx.get());
  if (verified != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    X509* failing = X509_STORE_CTX_get_current_cert(ctx.get());
    const std::string who = fmt::format(
        "certificate '{}'",
        failing != nullptr ? NameToString(X509_get_subject_name(failing)) : leaf.subject());
    ClearOpenSslErrors();
    switch (error) {
      case X509_V_ERR_CERT_HAS_EXPIRED:
        return ChainError(
            kCertExpired,
            fmt::format(
                "{} expired at {}; checked at {}", who,
                FormatRfc3339(FromAsn1Time(X509_get0_notAfter(failing)).value_or(TimePoint{})),
                FormatRfc3339(at)));
      case X509_V_ERR_CERT_NOT_YET_VALID:
        return ChainError(
            kCertNotYetValid,
            fmt::format(
                "{} is not valid before {}; checked at {}", who,
                FormatRfc3339(FromAsn1Time(X509_get0_notBefore(failing)).value_or(TimePoint{})),
                FormatRfc3339(at)));
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return ChainError(
            kCertUntrusted,
            fmt::format(
                "{} is not issued by a trusted CA (issuer '{}')", who,
                failing != nullptr ? NameToString(X509_get_issuer_name(failing)) : leaf.issuer()));
      case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        return ChainError(kCertBadSignature,
                          fmt::format("{} has a signature that its issuer did not make", who));
      default:
        return ChainError(kCertChainInvalid, fmt::format("{} at depth {}: {}", who, depth,
                                                         X509_verify_cert_error_string(error)));
    }
  }

  std::vector<Certificate> chain;
  STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(built); ++i) {
    X509* cert = sk_X509_value(built, i);
    X509_up_ref(cert);
    TRUC_ASSIGN_OR_RETURN(Certificate parsed, Certificate::FromNative(X509Ptr(cert)));
    if (IsRevoked(parsed)) {
      return ChainError(kCertRevoked, fmt::format("certificate '{}' (serial {}) is revoked",
                                                  parsed.subject(), parsed.serial_hex()));
    }
    chain.push_back(std::move(parsed));
  }
  TRUC_RETURN_IF_ERROR(CheckSignatures(intermediates));
  return chain;
}

}  // namespace truc::crypto
