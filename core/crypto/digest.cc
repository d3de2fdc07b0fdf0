// SHA-256 goes through OpenSSL's SHA256_* functions, which 3.0 deprecates in favour of EVP: EVP's
// provider dispatch costs about 340 ns a digest here, four times hashing the 65 bytes of a Merkle
// node (92 against 432 ns; 1,194 against 1,420 ns for 2 KiB), and a verifier computes several per
// record. The same implementation (SHA-NI where the CPU has it) does the hashing either way.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "core/crypto/digest.h"

#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "core/crypto/openssl_util.h"

namespace truc::crypto {
namespace {

// The digest implementations, fetched from OpenSSL's default provider once. Passing the legacy
// EVP_sha256() instead makes OpenSSL 3 look the implementation up on every call, which costs more
// than hashing a Merkle node.
const EVP_MD* MdFor(DigestAlgorithm algorithm) {
  static const EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  static const EVP_MD* const kSha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
  static const EVP_MD* const kSha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
  const EVP_MD* md = nullptr;
  switch (algorithm) {
    case DigestAlgorithm::kSha256:
      md = kSha256;
      break;
    case DigestAlgorithm::kSha384:
      md = kSha384;
      break;
    case DigestAlgorithm::kSha512:
      md = kSha512;
      break;
  }
  if (md == nullptr) std::abort();  // OpenSSL without its default provider: nothing can work.
  return md;
}

}  // namespace

std::string_view DigestName(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kSha256:
      return "SHA-256";
    case DigestAlgorithm::kSha384:
      return "SHA-384";
    case DigestAlgorithm::kSha512:
      return "SHA-512";
  }
  std::abort();
}

size_t DigestSize(DigestAlgorithm algorithm) {
  return static_cast<size_t>(EVP_MD_get_size(MdFor(algorithm)));
}

std::string Digest(DigestAlgorithm algorithm, std::string_view data) {
  return Digest(algorithm, {data});
}

std::string Digest(DigestAlgorithm algorithm, std::initializer_list<std::string_view> parts) {
  if (algorithm == DigestAlgorithm::kSha256) {
    SHA256_CTX sha256;
    SHA256_Init(&sha256);
    for (const std::string_view part : parts) SHA256_Update(&sha256, part.data(), part.size());
    std::string out(SHA256_DIGEST_LENGTH, '\0');
    SHA256_Final(reinterpret_cast<unsigned char*>(out.data()), &sha256);
    return out;
  }
  // One context per thread and algorithm, started over for each digest. EVP_Digest makes and
  // frees a context, and takes and drops a reference to the implementation, every time: for the
  // 65 bytes of a Merkle node that was most of the cost.
  thread_local EvpMdCtxPtr contexts[3];
  EvpMdCtxPtr& ctx = contexts[static_cast<size_t>(algorithm)];
  if (!ctx) ctx.reset(EVP_MD_CTX_new());
  std::string out(DigestSize(algorithm), '\0');
  unsigned int size = 0;
  // These fail only on allocation failure, which we treat as fatal like operator new.
  bool ok = ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), MdFor(algorithm), nullptr) == 1;
  for (const std::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
  }
  ok =
      ok && EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &size) == 1;
  if (!ok) std::abort();
  return out;
}

namespace {

// Contexts of Hashers gone, kept for the next ones made on this thread.
class ContextCache {
 public:
  ~ContextCache() {
    for (EVP_MD_CTX* ctx : free_) EVP_MD_CTX_free(ctx);
  }
  EVP_MD_CTX* Take() {
    if (free_.empty()) return EVP_MD_CTX_new();
    EVP_MD_CTX* ctx = free_.back();
    free_.pop_back();
    return ctx;
  }
  void Give(EVP_MD_CTX* ctx) {
    if (free_.size() < kMaxKept) {
      free_.push_back(ctx);
    } else {
      EVP_MD_CTX_free(ctx);
    }
  }

 private:
  static constexpr size_t kMaxKept = 8;
  std::vector<EVP_MD_CTX*> free_;
};

ContextCache& Contexts() {
  thread_local ContextCache cache;
  return cache;
}

}  // namespace

Hasher::Hasher(DigestAlgorithm algorithm) : algorithm_(algorithm), ctx_(nullptr) {
  static_assert(sizeof(SHA256_CTX) <= sizeof(sha256_) && alignof(SHA256_CTX) <= 8);
  if (algorithm == DigestAlgorithm::kSha256) {
    SHA256_Init(reinterpret_cast<SHA256_CTX*>(sha256_));
    return;
  }
  ctx_ = Contexts().Take();
  if (ctx_ == nullptr || EVP_DigestInit_ex2(ctx_, MdFor(algorithm), nullptr) != 1) std::abort();
}

Hasher::Hasher(Hasher&& other) noexcept
    : algorithm_(other.algorithm_), ctx_(std::exchange(other.ctx_, nullptr)) {
  std::memcpy(sha256_, other.sha256_, sizeof(sha256_));
}

Hasher& Hasher::operator=(Hasher&& other) noexcept {
  if (this != &other) {
    if (ctx_ != nullptr) Contexts().Give(ctx_);
    algorithm_ = other.algorithm_;
    ctx_ = std::exchange(other.ctx_, nullptr);
    std::memcpy(sha256_, other.sha256_, sizeof(sha256_));
  }
  return *this;
}

Hasher::~Hasher() {
  if (ctx_ != nullptr) Contexts().Give(ctx_);
}

void Hasher::Update(std::string_view data) {
  if (algorithm_ == DigestAlgorithm::kSha256) {
    SHA256_Update(reinterpret_cast<SHA256_CTX*>(sha256_), data.data(), data.size());
    return;
  }
  EVP_DigestUpdate(ctx_, data.data(), data.size());
}

std::string Hasher::Finish() {
  if (algorithm_ == DigestAlgorithm::kSha256) {
    std::string out(SHA256_DIGEST_LENGTH, '\0');
    auto* sha256 = reinterpret_cast<SHA256_CTX*>(sha256_);
    SHA256_Final(reinterpret_cast<unsigned char*>(out.data()), sha256);
    SHA256_Init(sha256);
    return out;
  }
  std::string out(DigestSize(algorithm_), '\0');
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx_, reinterpret_cast<unsigned char*>(out.data()), &size);
  EVP_DigestInit_ex2(ctx_, MdFor(algorithm_), nullptr);
  return out;
}

}  // namespace truc::crypto
