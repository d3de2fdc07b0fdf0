#include "core/pki/certificate_request.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/base/file.h"
#include "core/pki/x509_util.h"

namespace truc::pki {
namespace {

using crypto::OpenSslError;

using ExtensionStackPtr =
    std::unique_ptr<STACK_OF(X509_EXTENSION), decltype([](STACK_OF(X509_EXTENSION) * stack) {
                      sk_X509_EXTENSION_pop_free(stack, X509_EXTENSION_free);
                    })>;
using GeneralNamesPtr = crypto::OpenSslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;

constexpr size_t kMaxRequestFileBytes = 1 << 20;

Status MalformedRequest(std::string message) {
  return InvalidArgumentError(std::move(message), "pki.malformed_csr");
}

StatusOr<std::string> IpAddressText(const ASN1_OCTET_STRING* address) {
  const int length = ASN1_STRING_length(address);
  const int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : AF_UNSPEC;
  char text[INET6_ADDRSTRLEN];
  if (family == AF_UNSPEC ||
      inet_ntop(family, ASN1_STRING_get0_data(address), text, sizeof(text)) == nullptr) {
    return MalformedRequest(
        fmt::format("the request names an IP address of {} bytes in subjectAltName", length));
  }
  return std::string(text);
}

// The DNS names and IP addresses of the request's subjectAltName extension, if it has one.
StatusOr<std::vector<std::string>> RequestedSubjectAltNames(X509_REQ* request) {
  std::vector<std::string> names;
  ExtensionStackPtr extensions(X509_REQ_get_extensions(request));
  if (!extensions) return names;
  int critical = 0;
  GeneralNamesPtr general_names(static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(extensions.get(), NID_subject_alt_name, &critical, nullptr)));
  if (!general_names) {
    if (critical == -1) return names;  // No subjectAltName requested.
    return OpenSslError(StatusCode::kInvalidArgument,
                        "the request's subjectAltName extension is malformed or repeated",
                        "pki.malformed_csr");
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(general_names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(general_names.get(), i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* dns = name->d.dNSName;
      names.push_back("DNS:" +
                      std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                  static_cast<size_t>(ASN1_STRING_length(dns))));
    } else if (name->type == GEN_IPADD) {
      TRUC_ASSIGN_OR_RETURN(std::string address, IpAddressText(name->d.iPAddress));
      names.push_back("IP:" + address);
    } else {
      return MalformedRequest(
          "the request asks for a subjectAltName that is neither a DNS name nor an IP address");
    }
  }
  return names;
}

}  // namespace

namespace {

// A request for `key` with `subject` and `subject_alt_names`, not signed yet.
StatusOr<crypto::X509ReqPtr> Unsigned(EVP_PKEY* key, const DistinguishedName& subject,
                                      const std::vector<std::string>& subject_alt_names) {
  for (const std::string& name : subject_alt_names) {
    TRUC_RETURN_IF_ERROR(internal::CheckSubjectAltName(name));
  }
  crypto::X509ReqPtr request(X509_REQ_new());
  if (!request || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1) {
    return OpenSslError(StatusCode::kInternal, "cannot create a certificate request",
                        "pki.internal");
  }
  TRUC_ASSIGN_OR_RETURN(crypto::X509NamePtr name, internal::BuildName(subject));
  if (X509_REQ_set_subject_name(request.get(), name.get()) != 1 ||
      X509_REQ_set_pubkey(request.get(), key) != 1) {
    return OpenSslError(StatusCode::kInternal, "cannot fill in the certificate request",
                        "pki.internal");
  }
  if (!subject_alt_names.empty()) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, nullptr, nullptr, request.get(), nullptr, 0);
    TRUC_ASSIGN_OR_RETURN(
        crypto::X509ExtensionPtr extension,
        internal::MakeExtension(&ctx, NID_subject_alt_name,
                                fmt::format("{}", fmt::join(subject_alt_names, ","))));
    ExtensionStackPtr extensions(sk_X509_EXTENSION_new_null());
    if (!extensions || sk_X509_EXTENSION_push(extensions.get(), extension.get()) <= 0) {
      return OpenSslError(StatusCode::kInternal, "out of memory", "pki.internal");
    }
    static_cast<void>(extension.release());  // Now owned by `extensions`.
    if (X509_REQ_add_extensions(request.get(), extensions.get()) != 1) {
      return OpenSslError(StatusCode::kInternal, "cannot add the requested extensions",
                          "pki.internal");
    }
  }
  return request;
}

}  // namespace

StatusOr<CertificateRequest> CertificateRequest::Create(
    const crypto::PrivateKey& key, const DistinguishedName& subject,
    const std::vector<std::string>& subject_alt_names) {
  TRUC_ASSIGN_OR_RETURN(crypto::X509ReqPtr request,
                        Unsigned(key.native_handle(), subject, subject_alt_names));
  if (X509_REQ_sign(request.get(), key.native_handle(),
                    internal::SignatureDigest(key.public_key())) <= 0) {
    return OpenSslError(StatusCode::kInternal, "cannot sign the certificate request",
                        "pki.internal");
  }
  return FromNative(std::move(request));
}

