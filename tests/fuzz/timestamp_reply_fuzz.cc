// RFC 3161 replies as a gateway receives them from a TSA, and tokens as auditors find them in
// sealed heads: parsed and verified against the approved TSA, never trusted before. Fresh seeds:
// a granted reply and its token from this run's throwaway TSA.
#include "core/crypto/digest.h"
#include "core/timestamp/timestamp_token.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/support/test_tsa.h"

namespace {

constexpr std::string_view kNonce = "\x01\x02\x03\x04";

struct Setup {
  truc::testing::FakeClock clock;
  truc::testing::TestTsa tsa{clock};
  truc::timestamp::TimestampVerifier verifier = tsa.Verifier();
  std::string digest = truc::crypto::Sha256("sealed tree head");
};

Setup& Shared() {
  static Setup* const setup = new Setup();
  return *setup;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Setup& setup = Shared();
  const std::string query = truc::timestamp::MakeTimestampQuery(setup.digest, kNonce).value();
  const std::string reply = setup.tsa.authority->Respond(query).value();
  truc::fuzz::WriteFreshSeeds(
      "timestamp-reply",
      {reply, setup.verifier.VerifyReply(reply, setup.digest, kNonce).value().der});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const Setup& setup = Shared();
  (void)setup.verifier.VerifyReply(bytes, setup.digest, kNonce);
  (void)setup.verifier.VerifyToken(bytes, setup.digest);
  return 0;
}
