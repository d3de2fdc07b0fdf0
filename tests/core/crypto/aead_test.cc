#include "core/crypto/aead.h"

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "core/base/encoding.h"
#include "core/base/file.h"
#include "tests/support/temp_dir.h"

namespace truc::crypto {
namespace {

Aes256Gcm Cipher(char fill) {
  return Aes256Gcm::Create(SecretBytes(std::string(32, fill))).value();
}

TEST_CASE("AES-256-GCM round-trips and binds the associated data", "[crypto]") {
  const Aes256Gcm cipher = Cipher('k');
  const std::string ciphertext = cipher.Encrypt("the body", "record 7").value();
  CHECK(ciphertext.size() == Aes256Gcm::kNonceSize + 8 + Aes256Gcm::kTagSize);
  CHECK(ciphertext.find("the body") == std::string::npos);
  CHECK(cipher.Decrypt(ciphertext, "record 7").value() == "the body");
  // Fresh nonces: the same plaintext never encrypts the same way twice.
  CHECK(cipher.Encrypt("the body", "record 7").value() != ciphertext);

  CHECK(cipher.Decrypt(ciphertext, "record 8").status().reason() == kAeadMismatch);
  CHECK(Cipher('x').Decrypt(ciphertext, "record 7").status().reason() == kAeadMismatch);
  std::string flipped = ciphertext;
  flipped[Aes256Gcm::kNonceSize] ^= 1;
  CHECK(cipher.Decrypt(flipped, "record 7").status().code() == StatusCode::kUnauthenticated);
  CHECK(cipher.Decrypt("short", "record 7").status().reason() == kAeadMismatch);

  const std::string empty = cipher.Encrypt("", "").value();
  CHECK(cipher.Decrypt(empty, "").value().empty());
}

TEST_CASE("AES-256-GCM matches the NIST test vector", "[crypto]") {
  // GCM test case 14 (McGrew and Viega): zero key, zero nonce, one zero block.
  const Aes256Gcm cipher = Cipher('\0');
  const std::string ciphertext = std::string(12, '\0') +
                                 HexDecode("cea7403d4d606b6e074ec5d3baf39d18").value() +
                                 HexDecode("d0d1c8a799996bf0265b98b5d48ab919").value();
  CHECK(cipher.Decrypt(ciphertext, "").value() == std::string(16, '\0'));
}

TEST_CASE("AES-256-GCM keys are 32 bytes, named by an id, read from private files", "[crypto]") {
  CHECK(Aes256Gcm::Create(SecretBytes("short")).status().reason() == kBadAeadKey);
  CHECK(Cipher('a').key_id().size() == Aes256Gcm::kKeyIdSize);
  CHECK(Cipher('a').key_id() == Cipher('a').key_id());
  CHECK(Cipher('a').key_id() != Cipher('b').key_id());

  testing::TempDir dir;
  const std::string path = dir.File("body.key");
  REQUIRE(WriteFileAtomically(path, std::string(64, 'a') + "\n", 0600).ok());
  CHECK(Aes256Gcm::LoadKeyFile(path).value().key_id() ==
        Aes256Gcm::Create(SecretBytes(std::string(32, '\xaa'))).value().key_id());

  REQUIRE(chmod(path.c_str(), 0640) == 0);
  const Status loose = Aes256Gcm::LoadKeyFile(path).status();
  CHECK(loose.code() == StatusCode::kPermissionDenied);
  CHECK(loose.reason() == kKeyFilePermissions);

  REQUIRE(WriteFileAtomically(path, std::string(62, 'a'), 0600).ok());
  CHECK(Aes256Gcm::LoadKeyFile(path).status().reason() == kBadAeadKey);
  REQUIRE(WriteFileAtomically(path, std::string(63, 'a') + "g", 0600).ok());
  CHECK(Aes256Gcm::LoadKeyFile(path).status().reason() == kBadAeadKey);
  CHECK(Aes256Gcm::LoadKeyFile(dir.File("missing.key")).status().code() == StatusCode::kNotFound);
}

}  // namespace
}  // namespace truc::crypto
