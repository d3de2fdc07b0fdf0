// Signed global configuration as a gateway downloads it from the registry (or reads its cached
// copy): the envelope, the signature, the chain to the trust anchor, then the configuration's
// indexes (ConfigurationView). Fresh seeds: a configuration signed under this run's throwaway
// federation, so that mutations reach past the signature check's parsing.
#include "core/crypto/trust_store.h"
#include "core/globalconf/configuration_view.h"
#include "core/globalconf/signed_configuration.h"
#include "core/ids/id_proto.h"
#include "proto/timestamp_conversion.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/support/test_federation.h"

namespace {

struct Setup {
  truc::testing::TestFederation federation;
  truc::testing::KeyAndCertificate signer =
      federation.Issue(truc::pki::Profile::kConfigurationSigning, "VN/GOV/000001");
  truc::crypto::TrustStore anchors =
      truc::crypto::TrustStore::Create({federation.root().certificate}).value();
};

Setup& Shared() {
  static Setup* const setup = new Setup();
  return *setup;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Setup& setup = Shared();
  truc::v1::GlobalConfiguration configuration;
  configuration.set_instance("VN");
  configuration.set_version(7);
  *configuration.mutable_issued_at() =
      truc::proto::ToProtoTimestamp(truc::testing::kFakeClockStart - std::chrono::hours(1));
  *configuration.mutable_expires_at() =
      truc::proto::ToProtoTimestamp(truc::testing::kFakeClockStart + std::chrono::hours(1));
  truc::v1::Member* member = configuration.add_members();
  *member->mutable_id() = truc::ids::ToProto(truc::ids::MemberId::Parse("VN/GOV/000100").value());
  member->set_name("Cơ sở dữ liệu quốc gia về dân cư");
  member->add_subsystems()->set_subsystem_code("population");
  configuration.add_approved_cas(setup.federation.root().certificate.ToDer());
  truc::fuzz::WriteFreshSeeds("signed-configuration",
                              {truc::globalconf::SignConfiguration(configuration, setup.signer.key,
                                                                   {setup.signer.certificate})
                                   .value()});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  truc::StatusOr<truc::globalconf::VerifiedConfiguration> verified =
      truc::globalconf::VerifyConfigurationAnyPeriod(bytes, Shared().anchors,
                                                     truc::testing::kFakeClockStart);
  if (!verified.ok()) return 0;
  (void)truc::globalconf::ConfigurationView::Create(*verified);
  return 0;
}
