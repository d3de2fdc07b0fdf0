#include "core/crypto/pkcs11.h"

#include <cstdlib>
#include <map>

#include <dlfcn.h>
#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <p11-kit/pkcs11.h>

#include "core/crypto/digest.h"

namespace truc::crypto {
namespace {

// The DER of the P-256 curve's OID (CKA_EC_PARAMS), and the SubjectPublicKeyInfo of a P-256
// key up to its 65-byte uncompressed point.
constexpr std::string_view kP256Params("\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07", 10);
constexpr std::string_view kP256SpkiPrefix(
    "\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07"
    "\x03\x42\x00",
    26);
constexpr size_t kP256PointBytes = 65;

std::string_view ReturnValueName(CK_RV rv) {
  switch (rv) {
    case CKR_OK:
      return "CKR_OK";
    case CKR_HOST_MEMORY:
      return "CKR_HOST_MEMORY";
    case CKR_GENERAL_ERROR:
      return "CKR_GENERAL_ERROR";
    case CKR_FUNCTION_FAILED:
      return "CKR_FUNCTION_FAILED";
    case CKR_ARGUMENTS_BAD:
      return "CKR_ARGUMENTS_BAD";
    case CKR_ATTRIBUTE_TYPE_INVALID:
      return "CKR_ATTRIBUTE_TYPE_INVALID";
    case CKR_ATTRIBUTE_VALUE_INVALID:
      return "CKR_ATTRIBUTE_VALUE_INVALID";
    case CKR_DEVICE_ERROR:
      return "CKR_DEVICE_ERROR";
    case CKR_DEVICE_MEMORY:
      return "CKR_DEVICE_MEMORY";
    case CKR_DEVICE_REMOVED:
      return "CKR_DEVICE_REMOVED";
    case CKR_KEY_HANDLE_INVALID:
      return "CKR_KEY_HANDLE_INVALID";
    case CKR_MECHANISM_INVALID:
      return "CKR_MECHANISM_INVALID";
    case CKR_OBJECT_HANDLE_INVALID:
      return "CKR_OBJECT_HANDLE_INVALID";
    case CKR_PIN_INCORRECT:
      return "CKR_PIN_INCORRECT";
    case CKR_PIN_EXPIRED:
      return "CKR_PIN_EXPIRED";
    case CKR_PIN_LOCKED:
      return "CKR_PIN_LOCKED";
    case CKR_SESSION_CLOSED:
      return "CKR_SESSION_CLOSED";
    case CKR_SESSION_HANDLE_INVALID:
      return "CKR_SESSION_HANDLE_INVALID";
    case CKR_TOKEN_NOT_PRESENT:
      return "CKR_TOKEN_NOT_PRESENT";
    case CKR_TOKEN_NOT_RECOGNIZED:
      return "CKR_TOKEN_NOT_RECOGNIZED";
    case CKR_USER_NOT_LOGGED_IN:
      return "CKR_USER_NOT_LOGGED_IN";
    case CKR_USER_PIN_NOT_INITIALIZED:
      return "CKR_USER_PIN_NOT_INITIALIZED";
    case CKR_CRYPTOKI_NOT_INITIALIZED:
      return "CKR_CRYPTOKI_NOT_INITIALIZED";
    case CKR_CRYPTOKI_ALREADY_INITIALIZED:
      return "CKR_CRYPTOKI_ALREADY_INITIALIZED";
    case CKR_SLOT_ID_INVALID:
      return "CKR_SLOT_ID_INVALID";
    default:
      return "";
  }
}

// Whether `rv` says the token (or the session on it) is gone: what a removed token gives.
bool TokenGone(CK_RV rv) {
  return rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_DEVICE_ERROR ||
         rv == CKR_SESSION_CLOSED || rv == CKR_SESSION_HANDLE_INVALID ||
         rv == CKR_USER_NOT_LOGGED_IN || rv == CKR_TOKEN_NOT_RECOGNIZED ||
         rv == CKR_SLOT_ID_INVALID;
}

// `what` failed with `rv`, on `token` (its description).
Status Pkcs11Error(CK_RV rv, std::string_view what, std::string_view token) {
  const std::string_view name = ReturnValueName(rv);
  const std::string code = name.empty() ? fmt::format("CKR 0x{:x}", rv) : std::string(name);
  const std::string message = fmt::format("{} on {}: {}", what, token, code);
  if (TokenGone(rv)) {
    return UnavailableError(message + " (the token is not available)",
                            std::string(kPkcs11Unavailable));
  }
  if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED || rv == CKR_PIN_EXPIRED ||
      rv == CKR_USER_PIN_NOT_INITIALIZED) {
    return Status(StatusCode::kPermissionDenied, message, std::string(kPkcs11Pin));
  }
  return InternalError(message, std::string(kPkcs11Failed));
}

// A fixed-size text field of the token info (blank-padded), trimmed.
std::string Field(const unsigned char* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  const size_t end = text.find_last_not_of(' ');
  return end == std::string::npos ? "" : text.substr(0, end + 1);
}

}  // namespace

