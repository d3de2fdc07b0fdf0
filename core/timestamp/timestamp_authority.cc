#include "core/timestamp/timestamp_authority.h"

#include <fmt/format.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "core/crypto/openssl_util.h"

namespace truc::timestamp {
namespace {

using crypto::OpenSslError;
using crypto::OpenSslPtr;
using Asn1ObjectPtr = OpenSslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using TsRespCtxPtr = OpenSslPtr<TS_RESP_CTX, TS_RESP_CTX_free>;
using TsRespPtr = OpenSslPtr<TS_RESP, TS_RESP_free>;

struct CallbackData {
  SerialCounter* serials;
  const Clock* clock;
};

ASN1_INTEGER* NextSerial(TS_RESP_CTX* ctx, void* data) {
  StatusOr<uint64_t> serial = static_cast<CallbackData*>(data)->serials->Next();
  if (!serial.ok()) {
    TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION, "no serial number available");
    TS_RESP_CTX_add_failure_info(ctx, TS_INFO_ADD_INFO_NOT_AVAILABLE);
    return nullptr;
  }
  ASN1_INTEGER* out = ASN1_INTEGER_new();
  ASN1_INTEGER_set_uint64(out, *serial);
  return out;
}

int CurrentTime(TS_RESP_CTX*, void* data, long* seconds, long* micros) {
  const auto since_epoch = static_cast<CallbackData*>(data)->clock->Now().time_since_epoch();
  const auto whole = std::chrono::floor<std::chrono::seconds>(since_epoch);
  *seconds = static_cast<long>(whole.count());
  *micros = static_cast<long>(
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch - whole).count());
  return 1;
}

}  // namespace

struct TimestampAuthority::Native {
  Asn1ObjectPtr policy;
  mutable CallbackData callback_data;
};

TimestampAuthority::TimestampAuthority(TsaOptions options, crypto::PrivateKey key,
                                       std::vector<crypto::Certificate> chain,
                                       std::unique_ptr<SerialCounter> serials, const Clock& clock,
                                       std::unique_ptr<Native> native)
    : options_(std::move(options)),
      key_(std::move(key)),
      chain_(std::move(chain)),
      serials_(std::move(serials)),
      clock_(clock),
      native_(std::move(native)) {
  native_->callback_data = {serials_.get(), &clock_};
}

TimestampAuthority::~TimestampAuthority() = default;

StatusOr<std::unique_ptr<TimestampAuthority>> TimestampAuthority::Create(
    TsaOptions options, crypto::PrivateKey key, std::vector<crypto::Certificate> chain,
    std::unique_ptr<SerialCounter> serials, const Clock& clock) {
  if (options.policy_oid.empty()) {
    return InvalidArgumentError("a TSA policy OID is required", "tsa.bad_options");
  }
  auto native = std::make_unique<Native>();
  native->policy.reset(OBJ_txt2obj(options.policy_oid.c_str(), /*no_name=*/1));
  if (!native->policy) {
    crypto::ClearOpenSslErrors();
    return InvalidArgumentError(
        fmt::format("TSA policy '{}' is not a dotted OID", options.policy_oid), "tsa.bad_options");
  }
  if (options.clock_precision_digits < 0 || options.clock_precision_digits > 6) {
    return InvalidArgumentError("clock precision must be 0 to 6 digits", "tsa.bad_options");
  }
  if (chain.empty()) return InvalidArgumentError("no TSA certificate", "tsa.bad_options");
  const crypto::Certificate& cert = chain.front();
  if (cert.public_key().key_id() != key.key_id()) {
    return InvalidArgumentError(
        fmt::format("the TSA key does not match certificate '{}'", cert.subject()),
        "tsa.key_mismatch");
  }
  // The same check OpenSSL makes per request, done once with a clear message.
  const uint32_t xku = X509_get_extended_key_usage(cert.native_handle());
  const int critical_index = X509_get_ext_by_NID(cert.native_handle(), NID_ext_key_usage, -1);
  if (xku != XKU_TIMESTAMP || critical_index < 0 ||
      !X509_EXTENSION_get_critical(X509_get_ext(cert.native_handle(), critical_index))) {
    return InvalidArgumentError(
        fmt::format("certificate '{}' is not a TSA certificate: it needs a critical "
                    "extendedKeyUsage of timeStamping only",
                    cert.subject()),
        "tsa.not_a_tsa_certificate");
  }
  return std::unique_ptr<TimestampAuthority>(
      new TimestampAuthority(std::move(options), std::move(key), std::move(chain),
                             std::move(serials), clock, std::move(native)));
}

StatusOr<std::string> TimestampAuthority::Respond(std::string_view query_der) const {
  TsRespCtxPtr ctx(TS_RESP_CTX_new());
  if (!ctx) return OpenSslError(StatusCode::kInternal, "cannot create TSA context", "tsa.internal");
  const crypto::Certificate& cert = chain_.front();
  bool configured =
      TS_RESP_CTX_set_signer_cert(ctx.get(), cert.native_handle()) == 1 &&
      TS_RESP_CTX_set_signer_key(ctx.get(), key_.native_handle()) == 1 &&
      TS_RESP_CTX_set_signer_digest(ctx.get(), EVP_sha256()) == 1 &&
      TS_RESP_CTX_set_ess_cert_id_digest(ctx.get(), EVP_sha256()) == 1 &&
      TS_RESP_CTX_set_def_policy(ctx.get(), native_->policy.get()) == 1 &&
      TS_RESP_CTX_add_md(ctx.get(), EVP_sha256()) == 1 &&
      TS_RESP_CTX_add_md(ctx.get(), EVP_sha384()) == 1 &&
      TS_RESP_CTX_add_md(ctx.get(), EVP_sha512()) == 1 &&
      TS_RESP_CTX_set_accuracy(ctx.get(), options_.accuracy_seconds, options_.accuracy_millis,
                               options_.accuracy_micros) == 1 &&
      TS_RESP_CTX_set_clock_precision_digits(
          ctx.get(), static_cast<unsigned>(options_.clock_precision_digits)) == 1;
  if (!configured) {
    return OpenSslError(StatusCode::kInternal, "cannot configure TSA context", "tsa.internal");
  }
  if (chain_.size() > 1) {
    STACK_OF(X509)* extra = sk_X509_new_null();
    for (size_t i = 1; i < chain_.size(); ++i) sk_X509_push(extra, chain_[i].native_handle());
    TS_RESP_CTX_set_certs(ctx.get(), extra);  // Copies the stack and takes references.
    sk_X509_free(extra);
  }
  TS_RESP_CTX_add_flags(ctx.get(), TS_TSA_NAME | TS_ESS_CERT_ID_CHAIN);
  TS_RESP_CTX_set_serial_cb(ctx.get(), NextSerial, &native_->callback_data);
  TS_RESP_CTX_set_time_cb(ctx.get(), CurrentTime, &native_->callback_data);

  crypto::BioPtr query = crypto::MemoryBio(query_der);
  TsRespPtr response(TS_RESP_create_response(ctx.get(), query.get()));
  if (!response) {
    return OpenSslError(StatusCode::kInternal, "cannot build a timestamp response", "tsa.internal");
  }
  crypto::ClearOpenSslErrors();  // Rejections leave parse errors behind; they are in the reply.
  unsigned char* der = nullptr;
  const int length = i2d_TS_RESP(response.get(), &der);
  if (length <= 0) {
    return OpenSslError(StatusCode::kInternal, "cannot encode a timestamp response",
                        "tsa.internal");
  }
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

}  // namespace truc::timestamp
