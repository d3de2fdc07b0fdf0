#include "core/crypto/secret.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include "core/base/file.h"

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

StatusOr<SecretBytes> ReadSecretFile(const std::string& path, size_t max_bytes) {
  TRUC_ASSIGN_OR_RETURN(mode_t permissions, FilePermissions(path));
  if ((permissions & 077) != 0) {
    return PermissionDeniedError(
        fmt::format("key file {} is accessible by group or others (mode {:04o}); "
                    "run: chmod 600 {}",
                    path, permissions, path),
        std::string(kKeyFilePermissions));
  }
  TRUC_ASSIGN_OR_RETURN(std::string contents, ReadFile(path, max_bytes));
  SecretBytes secret(contents);
  OPENSSL_cleanse(contents.data(), contents.size());
  return secret;
}

}  // namespace truc::crypto