// A loaded and initialised module, shared by every token opened from it (C_Initialize may be
// called once per process).
struct Pkcs11Token::Module {
  ~Module() {
    if (functions != nullptr) functions->C_Finalize(nullptr);
    if (handle != nullptr) dlclose(handle);
  }

  // C_Finalize, then C_Initialize: every session of the module ends, and the module looks for
  // its tokens anew (one put back after it was removed, for instance).
  Status Reload() {
    functions->C_Finalize(nullptr);
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    const CK_RV rv = functions->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      return Pkcs11Error(rv, "C_Initialize", path);
    }
    return OkStatus();
  }

  static StatusOr<std::shared_ptr<Module>> Load(const std::string& path) {
    static std::mutex mu;
    static std::map<std::string, std::weak_ptr<Module>> loaded;
    std::lock_guard lock(mu);
    if (std::shared_ptr<Module> module = loaded[path].lock()) return module;
    auto module = std::make_shared<Module>();
    module->path = path;
    module->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module->handle == nullptr) {
      const char* error = dlerror();
      return NotFoundError(fmt::format("cannot load the PKCS#11 module {}: {}", path,
                                       error != nullptr ? error : "unknown error"),
                           std::string(kPkcs11Module));
    }
    auto get_list =
        reinterpret_cast<CK_C_GetFunctionList>(dlsym(module->handle, "C_GetFunctionList"));
    if (get_list == nullptr || get_list(&module->functions) != CKR_OK ||
        module->functions == nullptr) {
      module->functions = nullptr;
      return FailedPreconditionError(
          fmt::format("{} is not a PKCS#11 module (no C_GetFunctionList)", path),
          std::string(kPkcs11Module));
    }
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    const CK_RV rv = module->functions->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      module->functions = nullptr;
      return FailedPreconditionError(
          fmt::format("the PKCS#11 module {} does not initialise: {}", path,
                      Pkcs11Error(rv, "C_Initialize", path).message()),
          std::string(kPkcs11Module));
    }
    loaded[path] = module;
    return module;
  }

  std::string path;
  void* handle = nullptr;
  CK_FUNCTION_LIST_PTR functions = nullptr;
};

// An open session on the token. Used by one thread at a time.
class Pkcs11Token::Session {
 public:
  Session(CK_FUNCTION_LIST_PTR functions, CK_SESSION_HANDLE handle)
      : functions_(functions), handle_(handle) {}
  ~Session() { functions_->C_CloseSession(handle_); }

  CK_FUNCTION_LIST_PTR f() const { return functions_; }
  CK_SESSION_HANDLE handle() const { return handle_; }

  // The objects of `object_class` labelled `label` (at most two: enough to tell one from many).
  StatusOr<std::vector<CK_OBJECT_HANDLE>> Find(CK_OBJECT_CLASS object_class,
                                               const std::string& label, std::string_view token) {
    CK_ATTRIBUTE templ[] = {
        {CKA_CLASS, &object_class, sizeof(object_class)},
        {CKA_LABEL, const_cast<char*>(label.data()), label.size()},
    };
    CK_RV rv = functions_->C_FindObjectsInit(handle_, templ, 2);
    if (rv != CKR_OK) return Pkcs11Error(rv, "C_FindObjectsInit", token);
    CK_OBJECT_HANDLE found[2];
    CK_ULONG count = 0;
    rv = functions_->C_FindObjects(handle_, found, 2, &count);
    functions_->C_FindObjectsFinal(handle_);
    if (rv != CKR_OK) return Pkcs11Error(rv, "C_FindObjects", token);
    return std::vector<CK_OBJECT_HANDLE>(found, found + count);
  }

