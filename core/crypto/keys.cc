#include "core/crypto/keys.h"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "core/base/encoding.h"
#include "core/base/file.h"
#include "core/crypto/digest.h"

namespace truc::crypto {
namespace {

constexpr int kMinRsaBits = 2048;

StatusOr<KeyType> DetectKeyType(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: {
      char group[64] = {};
      size_t length = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof(group), &length) != 1) {
        return OpenSslError(StatusCode::kInvalidArgument, "EC key without a named curve",
                            "crypto.unsupported_key");
      }
      const std::string_view name(group, length);
      if (name == "prime256v1" || name == "P-256") return KeyType::kEcP256;
      if (name == "secp384r1" || name == "P-384") return KeyType::kEcP384;
      if (name == "secp521r1" || name == "P-521") return KeyType::kEcP521;
      return InvalidArgumentError(fmt::format("unsupported EC curve {}", name),
                                  "crypto.unsupported_key");
    }
    case EVP_PKEY_ED25519:
      return KeyType::kEd25519;
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key) < kMinRsaBits) {
        return InvalidArgumentError(
            fmt::format("RSA key of {} bits is too weak; at least {} are required",
                        EVP_PKEY_get_bits(key), kMinRsaBits),
            "crypto.unsupported_key");
      }
      return KeyType::kRsa;
    default:
      return InvalidArgumentError(
          fmt::format("unsupported key type {}", EVP_PKEY_get0_type_name(key)),
          "crypto.unsupported_key");
  }
}

// The digest a key type signs with; nullptr for Ed25519, which hashes internally.
const EVP_MD* SigningDigest(KeyType type) {
  switch (type) {
    case KeyType::kEcP384:
      return EVP_sha384();
    case KeyType::kEcP521:
      return EVP_sha512();
    case KeyType::kEd25519:
      return nullptr;
    case KeyType::kEcP256:
    case KeyType::kRsa:
      return EVP_sha256();
  }
  return EVP_sha256();
}

std::string SubjectPublicKeyInfoDer(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

// Passphrase callback that refuses, so that OpenSSL never prompts on a terminal for an
// encrypted key.
int NoPassphrase(char*, int, int, void*) { return -1; }

}  // namespace

StatusOr<PublicKey> PublicKey::FromNative(EvpPkeyPtr key) {
  if (!key) return InvalidArgumentError("no public key", "crypto.malformed");
  const std::string spki = SubjectPublicKeyInfoDer(key.get());
  return FromNative(std::move(key), spki);
}

StatusOr<PublicKey> PublicKey::FromNative(EvpPkeyPtr key, std::string_view spki_der) {
  if (!key) return InvalidArgumentError("no public key", "crypto.malformed");
  TRUC_ASSIGN_OR_RETURN(KeyType type, DetectKeyType(key.get()));
  std::string key_id = Sha256(spki_der);
  return PublicKey(std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free), type,
                   std::move(key_id));
}

StatusOr<PublicKey> PublicKey::FromPem(std::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) {
    return OpenSslError(StatusCode::kInvalidArgument, "not a PEM public key", "crypto.malformed");
  }
  return FromNative(std::move(key));
}

StatusOr<PublicKey> PublicKey::FromDer(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key) {
    return OpenSslError(StatusCode::kInvalidArgument, "not a DER SubjectPublicKeyInfo",
                        "crypto.malformed");
  }
  return FromNative(std::move(key));
}

std::string PublicKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key_.get());
  return BioContents(bio.get());
}

std::string PublicKey::ToDer() const { return SubjectPublicKeyInfoDer(key_.get()); }

std::string PublicKey::Describe() const {
  switch (type_) {
    case KeyType::kEcP256:
      return "EC P-256";
    case KeyType::kEcP384:
      return "EC P-384";
    case KeyType::kEcP521:
      return "EC P-521";
    case KeyType::kEd25519:
      return "Ed25519";
    case KeyType::kRsa:
      return fmt::format("RSA-{}", EVP_PKEY_get_bits(key_.get()));
  }
  return "unknown";
}

