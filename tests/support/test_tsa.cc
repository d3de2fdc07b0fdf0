#include "tests/support/test_tsa.h"

namespace truc::testing {

TestTsa::TestTsa(const Clock& clock, std::string name)
    : root(MakeRootCa("Trục Test Root CA", clock.Now())),
      tsa_certificate(Issue(root, TsaTemplate(std::move(name), clock.Now()))) {
  timestamp::TsaOptions options;
  options.policy_oid = kTestPolicyOid;
  auto serials = timestamp::SerialCounter::Open(dir.File("tsa.serial")).value();
  authority = timestamp::TimestampAuthority::Create(
                  options, crypto::PrivateKey::FromPem(tsa_certificate.key.ToPem()).value(),
                  {tsa_certificate.certificate, root.certificate}, std::move(serials), clock)
                  .value();
}

timestamp::TimestampVerifier TestTsa::Verifier() const {
  return timestamp::TimestampVerifier::Create(
             {tsa_certificate.certificate}, crypto::TrustStore::Create({root.certificate}).value())
      .value();
}

}  // namespace truc::testing