  // The value of attribute `type` of `object`.
  StatusOr<std::string> Attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type,
                                  std::string_view token) {
    CK_ATTRIBUTE attribute = {type, nullptr, 0};
    CK_RV rv = functions_->C_GetAttributeValue(handle_, object, &attribute, 1);
    if (rv != CKR_OK) return Pkcs11Error(rv, "C_GetAttributeValue", token);
    std::string value(attribute.ulValueLen, '\0');
    attribute.pValue = value.data();
    rv = functions_->C_GetAttributeValue(handle_, object, &attribute, 1);
    if (rv != CKR_OK) return Pkcs11Error(rv, "C_GetAttributeValue", token);
    value.resize(attribute.ulValueLen);
    return value;
  }

 private:
  CK_FUNCTION_LIST_PTR functions_;
  CK_SESSION_HANDLE handle_;
};

// Signs with the private key labelled `label` on the token.
class Pkcs11Token::TokenSigner final : public Signer {
 public:
  TokenSigner(std::shared_ptr<Pkcs11Token> token, std::string label, PublicKey public_key)
      : token_(std::move(token)), label_(std::move(label)), public_key_(std::move(public_key)) {}

  StatusOr<Signature> Sign(std::string_view data) const override {
    const std::string digest = Sha256(data);
    TRUC_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, token_->Acquire());
    StatusOr<std::string> raw = SignDigest(*session, digest);
    if (!raw.ok()) {
      if (raw.status().reason() == kPkcs11Unavailable) {
        token_->Reset();  // The next call reconnects; this session is dropped.
      } else {
        token_->Release(std::move(session));
      }
      return raw.status();
    }
    token_->Release(std::move(session));
    TRUC_ASSIGN_OR_RETURN(std::string der, ToDer(*raw));
    return Signature{public_key_.key_id(), std::move(der)};
  }

  const std::string& key_id() const override { return public_key_.key_id(); }

 private:
  // r || s over `digest`, by the token.
  StatusOr<std::string> SignDigest(Session& session, const std::string& digest) const {
    const std::string& token = token_->description();
    // The key's handle is looked up in each session: handles need not outlive a session.
    TRUC_ASSIGN_OR_RETURN(const std::vector<CK_OBJECT_HANDLE> keys,
                          session.Find(CKO_PRIVATE_KEY, label_, token));
    if (keys.empty()) {
      // It was there when the signer was made: the token was removed, replaced or reset.
      return UnavailableError(
          fmt::format("the private key labelled \"{}\" is no longer on {} (the token is not "
                      "available)",
                      label_, token),
          std::string(kPkcs11Unavailable));
    }
    CK_MECHANISM mechanism = {CKM_ECDSA, nullptr, 0};
    CK_RV rv = session.f()->C_SignInit(session.handle(), &mechanism, keys[0]);
    if (rv != CKR_OK) return Pkcs11Error(rv, "C_SignInit", token);
    std::string raw(64, '\0');
    CK_ULONG size = raw.size();
    rv = session.f()->C_Sign(session.handle(),
                             reinterpret_cast<CK_BYTE_PTR>(const_cast<char*>(digest.data())),
                             digest.size(), reinterpret_cast<CK_BYTE_PTR>(raw.data()), &size);
    if (rv != CKR_OK) return Pkcs11Error(rv, "C_Sign", token);
    raw.resize(size);
    return raw;
  }

  // r || s (32 bytes each) as a DER ECDSA-Sig-Value.
  static StatusOr<std::string> ToDer(const std::string& raw) {
    if (raw.size() != 64) {
      return InternalError(
          fmt::format("the token gave an ECDSA signature of {} bytes, not 64", raw.size()),
          std::string(kPkcs11Failed));
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
    ECDSA_SIG* sig = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
    BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
    if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
      ECDSA_SIG_free(sig);
      BN_free(r);
      BN_free(s);
      return InternalError("cannot encode the token's signature", std::string(kPkcs11Failed));
    }
    unsigned char* out = nullptr;
    const int length = i2d_ECDSA_SIG(sig, &out);
    ECDSA_SIG_free(sig);
    if (length <= 0) {
      return InternalError("cannot encode the token's signature", std::string(kPkcs11Failed));
    }
    std::string der(reinterpret_cast<const char*>(out), static_cast<size_t>(length));
    OPENSSL_free(out);
    return der;
  }

  const std::shared_ptr<Pkcs11Token> token_;
  const std::string label_;
  const PublicKey public_key_;
};