Status PublicKey::Verify(std::string_view data, const Signature& signature) const {
  if (signature.key_id != key_id_) {
    return UnauthenticatedError(
        fmt::format("signature was made by key {}, not by the expected key {}",
                    HexEncode(signature.key_id.substr(0, 8)), HexEncode(key_id_.substr(0, 8))),
        "crypto.wrong_key");
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, SigningDigest(type_), nullptr, key_.get()) != 1) {
    return OpenSslError(StatusCode::kInternal, "cannot initialise verification", "crypto.internal");
  }
  const int result = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.value.data()),
      signature.value.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  if (result != 1) {
    ClearOpenSslErrors();  // A malformed signature is just a mismatch here.
    return UnauthenticatedError("signature does not match the signed data",
                                "crypto.signature_mismatch");
  }
  return OkStatus();
}

StatusOr<PrivateKey> PrivateKey::Generate(KeyType type) {
  EvpPkeyPtr key;
  switch (type) {
    case KeyType::kEcP256:
      key.reset(EVP_EC_gen("P-256"));
      break;
    case KeyType::kEcP384:
      key.reset(EVP_EC_gen("P-384"));
      break;
    case KeyType::kEcP521:
      key.reset(EVP_EC_gen("P-521"));
      break;
    case KeyType::kEd25519:
      key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
      break;
    case KeyType::kRsa:
      key.reset(EVP_RSA_gen(3072));
      break;
  }
  if (!key) return OpenSslError(StatusCode::kInternal, "key generation failed", "crypto.internal");
  EvpPkeyPtr public_part(EVP_PKEY_dup(key.get()));
  TRUC_ASSIGN_OR_RETURN(PublicKey public_key, PublicKey::FromNative(std::move(public_part)));
  return PrivateKey(std::move(key), std::move(public_key));
}

StatusOr<PrivateKey> PrivateKey::FromPem(const SecretBytes& pem) {
  BioPtr bio = MemoryBio(pem.reveal());
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) {
    return OpenSslError(StatusCode::kInvalidArgument, "not an unencrypted PEM private key",
                        "crypto.malformed");
  }
  EvpPkeyPtr public_part(EVP_PKEY_dup(key.get()));
  TRUC_ASSIGN_OR_RETURN(PublicKey public_key, PublicKey::FromNative(std::move(public_part)));
  return PrivateKey(std::move(key), std::move(public_key));
}

StatusOr<PrivateKey> PrivateKey::LoadPemFile(const std::string& path) {
  TRUC_ASSIGN_OR_RETURN(const SecretBytes pem, ReadSecretFile(path, 1 << 20));
  StatusOr<PrivateKey> key = FromPem(pem);
  if (!key.ok()) return key.status().Annotate(path);
  return key;
}

StatusOr<Signature> PrivateKey::Sign(std::string_view data) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, SigningDigest(public_key_.type()), nullptr,
                                 key_.get()) != 1) {
    return OpenSslError(StatusCode::kInternal, "cannot initialise signing", "crypto.internal");
  }
  size_t length = 0;
  const auto* input = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &length, input, data.size()) != 1) {
    return OpenSslError(StatusCode::kInternal, "signing failed", "crypto.internal");
  }
  std::string value(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(value.data()), &length, input,
                     data.size()) != 1) {
    return OpenSslError(StatusCode::kInternal, "signing failed", "crypto.internal");
  }
  value.resize(length);
  return Signature{public_key_.key_id(), std::move(value)};
}

SecretBytes PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return SecretBytes(std::string_view(data, static_cast<size_t>(size)));
}

Status PrivateKey::WritePemFile(const std::string& path) const {
  const SecretBytes pem = ToPem();
  return WriteFileAtomically(path, pem.reveal(), 0600, WriteMode::kCreateOnly);
}

}  // namespace truc::crypto
