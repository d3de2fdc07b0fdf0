// A federation CA (root and intermediate) made through the profiles, for the pki tests.
#pragma once

#include "core/base/clock.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/pki/certificate_profiles.h"
#include "tests/fakes/fake_clock.h"

namespace truc::pki::testing {

// The moment the tests issue at: the FakeClock's start.
inline constexpr TimePoint kIssuedAt = truc::testing::kFakeClockStart;

struct FederationCa {
  crypto::PrivateKey root_key;
  crypto::Certificate root;
  crypto::PrivateKey intermediate_key;
  crypto::Certificate intermediate;
};

// A root CA and an intermediate under it, issued at kIssuedAt with the default validities.
FederationCa MakeFederationCa();

// A new P-256 key. Aborts if generation fails.
crypto::PrivateKey NewKey();

// Issues a certificate of `profile` for a new key from the intermediate, at kIssuedAt.
crypto::Certificate IssueLeaf(const FederationCa& ca, Profile profile,
                              const DistinguishedName& subject,
                              std::vector<std::string> subject_alt_names = {});

}  // namespace truc::pki::testing