StatusOr<SecretBytes> ReadTokenPin(const std::string& file, const std::string& variable) {
  if (file.empty() == variable.empty()) {
    return InvalidArgumentError(
        "give the token's PIN in a file or in an environment variable "
        "(one of them)",
        "crypto.pkcs11_pin_source");
  }
  if (!file.empty()) {
    TRUC_ASSIGN_OR_RETURN(SecretBytes pin, ReadSecretFile(file, 1024));
    std::string_view text = pin.reveal();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    return SecretBytes(text);
  }
  const char* value = std::getenv(variable.c_str());
  if (value == nullptr || *value == '\0') {
    return InvalidArgumentError(fmt::format("the environment variable {} is not set", variable),
                                "crypto.pkcs11_pin_source");
  }
  return SecretBytes(value);
}

StatusOr<std::shared_ptr<Pkcs11Token>> Pkcs11Token::Open(Pkcs11Options options) {
  if (options.token_label.empty() == options.token_serial.empty()) {
    return InvalidArgumentError("name the PKCS#11 token by its label or by its serial number",
                                "crypto.pkcs11_options");
  }
  TRUC_ASSIGN_OR_RETURN(std::shared_ptr<Module> module, Module::Load(options.module));
  std::shared_ptr<Pkcs11Token> token(new Pkcs11Token());
  token->module_ = std::move(module);
  token->description_ =
      options.token_label.empty()
          ? fmt::format("the token with serial number {} of {}", options.token_serial,
                        options.module)
          : fmt::format("token \"{}\" of {}", options.token_label, options.module);
  token->options_ = std::move(options);
  {
    std::lock_guard lock(token->mu_);
    TRUC_RETURN_IF_ERROR(token->Connect());
  }
  return token;
}

Pkcs11Token::~Pkcs11Token() {
  std::lock_guard lock(mu_);
  idle_.clear();
}

Status Pkcs11Token::Connect() {
  if (connected_) return OkStatus();
  Status found = FindAndLogIn();
  if (found.ok() || !ever_connected_) {
    if (found.ok()) ever_connected_ = true;
    return found;
  }
  // It was here before: it went away. Look again, reloading the module, now and then.
  const auto now = std::chrono::steady_clock::now();
  if (now - last_reload_ >= options_.reconnect_interval) {
    last_reload_ = now;
    idle_.clear();
    const Status reloaded = module_->Reload();
    found = reloaded.ok() ? FindAndLogIn() : reloaded;
    if (found.ok()) return found;
  }
  if (found.reason() == kPkcs11NoToken || found.reason() == kPkcs11Unavailable) {
    return UnavailableError(
        fmt::format("{} is not available (it was removed, or its device failed); looking for it "
                    "again at the next signature",
                    description_),
        std::string(kPkcs11Unavailable));
  }
  return found;
}

