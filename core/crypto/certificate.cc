#include "core/crypto/certificate.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/base/encoding.h"
#include "core/base/file.h"
#include "core/crypto/digest.h"

namespace truc::crypto {
namespace {

std::string CertificateDer(X509* cert) {
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

}  // namespace

StatusOr<Certificate> Certificate::FromNative(X509Ptr cert) {
  if (!cert) return InvalidArgumentError("no certificate", "crypto.malformed");
  // The certificate keeps its SubjectPublicKeyInfo as parsed: encode that structure directly.
  unsigned char* spki = nullptr;
  const int spki_length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &spki);
  const std::string spki_der(reinterpret_cast<char*>(spki),
                             static_cast<size_t>(std::max(0, spki_length)));
  OPENSSL_free(spki);
  StatusOr<PublicKey> key =
      PublicKey::FromNative(EvpPkeyPtr(X509_get_pubkey(cert.get())), spki_der);
  if (!key.ok()) {
    return key.status().Annotate(
        fmt::format("certificate '{}'", NameToString(X509_get_subject_name(cert.get()))));
  }
  return Certificate(std::shared_ptr<X509>(cert.release(), X509_free), *std::move(key));
}

StatusOr<std::vector<Certificate>> Certificate::FromPemBundle(std::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  std::vector<Certificate> certs;
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    TRUC_ASSIGN_OR_RETURN(Certificate parsed, FromNative(std::move(cert)));
    certs.push_back(std::move(parsed));
  }
  // The loop ends on "no more PEM blocks", which OpenSSL reports as an error; anything else is a
  // real parse failure.
  const unsigned long error = ERR_peek_last_error();
  if (ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE &&
      !certs.empty()) {
    ClearOpenSslErrors();
    return certs;
  }
  if (certs.empty()) {
    return OpenSslError(StatusCode::kInvalidArgument, "no PEM certificate found",
                        "crypto.malformed");
  }
  return OpenSslError(StatusCode::kInvalidArgument,
                      fmt::format("malformed PEM certificate after the {}. one", certs.size()),
                      "crypto.malformed");
}

StatusOr<Certificate> Certificate::FromPem(std::string_view pem) {
  TRUC_ASSIGN_OR_RETURN(std::vector<Certificate> certs, FromPemBundle(pem));
  if (certs.size() != 1) {
    return InvalidArgumentError(fmt::format("expected one PEM certificate, found {}", certs.size()),
                                "crypto.malformed");
  }
  return std::move(certs.front());
}

StatusOr<Certificate> Certificate::FromDer(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) {
    return OpenSslError(StatusCode::kInvalidArgument, "not a DER certificate", "crypto.malformed");
  }
  return FromNative(std::move(cert));
}

StatusOr<std::vector<Certificate>> Certificate::LoadPemFile(const std::string& path) {
  TRUC_ASSIGN_OR_RETURN(std::string pem, ReadFile(path, 16 << 20));
  StatusOr<std::vector<Certificate>> certs = FromPemBundle(pem);
  if (!certs.ok()) return certs.status().Annotate(path);
  return certs;
}

StatusOr<std::string> Certificate::FingerprintOfFile(const std::string& path) {
  TRUC_ASSIGN_OR_RETURN(const std::vector<Certificate> certs, LoadPemFile(path));
  return certs.front().Fingerprint();
}

std::string Certificate::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert_.get());
  return BioContents(bio.get());
}

std::string Certificate::ToDer() const { return CertificateDer(cert_.get()); }

std::string Certificate::subject() const {
  return NameToString(X509_get_subject_name(cert_.get()));
}

std::string Certificate::issuer() const { return NameToString(X509_get_issuer_name(cert_.get())); }

std::string Certificate::SubjectAttribute(std::string_view short_name) const {
  const int nid = OBJ_sn2nid(std::string(short_name).c_str());
  if (nid == NID_undef) return "";
  X509_NAME* name = X509_get_subject_name(cert_.get());
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return "";
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

std::string Certificate::serial_hex() const {
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_.get()), nullptr));
  char* hex = BN_bn2hex(serial.get());
  std::string out(hex);
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

TimePoint Certificate::not_before() const {
  // A certificate that parsed has well-formed validity times.
  return FromAsn1Time(X509_get0_notBefore(cert_.get())).value();
}

TimePoint Certificate::not_after() const {
  return FromAsn1Time(X509_get0_notAfter(cert_.get())).value();
}

bool Certificate::IsCa() const { return X509_check_ca(cert_.get()) != 0; }

std::string Certificate::Fingerprint() const { return Sha256(ToDer()); }

std::vector<std::string> Certificate::SubjectAltNames() const {
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert_.get(), NID_subject_alt_name, nullptr, nullptr));
  if (sans == nullptr) return names;
  for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* dns = name->d.dNSName;
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                         static_cast<size_t>(ASN1_STRING_length(dns)));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      const unsigned char* bytes = ASN1_STRING_get0_data(ip);
      if (ASN1_STRING_length(ip) == 4) {
        names.push_back(fmt::format("{}.{}.{}.{}", bytes[0], bytes[1], bytes[2], bytes[3]));
      } else if (ASN1_STRING_length(ip) == 16) {
        std::string v6;
        for (int k = 0; k < 16; k += 2) {
          if (k > 0) v6 += ':';
          v6 += fmt::format("{:x}", (bytes[k] << 8) | bytes[k + 1]);
        }
        names.push_back(std::move(v6));
      }
    }
  }
  GENERAL_NAMES_free(sans);
  return names;
}

bool Certificate::operator==(const Certificate& other) const {
  return X509_cmp(cert_.get(), other.cert_.get()) == 0;
}

}  // namespace truc::crypto
