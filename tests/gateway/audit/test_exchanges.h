// Exchanges as the gateways make them, sealed with real member signing certificates, for the audit
// log's tests.
#pragma once

#include <string>

#include "core/crypto/trust_store.h"
#include "core/evidence/message_signing.h"
#include "core/ids/identifiers.h"
#include "gateway/exchange/exchange_log.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/test_federation.h"

namespace truc::gateway::audit::testing {

// The portal of member VN/GOV/000900 calls the population register's citizens service of member
// VN/GOV/000100.
inline const ids::SubsystemId kPortal = ids::SubsystemId::Parse("VN/GOV/000900/portal").value();
inline const ids::ServiceId kCitizens =
    ids::ServiceId::Parse("VN/GOV/000100/population/citizens").value();
inline constexpr std::string_view kUserId = "VN079123456789";
inline constexpr std::string_view kPurpose = "HS-2026-001";

// Not thread-safe.
class TestExchanges {
 public:
  TestExchanges();

  // POST /citizens/search?fields=name with a JSON body, for end user kUserId and purpose
  // kPurpose, answered 200 with a JSON body; both messages sealed by their members. Took 250 ms.
  ExchangeRecord Answered(ExchangeRecord::Side side, const std::string& message_id);
  // The same request, failed with Server.ServerProxy.ServiceFailed before any response.
  ExchangeRecord Failed(ExchangeRecord::Side side, const std::string& message_id);

  // Later exchanges are between `client` and `service`. Their messages stay signed by the
  // portal's and the population register's members: for tests that do not verify signatures.
  void SetParties(const ids::SubsystemId& client, const ids::ServiceId& service) {
    client_ = client;
    service_ = service;
  }
  // Later exchanges start `d` later.
  void Advance(std::chrono::system_clock::duration d) { clock_.Advance(d); }

  // Approves the federation's root CA.
  const crypto::TrustStore& trust() const { return trust_; }
  const Clock& clock() const { return clock_; }
  const truc::testing::TestFederation& federation() const { return federation_; }
  // The population register's member signing key, which also seals its gateway's tree heads.
  const truc::testing::KeyAndCertificate& population_signing() const { return population_signing_; }

 private:
  truc::testing::FakeClock clock_;
  truc::testing::TestFederation federation_;
  truc::testing::KeyAndCertificate portal_signing_;
  truc::testing::KeyAndCertificate population_signing_;
  crypto::TrustStore trust_;
  evidence::BatchSigner portal_signer_;
  evidence::BatchSigner population_signer_;
  ids::SubsystemId client_ = kPortal;
  ids::ServiceId service_ = kCitizens;
};

}  // namespace truc::gateway::audit::testing