Status Pkcs11Token::FindAndLogIn() {
  CK_FUNCTION_LIST_PTR f = module_->functions;
  CK_ULONG count = 0;
  CK_RV rv = f->C_GetSlotList(CK_TRUE, nullptr, &count);
  if (rv != CKR_OK) return Pkcs11Error(rv, "C_GetSlotList", description_);
  std::vector<CK_SLOT_ID> slots(count);
  rv = f->C_GetSlotList(CK_TRUE, slots.data(), &count);
  if (rv != CKR_OK) return Pkcs11Error(rv, "C_GetSlotList", description_);
  slots.resize(count);
  std::vector<std::string> present;
  for (const CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info{};
    if (f->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
    const std::string label = Field(info.label, sizeof(info.label));
    const std::string serial = Field(info.serialNumber, sizeof(info.serialNumber));
    if ((!options_.token_label.empty() && label == options_.token_label) ||
        (!options_.token_serial.empty() && serial == options_.token_serial)) {
      if ((info.flags & CKF_TOKEN_INITIALIZED) == 0) continue;
      // Log in with a session of our own; the login holds for every session of this process.
      CK_SESSION_HANDLE handle = 0;
      rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &handle);
      if (rv != CKR_OK) return Pkcs11Error(rv, "C_OpenSession", description_);
      auto session = std::make_unique<Session>(f, handle);
      const std::string_view pin = options_.pin.reveal();
      rv = f->C_Login(handle, CKU_USER,
                      reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(pin.data())), pin.size());
      if (rv == CKR_PIN_INCORRECT) {
        return Status(StatusCode::kPermissionDenied,
                      fmt::format("the PIN for {} is wrong", description_),
                      std::string(kPkcs11Pin));
      }
      if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
        return Pkcs11Error(rv, "C_Login", description_);
      }
      slot_ = slot;
      connected_ = true;
      idle_.push_back(std::move(session));
      return OkStatus();
    }
    present.push_back(fmt::format("\"{}\" (serial {})", label, serial));
  }
  return NotFoundError(fmt::format("no {}; the module has {}", description_,
                                   present.empty() ? std::string("no token")
                                                   : fmt::format("{}", fmt::join(present, ", "))),
                       std::string(kPkcs11NoToken));
}

StatusOr<std::unique_ptr<Pkcs11Token::Session>> Pkcs11Token::Acquire() {
  std::lock_guard lock(mu_);
  TRUC_RETURN_IF_ERROR(Connect());
  if (!idle_.empty()) {
    std::unique_ptr<Session> session = std::move(idle_.back());
    idle_.pop_back();
    return session;
  }
  CK_SESSION_HANDLE handle = 0;
  const CK_RV rv = module_->functions->C_OpenSession(slot_, CKF_SERIAL_SESSION | CKF_RW_SESSION,
                                                     nullptr, nullptr, &handle);
  if (rv != CKR_OK) {
    if (TokenGone(rv)) connected_ = false;
    return Pkcs11Error(rv, "C_OpenSession", description_);
  }
  return std::make_unique<Session>(module_->functions, handle);
}

void Pkcs11Token::Release(std::unique_ptr<Session> session) {
  std::lock_guard lock(mu_);
  if (connected_) idle_.push_back(std::move(session));
}

void Pkcs11Token::Reset() {
  std::lock_guard lock(mu_);
  idle_.clear();
  connected_ = false;
}

StatusOr<PublicKey> Pkcs11Token::ReadPublicKey(Session& session, const std::string& label) {
  TRUC_ASSIGN_OR_RETURN(const std::vector<CK_OBJECT_HANDLE> keys,
                        session.Find(CKO_PUBLIC_KEY, label, description_));
  if (keys.empty()) {
    return NotFoundError(
        fmt::format("no public key labelled \"{}\" on {} (it is needed beside the private key)",
                    label, description_),
        std::string(kPkcs11NoKey));
  }
  TRUC_ASSIGN_OR_RETURN(const std::string params,
                        session.Attribute(keys[0], CKA_EC_PARAMS, description_));
  if (params != kP256Params) {
    return InvalidArgumentError(
        fmt::format("the key \"{}\" on {} is not an EC P-256 key", label, description_),
        "crypto.pkcs11_key_type");
  }
  TRUC_ASSIGN_OR_RETURN(std::string point, session.Attribute(keys[0], CKA_EC_POINT, description_));
  // CKA_EC_POINT is the DER OCTET STRING holding the uncompressed point.
  if (point.size() == kP256PointBytes + 2 && point[0] == '\x04' &&
      static_cast<unsigned char>(point[1]) == kP256PointBytes) {
    point = point.substr(2);
  }
  if (point.size() != kP256PointBytes || point[0] != '\x04') {
    return InvalidArgumentError(
        fmt::format("the public key \"{}\" on {} is not an uncompressed P-256 point", label,
                    description_),
        "crypto.pkcs11_key_type");
  }
  return PublicKey::FromDer(std::string(kP256SpkiPrefix) + point);
}

