// SecretBytes: key material and other secrets. The buffer is wiped (OPENSSL_cleanse) when the
// object is destroyed or overwritten, and the type has no operator<< or implicit conversion to a
// string, so a secret cannot end up in a log by accident.
#pragma once

#include <string>
#include <string_view>

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

}  // namespace truc::crypto
