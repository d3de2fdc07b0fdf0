// Keys on a PKCS#11 token (SoftHSM2, a throwaway token): generated there, signing through the
// Signer seam, signatures that verify as a software key's do; and the errors an operator meets.
#include "core/crypto/pkcs11.h"

#include <filesystem>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/softhsm.h"

namespace truc::crypto {
namespace {

// One SoftHSM2 configuration for the whole test binary (the module reads it once), with two
// tokens.
testing::SoftHsm& Hsm() {
  static testing::SoftHsm* hsm = [] {
    auto* made = new testing::SoftHsm();
    made->InitToken("gateway", "1234");
    made->InitToken("other", "5678");
    return made;
  }();
  return *hsm;
}

Pkcs11Options Options(std::string label = "gateway", std::string pin = "1234") {
  Hsm();
  return {
      .module = testing::kSoftHsmModule, .token_label = std::move(label), .pin = SecretBytes(pin)};
}

TEST_CASE("A key generated on the token signs, and its signatures verify", "[pkcs11]") {
  const std::shared_ptr<Pkcs11Token> token = Pkcs11Token::Open(Options()).value();
  const std::string label = "member-signing-1";
  const PublicKey generated = token->GenerateEcKey(label).value();
  CHECK(generated.type() == KeyType::kEcP256);

  const std::unique_ptr<Signer> signer = token->SignerFor(label).value();
  CHECK(signer->key_id() == generated.key_id());
  const Signature signature = signer->Sign("the batch root").value();
  CHECK(signature.key_id == generated.key_id());
  CHECK(generated.Verify("the batch root", signature).ok());
  CHECK_FALSE(generated.Verify("another root", signature).ok());

  // From several threads at once: each takes a session of its own.
  std::vector<std::thread> threads;
  std::atomic<int> verified{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string data = "message " + std::to_string(t * 100 + i);
        const StatusOr<Signature> made = signer->Sign(data);
        if (made.ok() && generated.Verify(data, *made).ok()) ++verified;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(verified == 100);

  // The same label again is refused: keys are never replaced by accident.
  const StatusOr<PublicKey> again = token->GenerateEcKey(label);
  CHECK(again.status().code() == StatusCode::kAlreadyExists);
  CHECK(again.status().reason() == kPkcs11KeyExists);

  // Another process (here: another open of the token) finds the key by its label.
  const std::shared_ptr<Pkcs11Token> reopened = Pkcs11Token::Open(Options()).value();
  CHECK(reopened->SignerFor(label).value()->key_id() == generated.key_id());
}

TEST_CASE("A token removed while signing fails closed, and signing resumes when it returns",
          "[pkcs11]") {
  Pkcs11Options options = Options();
  options.reconnect_interval = std::chrono::milliseconds(0);
  const std::shared_ptr<Pkcs11Token> token = Pkcs11Token::Open(std::move(options)).value();
  const PublicKey key = token->GenerateEcKey("removable").value();
  const std::unique_ptr<Signer> signer = token->SignerFor("removable").value();
  REQUIRE(signer->Sign("before").ok());

  // SoftHSM2's tokens are directories: taking them away is pulling the token out.
  const std::string tokens = Hsm().token_dir();
  std::filesystem::rename(tokens, tokens + ".away");
  std::filesystem::create_directories(tokens);
  for (int i = 0; i < 3; ++i) {
    const StatusOr<Signature> away = signer->Sign("while away");
    REQUIRE_FALSE(away.ok());
    CHECK(away.status().code() == StatusCode::kUnavailable);
    CHECK(away.status().reason() == kPkcs11Unavailable);
    CHECK(away.status().message().find("token \"gateway\" of /usr/lib/softhsm/libsofthsm2.so") !=
          std::string::npos);
  }
  std::filesystem::remove_all(tokens);
  std::filesystem::rename(tokens + ".away", tokens);

  const StatusOr<Signature> back = signer->Sign("after");
  REQUIRE(back.ok());
  CHECK(key.Verify("after", *back).ok());
}

TEST_CASE("PKCS#11 errors say what is wrong, naming the module and the token", "[pkcs11]") {
  SECTION("a module that is not there") {
    Pkcs11Options options = Options();
    options.module = "/usr/lib/no-such-pkcs11.so";
    const Status status = Pkcs11Token::Open(std::move(options)).status();
    CHECK(status.reason() == kPkcs11Module);
    CHECK(status.message().find("/usr/lib/no-such-pkcs11.so") != std::string::npos);
  }
  SECTION("a library that is not a PKCS#11 module") {
    Pkcs11Options options = Options();
    options.module = "libz.so.1";
    const Status status = Pkcs11Token::Open(std::move(options)).status();
    CHECK(status.reason() == kPkcs11Module);
    CHECK(status.message().find("is not a PKCS#11 module") != std::string::npos);
  }
  SECTION("a token that is not there") {
    const Status status = Pkcs11Token::Open(Options("gatewayz")).status();
    CHECK(status.code() == StatusCode::kNotFound);
    CHECK(status.reason() == kPkcs11NoToken);
    CHECK(status.message().find("token \"gatewayz\" of /usr/lib/softhsm/libsofthsm2.so") !=
          std::string::npos);
    // It lists the tokens there are.
    CHECK(status.message().find("\"gateway\" (serial ") != std::string::npos);
    CHECK(status.message().find("\"other\" (serial ") != std::string::npos);
  }
  SECTION("a wrong PIN") {
    const Status status = Pkcs11Token::Open(Options("other", "0000")).status();
    CHECK(status.code() == StatusCode::kPermissionDenied);
    CHECK(status.reason() == kPkcs11Pin);
    CHECK(status.message() ==
          "the PIN for token \"other\" of /usr/lib/softhsm/libsofthsm2.so is wrong");
    // The PIN itself is never in a message.
    CHECK(status.message().find("0000") == std::string::npos);
  }
  SECTION("a key that is not there") {
    const std::shared_ptr<Pkcs11Token> token = Pkcs11Token::Open(Options()).value();
    const Status status = token->SignerFor("no-such-key").status();
    CHECK(status.code() == StatusCode::kNotFound);
    CHECK(status.reason() == kPkcs11NoKey);
    CHECK(status.message() ==
          "no private key labelled \"no-such-key\" on token \"gateway\" of "
          "/usr/lib/softhsm/libsofthsm2.so");
  }
  SECTION("neither a label nor a serial number") {
    Pkcs11Options options = Options();
    options.token_label.clear();
    CHECK(Pkcs11Token::Open(std::move(options)).status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("A token found by its serial number", "[pkcs11]") {
  // The error message lists the serial numbers: take the other token's from it.
  const Status listed = Pkcs11Token::Open(Options("nothing")).status();
  const std::string marker = "\"other\" (serial ";
  const size_t at = listed.message().find(marker);
  REQUIRE(at != std::string::npos);
  const size_t begin = at + marker.size();
  const std::string serial =
      listed.message().substr(begin, listed.message().find(')', begin) - begin);
  Pkcs11Options options = Options();
  options.token_label.clear();
  options.token_serial = serial;
  options.pin = SecretBytes("5678");
  const std::shared_ptr<Pkcs11Token> token = Pkcs11Token::Open(std::move(options)).value();
  const PublicKey key = token->GenerateEcKey("by-serial").value();
  CHECK(key.Verify("x", token->SignerFor("by-serial").value()->Sign("x").value()).ok());
}

}  // namespace
}  // namespace truc::crypto
