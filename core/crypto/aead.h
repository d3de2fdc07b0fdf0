// Authenticated encryption with AES-256-GCM, for data kept encrypted at rest (the audit log's
// message bodies).
//
// A ciphertext is self-contained: nonce (12 random bytes) || encrypted data || tag (16 bytes).
// Associated data is authenticated, not encrypted: it binds a ciphertext to its context (e.g. the
// record it belongs to), so that it cannot be moved to another. The same ciphertext can be taken
// apart and checked with any AES-256-GCM implementation.
//
// With random nonces one key may encrypt up to 2^32 messages (NIST SP 800-38D, 8.3); rotate keys
// well before that.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/base/status.h"
#include "core/crypto/secret.h"

namespace truc::crypto {

// kInvalidArgument: a key that is not 32 bytes, or a key file that does not hold 64 hex digits.
inline constexpr std::string_view kBadAeadKey = "crypto.bad_aead_key";
// kUnauthenticated: the ciphertext, its associated data or the key is not the one it was made
// with (or the ciphertext is too short to be one).
inline constexpr std::string_view kAeadMismatch = "crypto.aead_mismatch";

// Immutable; thread-safe. Copyable (the key is a SecretBytes).
class Aes256Gcm {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  // Size of the key ids that name keys in what they encrypted.
  static constexpr size_t kKeyIdSize = 16;

  // A cipher with `key` (kKeySize bytes, else kBadAeadKey).
  static StatusOr<Aes256Gcm> Create(SecretBytes key);

  // Reads a key file: 64 hex digits, optionally followed by a newline, made for instance with
  //   (umask 077; openssl rand -hex 32 > audit-body.key)
  // Errors: those of ReadSecretFile (a file group or others may access is refused), kBadAeadKey.
  static StatusOr<Aes256Gcm> LoadKeyFile(const std::string& path);

  // nonce || ciphertext || tag of `plaintext`, with a fresh random nonce. kInternal only if
  // OpenSSL fails (no randomness).
  StatusOr<std::string> Encrypt(std::string_view plaintext, std::string_view associated_data) const;

  // The plaintext of what Encrypt returned for the same associated data and key. kAeadMismatch
  // when anything differs.
  StatusOr<std::string> Decrypt(std::string_view ciphertext,
                                std::string_view associated_data) const;

  // Names the key without revealing it: the first kKeyIdSize bytes of
  // SHA-256("truc.v1.aead-key-id\n" || key).
  const std::string& key_id() const { return key_id_; }

 private:
  Aes256Gcm(SecretBytes key, std::string key_id)
      : key_(std::move(key)), key_id_(std::move(key_id)) {}

  SecretBytes key_;
  std::string key_id_;
};

}  // namespace truc::crypto
