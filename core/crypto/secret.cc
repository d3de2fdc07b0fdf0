#include "core/crypto/secret.h"

#include <openssl/crypto.h>

namespace truc::crypto {

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : bytes_(other.bytes_) { other.Wipe(); }

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    Wipe();
    bytes_ = other.bytes_;
  }
  return *this;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    bytes_ = other.bytes_;
    other.Wipe();
  }
  return *this;
}

SecretBytes::~SecretBytes() { Wipe(); }

void SecretBytes::Wipe() {
  // Wipe the whole allocation, not just the live bytes: earlier contents may linger past size().
  bytes_.resize(bytes_.capacity());
  OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

}  // namespace truc::crypto
