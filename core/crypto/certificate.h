// X.509 certificates: parsing, inspection and fingerprints.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/crypto/keys.h"
#include "core/crypto/openssl_util.h"

namespace truc::crypto {

// An immutable, parsed certificate. Copies share the underlying OpenSSL object; thread-safe.
class Certificate {
 public:
  // Parses exactly one PEM "CERTIFICATE" block.
  static StatusOr<Certificate> FromPem(std::string_view pem);
  // Parses one or more concatenated PEM certificates (a chain or a bundle), in order.
  static StatusOr<std::vector<Certificate>> FromPemBundle(std::string_view pem);
  static StatusOr<Certificate> FromDer(std::string_view der);
  // Parses each DER certificate of `ders` (any range of strings, e.g. a repeated proto field),
  // in order; the first failure, naming its position.
  template <typename DerRange>
  static StatusOr<std::vector<Certificate>> FromDerChain(const DerRange& ders) {
    std::vector<Certificate> chain;
    for (const auto& der : ders) {
      StatusOr<Certificate> cert = FromDer(der);
      if (!cert.ok()) return cert.status().Annotate("certificate " + std::to_string(chain.size()));
      chain.push_back(*std::move(cert));
    }
    return chain;
  }
  // Reads a PEM bundle from a file; at least one certificate.
  static StatusOr<std::vector<Certificate>> LoadPemFile(const std::string& path);
  // The Fingerprint() of the first certificate of a PEM file: how a configuration names the
  // certificate a client must present. Errors as LoadPemFile.
  static StatusOr<std::string> FingerprintOfFile(const std::string& path);

  std::string ToPem() const;
  std::string ToDer() const;

  // Distinguished names in RFC 2253 form, e.g. "CN=Land Registry,O=VN/GOV/0106,C=VN".
  std::string subject() const;
  std::string issuer() const;
  // The value of the first subject attribute with this short name ("CN", "O", "serialNumber"),
  // or "" when absent.
  std::string SubjectAttribute(std::string_view short_name) const;
  // Lower-case hex of the serial number.
  std::string serial_hex() const;
  TimePoint not_before() const;
  TimePoint not_after() const;
  bool IsCa() const;
  // SHA-256 over the DER encoding: 32 raw bytes. This is how the federation pins certificates.
  std::string Fingerprint() const;
  const PublicKey& public_key() const { return public_key_; }
  // DNS names and IP addresses from subjectAltName, as text.
  std::vector<std::string> SubjectAltNames() const;

  bool operator==(const Certificate& other) const;

  // For Trục's wrapper libraries only; does not transfer ownership.
  X509* native_handle() const { return cert_.get(); }
  static StatusOr<Certificate> FromNative(X509Ptr cert);

 private:
  Certificate(std::shared_ptr<X509> cert, PublicKey public_key)
      : cert_(std::move(cert)), public_key_(std::move(public_key)) {}

  std::shared_ptr<X509> cert_;
  PublicKey public_key_;
};

}  // namespace truc::crypto
