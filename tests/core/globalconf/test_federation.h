// A small federation made at test time, and a global configuration describing it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/base/clock.h"
#include "core/crypto/trust_store.h"
#include "core/globalconf/signed_configuration.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/test_pki.h"
#include "truc/v1/global_configuration.pb.h"

namespace truc::globalconf {

// How long Configuration() is valid, from its issued_at.
inline constexpr std::chrono::hours kValidity{24 * 7};
// Configuration()'s default issued_at: an hour before the fake clock's start.
inline constexpr TimePoint kIssuedAt = testing::kFakeClockStart - std::chrono::hours(1);

// The configuration's gateways and their TLS certificate fingerprints.
inline constexpr char kGateway1[] = "VN/GOV/000100/gw1";
inline constexpr char kGateway2[] = "VN/GOV/000100/gw2";
inline constexpr char kGateway3[] = "VN/COM/000200/gw";
std::string TlsFingerprint(std::string_view gateway);

v1::MemberId MemberIdProto(std::string member_class, std::string member_code);
v1::SubsystemId SubsystemIdProto(std::string member_class, std::string member_code,
                                 std::string subsystem_code);
void SetTime(google::protobuf::Timestamp* timestamp, TimePoint time);

// Certificates are valid for a year around the fake clock's start.
struct TestFederation {
  TestFederation();

  // Version `version`, issued at `issued_at` and valid for kValidity, listing:
  //   members VN/GOV/000100 "Population registry" (subsystems population, archive; signing
  //     certificate member_signing) and VN/COM/000200 "Portal operator" (subsystem portal);
  //   gateways kGateway1 and kGateway2 (of VN/GOV/000100) and kGateway3;
  //   root as approved CA, tsa as approved TSA, revoked_member's fingerprint as revoked;
  //   services VN/GOV/000100/population/citizens/v1, .../population/households and
  //     .../archive/records;
  //   group "registries" with VN/GOV/000100/population.
  v1::GlobalConfiguration Configuration(uint64_t version, TimePoint issued_at = kIssuedAt) const;
  // Signed by config_signer, whose chain is its certificate alone.
  std::string Sign(const v1::GlobalConfiguration& configuration) const;
  // Signed and verified at the fake clock's start.
  VerifiedConfiguration Verified(const v1::GlobalConfiguration& configuration) const;

  testing::KeyAndCertificate root;
  testing::KeyAndCertificate config_signer;
  testing::KeyAndCertificate member_signing;
  testing::KeyAndCertificate revoked_member;
  testing::KeyAndCertificate tsa;
  crypto::TrustStore anchors;  // The root alone.
};

}  // namespace truc::globalconf
