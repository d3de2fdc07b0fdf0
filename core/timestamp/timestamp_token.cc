#include "core/timestamp/timestamp_token.h"

#include <algorithm>

#include <fmt/format.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>

#include "core/base/encoding.h"
#include "core/crypto/openssl_util.h"

namespace truc::timestamp {
namespace {

using crypto::OpenSslPtr;
using Pkcs7Ptr = OpenSslPtr<PKCS7, PKCS7_free>;
using TsTstInfoPtr = OpenSslPtr<TS_TST_INFO, TS_TST_INFO_free>;
using TsReqPtr = OpenSslPtr<TS_REQ, TS_REQ_free>;
using TsRespPtr = OpenSslPtr<TS_RESP, TS_RESP_free>;
using TsMsgImprintPtr = OpenSslPtr<TS_MSG_IMPRINT, TS_MSG_IMPRINT_free>;
using TsVerifyCtxPtr = OpenSslPtr<TS_VERIFY_CTX, TS_VERIFY_CTX_free>;
using X509AlgorPtr = OpenSslPtr<X509_ALGOR, X509_ALGOR_free>;

Status Malformed(std::string message) {
  crypto::ClearOpenSslErrors();
  return InvalidArgumentError(std::move(message), std::string(kMalformed));
}

std::string AsnIntegerBytes(const ASN1_INTEGER* value) {
  crypto::BignumPtr bn(ASN1_INTEGER_to_BN(value, nullptr));
  std::string out(static_cast<size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

crypto::Asn1IntegerPtr AsnIntegerFromBytes(std::string_view bytes) {
  crypto::BignumPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                                 static_cast<int>(bytes.size()), nullptr));
  return crypto::Asn1IntegerPtr(BN_to_ASN1_INTEGER(bn.get(), nullptr));
}

// The single SignerInfo's issuer and serial, which name the certificate that signed the token.
const PKCS7_ISSUER_AND_SERIAL* SignerId(PKCS7* token) {
  STACK_OF(PKCS7_SIGNER_INFO)* signers = PKCS7_get_signer_info(token);
  if (signers == nullptr || sk_PKCS7_SIGNER_INFO_num(signers) != 1) return nullptr;
  return sk_PKCS7_SIGNER_INFO_value(signers, 0)->issuer_and_serial;
}

}  // namespace

StatusOr<std::string> MakeTimestampQuery(std::string_view sha256_digest, std::string_view nonce) {
  if (sha256_digest.size() != 32) {
    return InvalidArgumentError(
        fmt::format("a SHA-256 digest is 32 bytes, not {}", sha256_digest.size()),
        "timestamp.bad_digest");
  }
  TsReqPtr request(TS_REQ_new());
  TsMsgImprintPtr imprint(TS_MSG_IMPRINT_new());
  X509AlgorPtr algorithm(X509_ALGOR_new());
  X509_ALGOR_set_md(algorithm.get(), EVP_sha256());
  bool ok =
      TS_REQ_set_version(request.get(), 1) == 1 &&
      TS_MSG_IMPRINT_set_algo(imprint.get(), algorithm.get()) == 1 &&
      TS_MSG_IMPRINT_set_msg(
          imprint.get(), reinterpret_cast<unsigned char*>(const_cast<char*>(sha256_digest.data())),
          static_cast<int>(sha256_digest.size())) == 1 &&
      TS_REQ_set_msg_imprint(request.get(), imprint.get()) == 1 &&
      TS_REQ_set_cert_req(request.get(), 1) == 1;
  if (ok && !nonce.empty()) {
    ok = TS_REQ_set_nonce(request.get(), AsnIntegerFromBytes(nonce).get()) == 1;
  }
  unsigned char* der = nullptr;
  const int length = ok ? i2d_TS_REQ(request.get(), &der) : -1;
  if (length <= 0) {
    return crypto::OpenSslError(StatusCode::kInternal, "cannot build a timestamp query",
                                "timestamp.internal");
  }
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

StatusOr<TimestampVerifier> TimestampVerifier::Create(
    std::vector<crypto::Certificate> approved_tsas, crypto::TrustStore ca_store) {
  if (approved_tsas.empty()) {
    return InvalidArgumentError("no approved timestamp authority", "timestamp.no_approved_tsa");
  }
  return TimestampVerifier(std::move(approved_tsas), std::move(ca_store));
}

StatusOr<TimestampInfo> TimestampVerifier::VerifyToken(std::string_view token_der,
                                                       std::string_view sha256_digest) const {
  const auto* p = reinterpret_cast<const unsigned char*>(token_der.data());
  Pkcs7Ptr token(d2i_PKCS7(nullptr, &p, static_cast<long>(token_der.size())));
  if (!token) return Malformed("timestamp token is not DER CMS SignedData");
  TsTstInfoPtr tst(PKCS7_to_TS_TST_INFO(token.get()));
  if (!tst) return Malformed("timestamp token holds no TSTInfo");

  TimestampInfo info;
  TRUC_ASSIGN_OR_RETURN(info.gen_time, crypto::FromAsn1Time(TS_TST_INFO_get_time(tst.get())));
  info.serial_hex = HexEncode(AsnIntegerBytes(TS_TST_INFO_get_serial(tst.get())));
  char policy[128] = {};
  OBJ_obj2txt(policy, sizeof(policy), TS_TST_INFO_get_policy_id(tst.get()), /*no_name=*/1);
  info.policy_oid = policy;
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(tst.get());
  const ASN1_OCTET_STRING* imprinted = TS_MSG_IMPRINT_get_msg(imprint);
  info.imprint.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(imprinted)),
                      static_cast<size_t>(ASN1_STRING_length(imprinted)));
  const int imprint_algorithm = OBJ_obj2nid(TS_MSG_IMPRINT_get_algo(imprint)->algorithm);
  if (imprint_algorithm != NID_sha256 || info.imprint != sha256_digest) {
    return UnauthenticatedError(
        fmt::format("timestamp token covers {} digest {}, not SHA-256 digest {}",
                    OBJ_nid2sn(imprint_algorithm), HexEncode(info.imprint),
                    HexEncode(sha256_digest)),
        std::string(kImprintMismatch));
  }

