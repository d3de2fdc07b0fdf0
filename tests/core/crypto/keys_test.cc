#include "core/crypto/keys.h"

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "core/base/file.h"
#include "tests/support/temp_dir.h"

namespace truc::crypto {
namespace {

TEST_CASE("Every supported key type signs and verifies", "[crypto]") {
  for (KeyType type :
       {KeyType::kEcP256, KeyType::kEcP384, KeyType::kEcP521, KeyType::kEd25519, KeyType::kRsa}) {
    const PrivateKey key = PrivateKey::Generate(type).value();
    INFO(key.public_key().Describe());
    const Signature signature = key.Sign("request digest").value();
    CHECK(signature.key_id == key.key_id());
    CHECK(key.key_id().size() == 32);
    CHECK(key.public_key().Verify("request digest", signature).ok());
  }
}

TEST_CASE("A tampered signature and a wrong key fail with distinct errors", "[crypto]") {
  const PrivateKey key = PrivateKey::Generate(KeyType::kEcP256).value();
  const PrivateKey other = PrivateKey::Generate(KeyType::kEcP256).value();
  const Signature signature = key.Sign("payload").value();

  SECTION("tampered signature value") {
    Signature tampered = signature;
    tampered.value[tampered.value.size() - 1] ^= 0x01;
    const Status status = key.public_key().Verify("payload", tampered);
    CHECK(status.code() == StatusCode::kUnauthenticated);
    CHECK(status.reason() == "crypto.signature_mismatch");
    CHECK(status.message() == "signature does not match the signed data");
  }
  SECTION("tampered data") {
    CHECK(key.public_key().Verify("paylaod", signature).reason() == "crypto.signature_mismatch");
  }
  SECTION("truncated, malformed signature") {
    Signature truncated = signature;
    truncated.value.resize(5);
    CHECK(key.public_key().Verify("payload", truncated).reason() == "crypto.signature_mismatch");
  }
  SECTION("verified with a different key") {
    const Status status = other.public_key().Verify("payload", signature);
    CHECK(status.code() == StatusCode::kUnauthenticated);
    CHECK(status.reason() == "crypto.wrong_key");
    CHECK(status.message().starts_with("signature was made by key "));
  }
  SECTION("signed by a different key claiming this key's id") {
    Signature forged = other.Sign("payload").value();
    forged.key_id = key.key_id();
    CHECK(key.public_key().Verify("payload", forged).reason() == "crypto.signature_mismatch");
  }
}

TEST_CASE("Keys round-trip through PEM and DER", "[crypto]") {
  const PrivateKey key = PrivateKey::Generate(KeyType::kEcP256).value();
  const PrivateKey reloaded = PrivateKey::FromPem(key.ToPem()).value();
  CHECK(reloaded.key_id() == key.key_id());
  const PublicKey from_pem = PublicKey::FromPem(key.public_key().ToPem()).value();
  const PublicKey from_der = PublicKey::FromDer(key.public_key().ToDer()).value();
  CHECK(from_pem.key_id() == key.key_id());
  CHECK(from_der.key_id() == key.key_id());
  CHECK(from_pem.Verify("x", reloaded.Sign("x").value()).ok());
  CHECK(key.public_key().Describe() == "EC P-256");
}

TEST_CASE("Malformed and unsupported keys are rejected", "[crypto]") {
  CHECK(PrivateKey::FromPem(SecretBytes("not a key")).status().reason() == "crypto.malformed");
  CHECK(PublicKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
            .status()
            .reason() == "crypto.malformed");
  CHECK(PublicKey::FromDer("\x30\x03\x02\x01\x01").status().reason() == "crypto.malformed");
  // A 1024-bit RSA key (generated here with OpenSSL directly) is too weak to accept.
  EvpPkeyPtr weak(EVP_RSA_gen(1024));
  const StatusOr<PublicKey> rejected = PublicKey::FromNative(std::move(weak));
  CHECK(rejected.status().reason() == "crypto.unsupported_key");
  CHECK(rejected.status().message() ==
        "RSA key of 1024 bits is too weak; at least 2048 are required");
}

TEST_CASE("Key files are written 0600 and never overwritten, and loose ones refused", "[crypto]") {
  testing::TempDir dir;
  const std::string path = dir.File("member-sign.key");
  const PrivateKey key = PrivateKey::Generate(KeyType::kEcP256).value();
  REQUIRE(key.WritePemFile(path).ok());
  CHECK(FilePermissions(path).value() == 0600);
  CHECK(PrivateKey::LoadPemFile(path).value().key_id() == key.key_id());

  const Status again = key.WritePemFile(path);
  CHECK(again.code() == StatusCode::kAlreadyExists);

  REQUIRE(chmod(path.c_str(), 0644) == 0);
  const StatusOr<PrivateKey> loose = PrivateKey::LoadPemFile(path);
  CHECK(loose.status().code() == StatusCode::kPermissionDenied);
  CHECK(loose.status().message() ==
        "key file " + path +
            " is accessible by group or others (mode 0644); run: chmod 600 " + path);

  CHECK(PrivateKey::LoadPemFile(dir.File("missing.key")).status().code() == StatusCode::kNotFound);
}

}  // namespace
}  // namespace truc::crypto
