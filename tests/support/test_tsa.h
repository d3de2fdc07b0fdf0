// A timestamp authority with a fresh federation root CA, for tests.
#pragma once

#include <memory>

#include "core/base/clock.h"
#include "core/timestamp/timestamp_authority.h"
#include "core/timestamp/timestamp_token.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace truc::testing {

inline constexpr char kTestPolicyOid[] = "1.3.6.1.4.1.99999.1.1";

struct TestTsa {
  // Certificates are valid around `clock.Now()`; `clock` must outlive the TSA.
  explicit TestTsa(const Clock& clock, std::string name = "Trục Test TSA");

  // A verifier that approves this TSA under this root.
  timestamp::TimestampVerifier Verifier() const;

  TempDir dir;  // Holds the serial state.
  KeyAndCertificate root;
  KeyAndCertificate tsa_certificate;
  std::unique_ptr<timestamp::TimestampAuthority> authority;
};

}  // namespace truc::testing