  // Which approved TSA signed it?
  const PKCS7_ISSUER_AND_SERIAL* signer_id = SignerId(token.get());
  if (signer_id == nullptr) return Malformed("timestamp token must have exactly one signer");
  const crypto::Certificate* signer = nullptr;
  for (const crypto::Certificate& approved : approved_) {
    if (X509_NAME_cmp(X509_get_issuer_name(approved.native_handle()), signer_id->issuer) == 0 &&
        ASN1_INTEGER_cmp(X509_get0_serialNumber(approved.native_handle()), signer_id->serial) ==
            0) {
      signer = &approved;
      break;
    }
  }
  if (signer == nullptr) {
    return UnauthenticatedError(
        fmt::format("timestamp token was signed by certificate {} of '{}', which is not an "
                    "approved timestamp authority",
                    HexEncode(AsnIntegerBytes(signer_id->serial)),
                    crypto::NameToString(signer_id->issuer)),
        std::string(kUnapprovedTsa));
  }
  info.tsa_subject = signer->subject();

  // First the CMS signature by that certificate, so that tampered content (genTime included) is
  // reported as such; validity is checked next, at the genTime the signature vouches for.
  crypto::X509StorePtr store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), signer->native_handle());
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
  STACK_OF(X509)* certs = sk_X509_new_null();
  X509_up_ref(signer->native_handle());
  sk_X509_push(certs, signer->native_handle());
  TsVerifyCtxPtr verify(TS_VERIFY_CTX_new());
  TS_VERIFY_CTX_set_flags(verify.get(), TS_VFY_SIGNATURE | TS_VFY_VERSION);
  TS_VERIFY_CTX_set_store(verify.get(), store.release());  // Takes ownership.
  TS_VERIFY_CTX_set_certs(verify.get(), certs);            // Takes ownership.
  if (TS_RESP_verify_token(verify.get(), token.get()) != 1) {
    return crypto::OpenSslError(
        StatusCode::kUnauthenticated,
        fmt::format("timestamp token signature by '{}' does not verify", signer->subject()),
        std::string(kBadSignature));
  }
  // The chain from the certificates the token carries: VerifyChain checks those the path does
  // not need as well, so that no byte of a token goes unchecked.
  std::vector<crypto::Certificate> carried;
  const STACK_OF(X509)* certs_in_token = token->d.sign->cert;
  for (int i = 0; certs_in_token != nullptr && i < sk_X509_num(certs_in_token); ++i) {
    X509* cert = sk_X509_value(certs_in_token, i);
    X509_up_ref(cert);
    TRUC_ASSIGN_OR_RETURN(crypto::Certificate parsed,
                          crypto::Certificate::FromNative(crypto::X509Ptr(cert)));
    carried.push_back(std::move(parsed));
  }
  TRUC_RETURN_IF_ERROR(
      store_.VerifyChain(*signer, carried, info.gen_time).status().Annotate("timestamp authority"));
  return info;
}

StatusOr<TimestampToken> TimestampVerifier::VerifyReply(std::string_view reply_der,
                                                        std::string_view sha256_digest,
                                                        std::string_view nonce) const {
  const auto* p = reinterpret_cast<const unsigned char*>(reply_der.data());
  TsRespPtr reply(d2i_TS_RESP(nullptr, &p, static_cast<long>(reply_der.size())));
  if (!reply) return Malformed("not a DER TimeStampResp");
  TS_STATUS_INFO* status = TS_RESP_get_status_info(reply.get());
  const long code = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(status));
  if (code != TS_STATUS_GRANTED && code != TS_STATUS_GRANTED_WITH_MODS) {
    std::string text;
    const STACK_OF(ASN1_UTF8STRING)* texts = TS_STATUS_INFO_get0_text(status);
    for (int i = 0; texts != nullptr && i < sk_ASN1_UTF8STRING_num(texts); ++i) {
      const ASN1_UTF8STRING* piece = sk_ASN1_UTF8STRING_value(texts, i);
      text += (text.empty() ? "" : "; ") +
              std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(piece)),
                          static_cast<size_t>(ASN1_STRING_length(piece)));
    }
    return UnauthenticatedError(fmt::format("timestamp authority refused (status {}): {}", code,
                                            text.empty() ? "no reason given" : text),
                                std::string(kRejected));
  }
  TS_TST_INFO* tst = TS_RESP_get_tst_info(reply.get());
  PKCS7* token = TS_RESP_get_token(reply.get());
  if (tst == nullptr || token == nullptr) return Malformed("granted reply without a token");
  if (!nonce.empty()) {
    const ASN1_INTEGER* returned = TS_TST_INFO_get_nonce(tst);
    if (returned == nullptr || ASN1_INTEGER_cmp(returned, AsnIntegerFromBytes(nonce).get()) != 0) {
      return UnauthenticatedError("timestamp reply does not carry the nonce of the query",
                                  std::string(kNonceMismatch));
    }
  }
  unsigned char* der = nullptr;
  const int length = i2d_PKCS7(token, &der);
  if (length <= 0) return Malformed("cannot encode the reply's token");
  TimestampToken out;
  out.der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  TRUC_ASSIGN_OR_RETURN(out.info, VerifyToken(out.der, sha256_digest));
  return out;
}

}  // namespace truc::timestamp
