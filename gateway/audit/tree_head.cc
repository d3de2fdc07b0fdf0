#include "gateway/audit/tree_head.h"

#include <chrono>
#include <vector>

#include <fmt/format.h>

#include "core/base/encoding.h"
#include "core/crypto/digest.h"
#include "core/merkle/hash.h"
#include "core/pki/certificate_profiles.h"
#include "proto/timestamp_conversion.h"

namespace truc::gateway::audit {
namespace {

Status Malformed(std::string message) {
  return InvalidArgumentError(std::move(message), std::string(kMalformedTreeHead));
}

Status CheckRoot(const v1::TreeHead& head) {
  if (head.root_hash().size() != merkle::kHashSize) {
    return Malformed(fmt::format("the tree head's root has {} bytes, not {}",
                                 head.root_hash().size(), merkle::kHashSize));
  }
  return OkStatus();
}

StatusOr<std::vector<crypto::Certificate>> ParseChain(const v1::SignedTreeHead& signed_head) {
  if (signed_head.certificate_chain().empty()) {
    return Malformed("the signed tree head carries no certificate");
  }
  StatusOr<std::vector<crypto::Certificate>> chain =
      crypto::Certificate::FromDerChain(signed_head.certificate_chain());
  if (!chain.ok()) return chain.status().Annotate("the tree head signer's certificate chain");
  return chain;
}

}  // namespace

std::string TreeHeadPayload(const v1::TreeHead& head, TimePoint signed_at) {
  return fmt::format("truc.v1.tree-head\n{}\n{}\n{}\n", head.size(), HexEncode(head.root_hash()),
                     FormatRfc3339(signed_at));
}

std::string TreeHeadDigest(const v1::SignedTreeHead& signed_head) {
  return crypto::Sha256(
      TreeHeadPayload(signed_head.head(), proto::FromProtoTimestamp(signed_head.signed_at())));
}

StatusOr<v1::SignedTreeHead> SignTreeHead(const v1::TreeHead& head, const crypto::Signer& signer,
                                          std::span<const crypto::Certificate> chain,
                                          const Clock& clock) {
  TRUC_RETURN_IF_ERROR(CheckRoot(head));
  // Millisecond precision: the time is written into the signed text and into the proto.
  const TimePoint signed_at = std::chrono::floor<std::chrono::milliseconds>(clock.Now());
  TRUC_ASSIGN_OR_RETURN(const crypto::Signature signature,
                        signer.Sign(TreeHeadPayload(head, signed_at)));
  v1::SignedTreeHead out;
  *out.mutable_head() = head;
  *out.mutable_signed_at() = proto::ToProtoTimestamp(signed_at);
  out.mutable_signature()->set_key_id(signature.key_id);
  out.mutable_signature()->set_value(signature.value);
  for (const crypto::Certificate& cert : chain) out.add_certificate_chain(cert.ToDer());
  return out;
}

StatusOr<TimePoint> VerifySignedTreeHead(const v1::SignedTreeHead& signed_head,
                                         const ids::MemberId& signer,
                                         const crypto::TrustStore& trust,
                                         const timestamp::TimestampVerifier& timestamps) {
  TRUC_RETURN_IF_ERROR(CheckRoot(signed_head.head()));
  if (!signed_head.has_signed_at()) return Malformed("the tree head has no signing time");
  if (signed_head.timestamp_token().empty()) {
    return Malformed("the tree head has no timestamp token");
  }
  TRUC_ASSIGN_OR_RETURN(const std::vector<crypto::Certificate> chain, ParseChain(signed_head));
  const crypto::Certificate& leaf = chain.front();

  const crypto::Signature signature{signed_head.signature().key_id(),
                                    signed_head.signature().value()};
  TRUC_RETURN_IF_ERROR(
      leaf.public_key()
          .Verify(TreeHeadPayload(signed_head.head(),
                                  proto::FromProtoTimestamp(signed_head.signed_at())),
                  signature)
          .Annotate("the tree head signature"));

  TRUC_ASSIGN_OR_RETURN(
      const timestamp::TimestampInfo timestamp,
      timestamps.VerifyToken(signed_head.timestamp_token(), TreeHeadDigest(signed_head)));

  TRUC_RETURN_IF_ERROR(trust.VerifyChain(leaf, std::span(chain).subspan(1), timestamp.gen_time)
                           .status()
                           .Annotate("the tree head signer's certificate"));
  StatusOr<ids::MemberId> holder = pki::MemberIdFromSigningCertificate(leaf);
  if (!holder.ok()) return holder.status().Annotate("the tree head signer's certificate");
  if (*holder != signer) {
    return UnauthenticatedError(fmt::format("the tree head was signed by {}, not by {}",
                                            holder->ToString(), signer.ToString()),
                                std::string(kWrongSigner));
  }
  return timestamp.gen_time;
}

}  // namespace truc::gateway::audit
