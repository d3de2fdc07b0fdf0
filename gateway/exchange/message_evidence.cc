#include "gateway/exchange/message_evidence.h"

#include <fmt/format.h>

#include "core/ids/id_proto.h"
#include "gateway/errors.h"
#include "gateway/exchange/service_call.h"

namespace truc::gateway {
void DescribeMessage(const MessageIdentity& identity, v1::ExchangeMessage& message) {
  v1::MessageEvidence& evidence = *message.mutable_evidence();
  evidence.set_kind(identity.kind);
  evidence.set_message_id(identity.message_id);
  evidence.set_request_id(identity.request_id);
  *evidence.mutable_client() = ids::ToProto(identity.client);
  *evidence.mutable_service() = ids::ToProto(identity.service);
  *evidence.mutable_digests() =
      evidence::DigestMessage(evidence::HeaderFieldsOf(message.headers()), message.body());
  evidence.set_request_hash(identity.request_hash);
}

void BatchSealer::Seal(const MessageIdentity& identity, v1::ExchangeMessage& message,
                       std::function<void(Status)> done) {
  DescribeMessage(identity, message);
  signer_.Sign(message.evidence(), [&message, done = std::move(done)](
                                       StatusOr<v1::BatchSignature> signature) {
    if (!signature.ok()) {
      return done(InternalError("signing the message failed: " + signature.status().ToString()));
    }
    *message.mutable_signature() = *std::move(signature);
    done(OkStatus());
  });
}

Status SealMessage(const MessageIdentity& identity, evidence::BatchSigner& signer,
                   std::string_view prefix, v1::ExchangeMessage& message) {
  DescribeMessage(identity, message);
  StatusOr<v1::BatchSignature> signature = signer.Sign(message.evidence()).get();
  if (!signature.ok()) {
    return ProxyError(prefix, error_code::kInternalError,
                      "signing the message failed: " + signature.status().ToString());
  }
  *message.mutable_signature() = std::move(*signature);
  return OkStatus();
}

Status VerifySeal(const v1::ExchangeMessage& message, const ids::MemberId& signer,
                  const globalconf::ConfigurationView& view, evidence::VerificationCache& cache,
                  std::string_view prefix) {
  const v1::MessageDigests digests =
      evidence::DigestMessage(evidence::HeaderFieldsOf(message.headers()), message.body());
  if (digests.headers_sha256() != message.evidence().digests().headers_sha256()) {
    return ProxyError(prefix, error_code::kInvalidSignatureValue,
                      "the message's header fields differ from those its sender signed");
  }
  if (digests.body_sha256() != message.evidence().digests().body_sha256()) {
    return ProxyError(prefix, error_code::kInvalidSignatureValue,
                      "the message's body differs from the one its sender signed");
  }
  const StatusOr<TimePoint> signed_at = cache.VerifyMessageSignature(
      message.evidence(), message.signature(), signer, view.trust_store(), view.info().version);
  if (!signed_at.ok()) {
    return ProxyError(prefix, error_code::kInvalidSignatureValue,
                      fmt::format("the signature of {} does not hold: {}", signer.ToString(),
                                  signed_at.status().ToString()));
  }
  return OkStatus();
}

}  // namespace truc::gateway
