#include "core/crypto/aead.h"

#include <climits>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/base/encoding.h"
#include "core/crypto/digest.h"
#include "core/crypto/openssl_util.h"

namespace truc::crypto {
namespace {

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* MutableBytes(std::string& s, size_t offset) {
  return reinterpret_cast<unsigned char*>(s.data() + offset);
}

// EVP takes lengths as int.
Status CheckLength(std::string_view data, std::string_view what) {
  if (data.size() > static_cast<size_t>(INT_MAX)) {
    return InvalidArgumentError(
        fmt::format("{} of {} bytes is too large to encrypt", what, data.size()),
        "crypto.too_large");
  }
  return OkStatus();
}

// Starts an AES-256-GCM operation with `key` and `nonce` and feeds it `associated_data`.
StatusOr<EvpCipherCtxPtr> StartGcm(bool encrypt, const SecretBytes& key, std::string_view nonce,
                                   std::string_view associated_data) {
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key.reveal()), Bytes(nonce),
                        encrypt ? 1 : 0) != 1 ||
      (!associated_data.empty() &&
       EVP_CipherUpdate(ctx.get(), nullptr, &length, Bytes(associated_data),
                        static_cast<int>(associated_data.size())) != 1)) {
    return OpenSslError(StatusCode::kInternal, "cannot start AES-256-GCM", "crypto.internal");
  }
  return ctx;
}

// Runs `input` through `ctx` into `output` at `offset` (which has room for it).
bool Update(EVP_CIPHER_CTX* ctx, std::string_view input, std::string& output, size_t offset) {
  if (input.empty()) return true;
  int length = 0;
  return EVP_CipherUpdate(ctx, MutableBytes(output, offset), &length, Bytes(input),
                          static_cast<int>(input.size())) == 1 &&
         static_cast<size_t>(length) == input.size();
}

}  // namespace

StatusOr<Aes256Gcm> Aes256Gcm::Create(SecretBytes key) {
  if (key.size() != kKeySize) {
    return InvalidArgumentError(
        fmt::format("an AES-256-GCM key must have {} bytes, not {}", kKeySize, key.size()),
        std::string(kBadAeadKey));
  }
  std::string id_input = "truc.v1.aead-key-id\n";
  id_input.append(key.reveal());
  std::string key_id = Sha256(id_input).substr(0, kKeyIdSize);
  OPENSSL_cleanse(id_input.data(), id_input.size());
  return Aes256Gcm(std::move(key), std::move(key_id));
}

StatusOr<Aes256Gcm> Aes256Gcm::LoadKeyFile(const std::string& path) {
  TRUC_ASSIGN_OR_RETURN(const SecretBytes contents, ReadSecretFile(path, 1024));
  std::string_view hex = contents.reveal();
  if (hex.ends_with('\n')) hex.remove_suffix(1);
  const Status malformed = InvalidArgumentError(
      fmt::format("key file {} does not hold a key of {} hex digits", path, 2 * kKeySize),
      std::string(kBadAeadKey));
  if (hex.size() != 2 * kKeySize) return malformed;
  StatusOr<std::string> key = HexDecode(hex);
  if (!key.ok()) return malformed;
  SecretBytes secret(*key);
  OPENSSL_cleanse(key->data(), key->size());
  return Create(std::move(secret));
}

StatusOr<std::string> Aes256Gcm::Encrypt(std::string_view plaintext,
                                         std::string_view associated_data) const {
  TRUC_RETURN_IF_ERROR(CheckLength(plaintext, "a plaintext"));
  TRUC_RETURN_IF_ERROR(CheckLength(associated_data, "associated data"));
  std::string out(kNonceSize + plaintext.size() + kTagSize, '\0');
  if (RAND_bytes(MutableBytes(out, 0), static_cast<int>(kNonceSize)) != 1) {
    return OpenSslError(StatusCode::kInternal, "no random nonce", "crypto.internal");
  }
  TRUC_ASSIGN_OR_RETURN(const EvpCipherCtxPtr ctx,
                        StartGcm(/*encrypt=*/true, key_,
                                 std::string_view(out).substr(0, kNonceSize), associated_data));
  int length = 0;
  if (!Update(ctx.get(), plaintext, out, kNonceSize) ||
      EVP_EncryptFinal_ex(ctx.get(), MutableBytes(out, kNonceSize + plaintext.size()), &length) !=
          1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          MutableBytes(out, kNonceSize + plaintext.size())) != 1) {
    return OpenSslError(StatusCode::kInternal, "AES-256-GCM encryption failed", "crypto.internal");
  }
  return out;
}

StatusOr<std::string> Aes256Gcm::Decrypt(std::string_view ciphertext,
                                         std::string_view associated_data) const {
  if (ciphertext.size() < kNonceSize + kTagSize) {
    return UnauthenticatedError(
        fmt::format("an AES-256-GCM ciphertext has at least {} bytes, not {}",
                    kNonceSize + kTagSize, ciphertext.size()),
        std::string(kAeadMismatch));
  }
  TRUC_RETURN_IF_ERROR(CheckLength(ciphertext, "a ciphertext"));
  TRUC_RETURN_IF_ERROR(CheckLength(associated_data, "associated data"));
  const std::string_view nonce = ciphertext.substr(0, kNonceSize);
  const std::string_view encrypted =
      ciphertext.substr(kNonceSize, ciphertext.size() - kNonceSize - kTagSize);
  std::string tag(ciphertext.substr(ciphertext.size() - kTagSize));
  TRUC_ASSIGN_OR_RETURN(const EvpCipherCtxPtr ctx,
                        StartGcm(/*encrypt=*/false, key_, nonce, associated_data));
  std::string plaintext(encrypted.size(), '\0');
  if (!Update(ctx.get(), encrypted, plaintext, 0) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          tag.data()) != 1) {
    return OpenSslError(StatusCode::kInternal, "AES-256-GCM decryption failed", "crypto.internal");
  }
  int length = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), MutableBytes(plaintext, encrypted.size()), &length) != 1) {
    ClearOpenSslErrors();
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return UnauthenticatedError(
        "the ciphertext does not authenticate with this key and associated data",
        std::string(kAeadMismatch));
  }
  return plaintext;
}

}  // namespace truc::crypto
