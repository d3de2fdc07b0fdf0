// Asymmetric keys: signing with a private key and verifying with a public key.
//
// Supported key types: ECDSA on P-256 (the default: fastest here), P-384 and P-521, Ed25519, and
// RSA (2048 bits or more, PKCS#1 v1.5 with SHA-256). The digest used with ECDSA follows the curve
// (SHA-256, SHA-384, SHA-512).
//
// Every signature carries the *key id* of the key that made it: the SHA-256 of the signer's
// DER-encoded SubjectPublicKeyInfo. Verification checks the key id before the signature, so a
// signature by some other key is reported as such ("crypto.wrong_key") rather than as a tampered
// signature ("crypto.signature_mismatch").
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/base/status.h"
#include "core/crypto/openssl_util.h"
#include "core/crypto/secret.h"

namespace truc::crypto {

struct Signature {
  std::string key_id;  // SHA-256 of the signer's SubjectPublicKeyInfo, 32 raw bytes.
  std::string value;   // DER ECDSA-Sig-Value, raw Ed25519, or PKCS#1 v1.5 RSA signature.
};

// The signing seam: a software key today, an HSM tomorrow. Implementations are thread-safe.
class Signer {
 public:
  virtual ~Signer() = default;
  virtual StatusOr<Signature> Sign(std::string_view data) const = 0;
  // The id of the key whose signatures this produces.
  virtual const std::string& key_id() const = 0;
};

enum class KeyType { kEcP256, kEcP384, kEcP521, kEd25519, kRsa };

// Copyable (copies share the immutable OpenSSL key); thread-safe.
class PublicKey {
 public:
  // Parses a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) block.
  static StatusOr<PublicKey> FromPem(std::string_view pem);
  // Parses DER SubjectPublicKeyInfo.
  static StatusOr<PublicKey> FromDer(std::string_view der);

  std::string ToPem() const;
  std::string ToDer() const;
  KeyType type() const { return type_; }
  // "EC P-256", "Ed25519", "RSA-3072", ...
  std::string Describe() const;
  const std::string& key_id() const { return key_id_; }

  // OK if `signature` was made over `data` by this key. Errors (all kUnauthenticated):
  // "crypto.wrong_key" when the key id differs, "crypto.signature_mismatch" when the value does
  // not verify (tampered data or signature).
  Status Verify(std::string_view data, const Signature& signature) const;

  // For Trục's wrapper libraries only; does not transfer ownership.
  EVP_PKEY* native_handle() const { return key_.get(); }
  static StatusOr<PublicKey> FromNative(EvpPkeyPtr key);
  // As FromNative, with the key's DER SubjectPublicKeyInfo already at hand (a certificate holds
  // it), which spares OpenSSL 3's costly re-encoding of the key.
  static StatusOr<PublicKey> FromNative(EvpPkeyPtr key, std::string_view spki_der);

 private:
  PublicKey(std::shared_ptr<EVP_PKEY> key, KeyType type, std::string key_id)
      : key_(std::move(key)), type_(type), key_id_(std::move(key_id)) {}

  std::shared_ptr<EVP_PKEY> key_;
  KeyType type_;
  std::string key_id_;
};

// A private key held in process memory. Move-only; thread-safe for Sign.
class PrivateKey final : public Signer {
 public:
  static StatusOr<PrivateKey> Generate(KeyType type);
  // Parses an unencrypted PEM private key (PKCS#8 "PRIVATE KEY", or the traditional EC/RSA
  // forms).
  static StatusOr<PrivateKey> FromPem(const SecretBytes& pem);
  // Reads a PEM key file. Refuses (kPermissionDenied, "crypto.key_file_permissions") a file that
  // group or others may read or write, as ssh does: keys are kept with mode 0600.
  static StatusOr<PrivateKey> LoadPemFile(const std::string& path);

  PrivateKey(PrivateKey&&) noexcept = default;
  PrivateKey& operator=(PrivateKey&&) noexcept = default;

  StatusOr<Signature> Sign(std::string_view data) const override;
  const std::string& key_id() const override { return public_key_.key_id(); }
  const PublicKey& public_key() const { return public_key_; }

  // PKCS#8 PEM. Secret: never log it.
  SecretBytes ToPem() const;
  // Writes ToPem() to `path` with mode 0600, atomically (temporary file, fsync, rename). Fails
  // with kAlreadyExists if `path` exists, so that a key is never overwritten by accident.
  Status WritePemFile(const std::string& path) const;

  // For Trục's wrapper libraries only; does not transfer ownership.
  EVP_PKEY* native_handle() const { return key_.get(); }

 private:
  PrivateKey(EvpPkeyPtr key, PublicKey public_key)
      : key_(std::move(key)), public_key_(std::move(public_key)) {}

  EvpPkeyPtr key_;
  PublicKey public_key_;
};

}  // namespace truc::crypto