StatusOr<PublicKey> Pkcs11Token::GenerateEcKey(const std::string& label) {
  TRUC_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Acquire());
  TRUC_ASSIGN_OR_RETURN(const std::vector<CK_OBJECT_HANDLE> existing,
                        session->Find(CKO_PRIVATE_KEY, label, description_));
  if (!existing.empty()) {
    Release(std::move(session));
    return AlreadyExistsError(
        fmt::format("{} already has a private key labelled \"{}\"", description_, label),
        std::string(kPkcs11KeyExists));
  }
  CK_BBOOL yes = CK_TRUE;
  CK_BBOOL no = CK_FALSE;
  std::string params(kP256Params);
  CK_ATTRIBUTE public_template[] = {
      {CKA_TOKEN, &yes, sizeof(yes)},
      {CKA_VERIFY, &yes, sizeof(yes)},
      {CKA_EC_PARAMS, params.data(), params.size()},
      {CKA_LABEL, const_cast<char*>(label.data()), label.size()},
  };
  CK_ATTRIBUTE private_template[] = {
      {CKA_TOKEN, &yes, sizeof(yes)},
      {CKA_PRIVATE, &yes, sizeof(yes)},
      {CKA_SENSITIVE, &yes, sizeof(yes)},
      {CKA_EXTRACTABLE, &no, sizeof(no)},
      {CKA_SIGN, &yes, sizeof(yes)},
      {CKA_DECRYPT, &no, sizeof(no)},
      {CKA_LABEL, const_cast<char*>(label.data()), label.size()},
  };
  CK_MECHANISM mechanism = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE public_key = 0;
  CK_OBJECT_HANDLE private_key = 0;
  const CK_RV rv = session->f()->C_GenerateKeyPair(
      session->handle(), &mechanism, public_template, std::size(public_template), private_template,
      std::size(private_template), &public_key, &private_key);
  if (rv != CKR_OK) {
    if (TokenGone(rv)) {
      Reset();
    } else {
      Release(std::move(session));
    }
    return Pkcs11Error(rv, "C_GenerateKeyPair", description_);
  }
  StatusOr<PublicKey> key = ReadPublicKey(*session, label);
  if (key.ok()) {
    // The key id as CKA_ID on both halves, as tools that pair keys and certificates expect.
    std::string id = key->key_id();
    CK_ATTRIBUTE id_attribute = {CKA_ID, id.data(), id.size()};
    session->f()->C_SetAttributeValue(session->handle(), public_key, &id_attribute, 1);
    session->f()->C_SetAttributeValue(session->handle(), private_key, &id_attribute, 1);
  }
  Release(std::move(session));
  return key;
}

StatusOr<std::unique_ptr<Signer>> Pkcs11Token::SignerFor(const std::string& label) {
  TRUC_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Acquire());
  StatusOr<std::vector<CK_OBJECT_HANDLE>> keys =
      session->Find(CKO_PRIVATE_KEY, label, description_);
  StatusOr<PublicKey> public_key = keys.ok() ? ReadPublicKey(*session, label) : keys.status();
  Release(std::move(session));
  TRUC_RETURN_IF_ERROR(keys.status());
  if (keys->empty()) {
    return NotFoundError(fmt::format("no private key labelled \"{}\" on {}", label, description_),
                         std::string(kPkcs11NoKey));
  }
  if (keys->size() > 1) {
    return InvalidArgumentError(
        fmt::format("{} has several private keys labelled \"{}\"", description_, label),
        "crypto.pkcs11_ambiguous_key");
  }
  TRUC_RETURN_IF_ERROR(public_key.status());
  return std::unique_ptr<Signer>(
      new TokenSigner(shared_from_this(), label, *std::move(public_key)));
}

}  // namespace truc::crypto
