#include "core/evidence/message_signing.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/encoding.h"
#include "core/crypto/digest.h"
#include "core/merkle/hash.h"
#include "core/merkle/verify.h"
#include "core/pki/certificate_profiles.h"
#include "proto/deterministic_serialization.h"
#include "proto/timestamp_conversion.h"

namespace truc::evidence {
namespace {

std::string LowerCase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Status Malformed(std::string message) {
  return InvalidArgumentError(std::move(message), "evidence.malformed");
}

}  // namespace

HeaderFields HeaderFieldsOf(const google::protobuf::RepeatedPtrField<v1::Header>& headers) {
  HeaderFields fields;
  fields.reserve(headers.size());
  for (const v1::Header& header : headers) fields.emplace_back(header.name(), header.value());
  return fields;
}

std::string HeadersDigest(const HeaderFields& headers) {
  std::vector<std::pair<std::string, std::string_view>> canonical;
  canonical.reserve(headers.size());
  for (const auto& [name, value] : headers) canonical.emplace_back(LowerCase(name), value);
  std::stable_sort(canonical.begin(), canonical.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  crypto::Hasher hasher(crypto::DigestAlgorithm::kSha256);
  for (const auto& [name, value] : canonical) {
    hasher.Update(name);
    hasher.Update(":");
    hasher.Update(value);
    hasher.Update("\n");
  }
  return hasher.Finish();
}

v1::MessageDigests DigestMessage(const HeaderFields& headers, std::string_view body) {
  v1::MessageDigests digests;
  digests.set_headers_sha256(HeadersDigest(headers));
  digests.set_body_sha256(crypto::Sha256(body));
  return digests;
}

std::string SerializeEvidence(const v1::MessageEvidence& evidence) {
  // Evidence is bounded by the message size limit, far below protobuf's 2 GiB.
  return proto::SerializeDeterministically(evidence).value();
}

std::string RequestHash(const v1::MessageEvidence& request) {
  return crypto::Sha512(SerializeEvidence(request));
}

std::string BatchRootPayload(std::string_view root, TimePoint signed_at) {
  return fmt::format("truc.v1.batch-root\n{}\n{}\n", HexEncode(root), FormatRfc3339(signed_at));
}

namespace {

std::shared_ptr<const std::vector<std::string>> ToDer(
    const std::vector<crypto::Certificate>& chain) {
  auto der = std::make_shared<std::vector<std::string>>();
  for (const crypto::Certificate& cert : chain) der->push_back(cert.ToDer());
  return der;
}

}  // namespace

BatchSigner::BatchSigner(const crypto::Signer& signer, std::vector<crypto::Certificate> chain,
                         const Clock& clock, merkle::BatcherOptions options)
    : signer_(signer),
      chain_der_(ToDer(chain)),
      clock_(clock),
      batcher_([this](const std::string& root) { return SignRoot(root); }, options) {}

StatusOr<BatchSigner::SignedRoot> BatchSigner::SignRoot(const std::string& root) const {
  // Millisecond precision: the time is written into the signed text and into the proto.
  const TimePoint signed_at = std::chrono::floor<std::chrono::milliseconds>(clock_.Now());
  TRUC_ASSIGN_OR_RETURN(crypto::Signature signature,
                        signer_.Sign(BatchRootPayload(root, signed_at)));
  return SignedRoot{std::move(signature), signed_at};
}

void BatchSigner::Sign(const v1::MessageEvidence& evidence, Done done) {
  batcher_.Submit(
      merkle::HashLeaf(SerializeEvidence(evidence)),
      [chain = chain_der_, done = std::move(done)](StatusOr<merkle::BatchProof<SignedRoot>> proof) {
        if (!proof.ok()) return done(proof.status());
        merkle::BatchProof<SignedRoot>& batch = *proof;
        v1::BatchSignature out;
        out.set_merkle_root(batch.root);
        out.mutable_proof()->set_leaf_index(batch.leaf_index);
        out.mutable_proof()->set_tree_size(batch.tree_size);
        for (std::string& node : batch.path) out.mutable_proof()->add_audit_path(std::move(node));
        out.mutable_signature()->set_key_id(batch.commitment->signature.key_id);
        out.mutable_signature()->set_value(batch.commitment->signature.value);
        *out.mutable_signed_at() = proto::ToProtoTimestamp(batch.commitment->signed_at);
        for (const std::string& der : *chain) out.add_certificate_chain(der);
        done(std::move(out));
      });
}

std::future<StatusOr<v1::BatchSignature>> BatchSigner::Sign(const v1::MessageEvidence& evidence) {
  auto promise = std::make_shared<std::promise<StatusOr<v1::BatchSignature>>>();
  std::future<StatusOr<v1::BatchSignature>> result = promise->get_future();
  Sign(evidence, [promise](StatusOr<v1::BatchSignature> signature) {
    promise->set_value(std::move(signature));
  });
  return result;
}

Status VerifyBatchInclusion(const v1::MessageEvidence& evidence,
                            const v1::BatchSignature& signature) {
  const std::vector<std::string> path(signature.proof().audit_path().begin(),
                                      signature.proof().audit_path().end());
  return merkle::VerifyInclusion(merkle::HashLeaf(SerializeEvidence(evidence)),
                                 signature.proof().leaf_index(), signature.proof().tree_size(),
                                 path, signature.merkle_root())
      .Annotate("the message is not in the signed batch");
}

StatusOr<VerifiedSigner> VerifySignerChain(
    const google::protobuf::RepeatedPtrField<std::string>& chain_der, TimePoint at,
    const crypto::TrustStore& trust) {
  if (chain_der.empty()) return Malformed("the signature carries no certificate");
  StatusOr<std::vector<crypto::Certificate>> parsed = crypto::Certificate::FromDerChain(chain_der);
  if (!parsed.ok()) return parsed.status().Annotate("the signer's certificate chain");
  const std::vector<crypto::Certificate>& chain = *parsed;
  TRUC_ASSIGN_OR_RETURN(const std::vector<crypto::Certificate> path,
                        trust.VerifyChain(chain.front(), std::span(chain).subspan(1), at));
  if (pki::GuessProfile(chain.front()) != pki::Profile::kMemberSigning) {
    return UnauthenticatedError(
        fmt::format("'{}' is not a member signing certificate", chain.front().subject()),
        "evidence.wrong_profile");
  }
  TRUC_ASSIGN_OR_RETURN(ids::MemberId holder, pki::MemberIdFromSigningCertificate(chain.front()));
  VerifiedSigner signer{.key = chain.front().public_key(),
                        .member = std::move(holder),
                        .valid_from = TimePoint::min(),
                        .valid_until = TimePoint::max()};
  for (const crypto::Certificate& cert : path) {
    signer.valid_from = std::max(signer.valid_from, cert.not_before());
    signer.valid_until = std::min(signer.valid_until, cert.not_after());
  }
  return signer;
}

Status VerifyBatchRoot(const v1::BatchSignature& signature, const crypto::PublicKey& key) {
  const crypto::Signature value{signature.signature().key_id(), signature.signature().value()};
  return key.Verify(
      BatchRootPayload(signature.merkle_root(), proto::FromProtoTimestamp(signature.signed_at())),
      value);
}

Status CheckSignerIs(const VerifiedSigner& verified, const ids::MemberId& signer) {
  if (verified.member != signer) {
    return UnauthenticatedError(fmt::format("the message was signed by {}, not by {}",
                                            verified.member.ToString(), signer.ToString()),
                                "evidence.wrong_signer");
  }
  return OkStatus();
}

StatusOr<TimePoint> VerifyMessageSignature(const v1::MessageEvidence& evidence,
                                           const v1::BatchSignature& signature,
                                           const ids::MemberId& signer,
                                           const crypto::TrustStore& trust) {
  TRUC_RETURN_IF_ERROR(VerifyBatchInclusion(evidence, signature));
  const TimePoint signed_at = proto::FromProtoTimestamp(signature.signed_at());
  TRUC_ASSIGN_OR_RETURN(const VerifiedSigner verified,
                        VerifySignerChain(signature.certificate_chain(), signed_at, trust));
  TRUC_RETURN_IF_ERROR(CheckSignerIs(verified, signer));
  TRUC_RETURN_IF_ERROR(VerifyBatchRoot(signature, verified.key));
  return signed_at;
}

}  // namespace truc::evidence
