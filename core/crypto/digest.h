// Message digests over OpenSSL's EVP interface. Digests are raw bytes in a std::string.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "core/base/status.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX.

namespace truc::crypto {

enum class DigestAlgorithm { kSha256, kSha384, kSha512 };

// "SHA-256", "SHA-384", "SHA-512".
std::string_view DigestName(DigestAlgorithm algorithm);
// Digest size in bytes.
size_t DigestSize(DigestAlgorithm algorithm);

std::string Digest(DigestAlgorithm algorithm, std::string_view data);
// The digest of `parts` one after the other, without joining them first.
std::string Digest(DigestAlgorithm algorithm, std::initializer_list<std::string_view> parts);
inline std::string Sha256(std::string_view data) { return Digest(DigestAlgorithm::kSha256, data); }
inline std::string Sha512(std::string_view data) { return Digest(DigestAlgorithm::kSha512, data); }

// Incremental digest, for bodies that arrive in pieces. Not thread-safe. Its OpenSSL context
// comes from a small per-thread cache, so that making one costs no allocation.
class Hasher {
 public:
  explicit Hasher(DigestAlgorithm algorithm);
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  ~Hasher();

  void Update(std::string_view data);
  // Returns the digest of everything added; the hasher then starts over.
  std::string Finish();

 private:
  DigestAlgorithm algorithm_;
  evp_md_ctx_st* ctx_;  // Owned; null for SHA-256, and once moved from.
  // SHA-256's state (OpenSSL's SHA256_CTX): hashed without EVP, whose dispatch costs more than
  // hashing a Merkle node (digest.cc).
  alignas(8) unsigned char sha256_[112];
};

}  // namespace truc::crypto