StatusOr<CertificateRequest> CertificateRequest::Create(
    const crypto::PublicKey& key, const crypto::Signer& signer, const DistinguishedName& subject,
    const std::vector<std::string>& subject_alt_names) {
  if (key.type() != crypto::KeyType::kEcP256 || signer.key_id() != key.key_id()) {
    return InvalidArgumentError("a request signed through a signer needs its EC P-256 key",
                                "pki.bad_template");
  }
  TRUC_ASSIGN_OR_RETURN(crypto::X509ReqPtr request,
                        Unsigned(key.native_handle(), subject, subject_alt_names));
  // ecdsa-with-SHA256 over the DER of the request's info, signed by `signer`.
  X509_ALGOR* algorithm = X509_ALGOR_new();
  if (algorithm == nullptr ||
      X509_ALGOR_set0(algorithm, OBJ_nid2obj(NID_ecdsa_with_SHA256), V_ASN1_UNDEF, nullptr) != 1 ||
      X509_REQ_set1_signature_algo(request.get(), algorithm) != 1) {
    X509_ALGOR_free(algorithm);
    return OpenSslError(StatusCode::kInternal, "cannot set the request's signature algorithm",
                        "pki.internal");
  }
  X509_ALGOR_free(algorithm);
  unsigned char* info = nullptr;
  const int info_size = i2d_re_X509_REQ_tbs(request.get(), &info);
  if (info_size <= 0) {
    return OpenSslError(StatusCode::kInternal, "cannot encode the request", "pki.internal");
  }
  const std::string to_sign(reinterpret_cast<const char*>(info), static_cast<size_t>(info_size));
  OPENSSL_free(info);
  TRUC_ASSIGN_OR_RETURN(const crypto::Signature signature, signer.Sign(to_sign));
  ASN1_BIT_STRING* bits = ASN1_BIT_STRING_new();
  if (bits == nullptr ||
      ASN1_BIT_STRING_set(
          bits, reinterpret_cast<unsigned char*>(const_cast<char*>(signature.value.data())),
          static_cast<int>(signature.value.size())) != 1) {
    ASN1_BIT_STRING_free(bits);
    return OpenSslError(StatusCode::kInternal, "out of memory", "pki.internal");
  }
  // No unused bits: the signature is whole bytes.
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  X509_REQ_set0_signature(request.get(), bits);
  // FromNative checks the signature, as any request's.
  return FromNative(std::move(request));
}

StatusOr<CertificateRequest> CertificateRequest::FromPem(std::string_view pem) {
  crypto::BioPtr bio = crypto::MemoryBio(pem);
  crypto::X509ReqPtr request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!request) {
    return OpenSslError(StatusCode::kInvalidArgument,
                        "not a PEM certificate request (a '-----BEGIN CERTIFICATE REQUEST-----' "
                        "block)",
                        "pki.malformed_csr");
  }
  if (crypto::X509ReqPtr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr))) {
    return MalformedRequest("more than one certificate request; expected exactly one");
  }
  crypto::ClearOpenSslErrors();  // The second read's "no start line".
  return FromNative(std::move(request));
}

StatusOr<CertificateRequest> CertificateRequest::LoadPemFile(const std::string& path) {
  TRUC_ASSIGN_OR_RETURN(std::string pem, ReadFile(path, kMaxRequestFileBytes));
  StatusOr<CertificateRequest> request = FromPem(pem);
  if (!request.ok()) return request.status().Annotate(path);
  return request;
}

StatusOr<CertificateRequest> CertificateRequest::FromNative(crypto::X509ReqPtr request) {
  StatusOr<crypto::PublicKey> public_key =
      crypto::PublicKey::FromNative(crypto::EvpPkeyPtr(X509_REQ_get_pubkey(request.get())));
  if (!public_key.ok()) {
    return MalformedRequest(
        fmt::format("the request's public key is not usable: {}", public_key.status().message()));
  }
  if (X509_REQ_verify(request.get(), public_key->native_handle()) != 1) {
    crypto::ClearOpenSslErrors();
    return UnauthenticatedError(
        "the request's signature does not verify with the public key it carries: it was "
        "altered, or not signed by the holder of that key",
        "pki.csr_bad_signature");
  }
  StatusOr<DistinguishedName> subject =
      internal::ReadName(X509_REQ_get_subject_name(request.get()));
  if (!subject.ok()) return MalformedRequest(subject.status().message());
  TRUC_ASSIGN_OR_RETURN(std::vector<std::string> subject_alt_names,
                        RequestedSubjectAltNames(request.get()));
  return CertificateRequest(std::move(request), *std::move(public_key), *std::move(subject),
                            std::move(subject_alt_names));
}

std::string CertificateRequest::ToPem() const {
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), request_.get());
  return crypto::BioContents(bio.get());
}

std::string CertificateRequest::subject_text() const {
  return crypto::NameToString(X509_REQ_get_subject_name(request_.get()));
}

}  // namespace truc::pki
