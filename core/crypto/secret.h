// SecretBytes: key material and other secrets. The buffer is wiped (OPENSSL_cleanse) when the
// object is destroyed or overwritten, and the type has no operator<< or implicit conversion to a
// string, so a secret cannot end up in a log by accident.
#pragma once

#include <string>
#include <string_view>

#include "core/base/status.h"

namespace truc::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::string_view bytes) : bytes_(bytes) {}
  SecretBytes(const SecretBytes& other) = default;
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  // Reading the secret is explicit.
  std::string_view reveal() const { return bytes_; }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

 private:
  void Wipe();

  std::string bytes_;
};

// The reason of ReadSecretFile's refusal of a file that group or others may access.
inline constexpr std::string_view kKeyFilePermissions = "crypto.key_file_permissions";

// Reads a file holding a secret key (private or symmetric). Refuses (kPermissionDenied,
// kKeyFilePermissions) a file that group or others may read or write, as ssh does: such files are
// kept with mode 0600. Otherwise ReadFile's errors. No copy of the contents outlives the call.
StatusOr<SecretBytes> ReadSecretFile(const std::string& path, size_t max_bytes);

}  // namespace truc::crypto
