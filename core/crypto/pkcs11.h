// Keys in a hardware security module, through the PKCS#11 C API (OASIS PKCS#11 2.40): the
// module (the vendor's library) is loaded at run time, the token found by label or serial
// number, and the user logged in once; private keys never leave the token. Signing goes through
// the Signer seam (keys.h), so a gateway signs the same way with a key file or an HSM.
//
// Only ECDSA on P-256 is supported on tokens (the federation's member signing keys). A
// signature is made by the token over the SHA-256 digest computed here (CKM_ECDSA), and returned
// as a DER ECDSA-Sig-Value like a software key's.
//
// Sessions: one per signing thread at a time, from a pool that grows to what concurrency
// needs (a PKCS#11 session must not be used by two threads at once). When the token goes away
// (removed, device error, session closed), signing fails closed with kUnavailable
// (kPkcs11Unavailable) naming the token; the next call opens new sessions and logs in again, so
// service resumes when the token returns.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "core/crypto/keys.h"
#include "core/crypto/secret.h"

namespace truc::crypto {

// kNotFound or kFailedPrecondition: the module cannot be loaded or initialised.
inline constexpr std::string_view kPkcs11Module = "crypto.pkcs11_module";
// kNotFound: no token has the label or serial number; the message lists the tokens present.
inline constexpr std::string_view kPkcs11NoToken = "crypto.pkcs11_no_token";
// kPermissionDenied: the PIN is wrong, locked or expired.
inline constexpr std::string_view kPkcs11Pin = "crypto.pkcs11_pin";
// kNotFound: no private key has the label; kAlreadyExists from GenerateEcKey.
inline constexpr std::string_view kPkcs11NoKey = "crypto.pkcs11_no_key";
inline constexpr std::string_view kPkcs11KeyExists = "crypto.pkcs11_key_exists";
// kUnavailable: the token is not present, or the device failed.
inline constexpr std::string_view kPkcs11Unavailable = "crypto.pkcs11_unavailable";
// kInternal: any other error the module returned, with its CKR_ name.
inline constexpr std::string_view kPkcs11Failed = "crypto.pkcs11_failed";

struct Pkcs11Options {
  std::string module;        // The PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so.
  std::string token_label;   // The token, by label,
  std::string token_serial;  // or by serial number (exactly one of the two).
  SecretBytes pin;           // The user PIN. Never logged.
  // While the token is away, how often a signature may reload the module to look for it again
  // (a module sees a token put back only when initialised anew); signatures in between fail at
  // once.
  std::chrono::milliseconds reconnect_interval{1000};
};

// A token's user PIN: from `file` (mode 0600, as ReadSecretFile requires; a trailing newline is
// dropped) or from the environment variable `variable`; exactly one of the two is given.
// kInvalidArgument ("crypto.pkcs11_pin_source") when both or neither are, or the variable is
// unset or empty; ReadSecretFile's errors. The PIN is never in a message.
StatusOr<SecretBytes> ReadTokenPin(const std::string& file, const std::string& variable);

// A token of a PKCS#11 module, logged in. Thread-safe. Signers it makes keep it alive.
class Pkcs11Token : public std::enable_shared_from_this<Pkcs11Token> {
 public:
  // Loads the module (once per process and path), finds the token and logs in. Errors:
  // kPkcs11Module, kPkcs11NoToken, kPkcs11Pin, kPkcs11Unavailable, kPkcs11Failed; kInvalidArgument
  // for options that name no token, or both a label and a serial number.
  static StatusOr<std::shared_ptr<Pkcs11Token>> Open(Pkcs11Options options);
  ~Pkcs11Token();
  Pkcs11Token(const Pkcs11Token&) = delete;
  Pkcs11Token& operator=(const Pkcs11Token&) = delete;

  // Generates a P-256 key pair on the token under `label` (and, as CKA_ID, the public key's key
  // id): the private key is a token object, sensitive, never extractable, for signing only.
  // Returns its public key. kPkcs11KeyExists when a private key already has the label.
  StatusOr<PublicKey> GenerateEcKey(const std::string& label);

  // The signer for the private key labelled `label`, with its public key read from the token
  // (the public key object of the same label). kPkcs11NoKey when there is none; kInvalidArgument
  // for a key that is not P-256.
  StatusOr<std::unique_ptr<Signer>> SignerFor(const std::string& label);

  // "token \"gw1\" of /usr/lib/softhsm/libsofthsm2.so": for messages.
  const std::string& description() const { return description_; }

 private:
  struct Module;
  class Session;
  class TokenSigner;

  Pkcs11Token() = default;

  // A session from the pool (a new one, logged in, when none is free), or the error.
  StatusOr<std::unique_ptr<Session>> Acquire();
  void Release(std::unique_ptr<Session> session);
  // Forgets every pooled session (after the token went away): the next Acquire starts afresh.
  void Reset();
  // Finds the token's slot and logs in, if not done since the last Reset. A token that was
  // connected before and is not found is away (kPkcs11Unavailable): the module is reloaded, at
  // most every reconnect_interval, to find it again.
  Status Connect();
  // Connect's search for the slot and login, once.
  Status FindAndLogIn();
  // The public key labelled `label`, read from `session`.
  StatusOr<PublicKey> ReadPublicKey(Session& session, const std::string& label);

  std::shared_ptr<Module> module_;
  Pkcs11Options options_;
  std::string description_;

  std::mutex mu_;
  bool connected_ = false;       // Guarded by mu_.
  bool ever_connected_ = false;  // Guarded by mu_.
  // When the module was last reloaded to find the token again. Guarded by mu_.
  std::chrono::steady_clock::time_point last_reload_;
  unsigned long slot_ = 0;                      // Guarded by mu_.
  std::vector<std::unique_ptr<Session>> idle_;  // Guarded by mu_.
};

}  // namespace truc::crypto
