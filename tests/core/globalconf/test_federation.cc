#include "tests/core/globalconf/test_federation.h"

#include "core/crypto/digest.h"

namespace truc::globalconf {
namespace {

v1::ServerId ServerIdProto(std::string member_class, std::string member_code,
                           std::string server_code) {
  v1::ServerId id;
  *id.mutable_owner() = MemberIdProto(std::move(member_class), std::move(member_code));
  id.set_server_code(std::move(server_code));
  return id;
}

void AddService(v1::GlobalConfiguration& configuration, std::string subsystem_code,
                std::string service_code, std::string version) {
  v1::ServiceDescription* service = configuration.add_services();
  *service->mutable_id()->mutable_provider() =
      SubsystemIdProto("GOV", "000100", std::move(subsystem_code));
  service->mutable_id()->set_service_code(std::move(service_code));
  service->mutable_id()->set_version(std::move(version));
  service->set_kind(v1::SERVICE_KIND_REST);
  service->set_classification(v1::DATA_CLASSIFICATION_PERSONAL);
}

}  // namespace

std::string TlsFingerprint(std::string_view gateway) {
  return crypto::Sha256(std::string("TLS certificate of ") + std::string(gateway));
}

v1::MemberId MemberIdProto(std::string member_class, std::string member_code) {
  v1::MemberId id;
  id.set_instance("VN");
  id.set_member_class(std::move(member_class));
  id.set_member_code(std::move(member_code));
  return id;
}

v1::SubsystemId SubsystemIdProto(std::string member_class, std::string member_code,
                                 std::string subsystem_code) {
  v1::SubsystemId id;
  *id.mutable_member() = MemberIdProto(std::move(member_class), std::move(member_code));
  id.set_subsystem_code(std::move(subsystem_code));
  return id;
}

void SetTime(google::protobuf::Timestamp* timestamp, TimePoint time) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  timestamp->set_seconds(seconds.count());
  timestamp->set_nanos(static_cast<int32_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count()));
}

TestFederation::TestFederation()
    : root(testing::MakeRootCa("Federation Root CA")),
      config_signer(testing::Issue(root, testing::ConfigSigningTemplate("VN/GOV/000001"))),
      member_signing(testing::Issue(root, testing::LeafTemplate("VN/GOV/000100"))),
      revoked_member(testing::Issue(root, testing::LeafTemplate("VN/GOV/000100"))),
      tsa(testing::Issue(root, testing::TsaTemplate("Federation TSA"))),
      anchors(crypto::TrustStore::Create({root.certificate}).value()) {}

v1::GlobalConfiguration TestFederation::Configuration(uint64_t version, TimePoint issued_at) const {
  v1::GlobalConfiguration configuration;
  configuration.set_instance("VN");
  configuration.set_version(version);
  SetTime(configuration.mutable_issued_at(), issued_at);
  SetTime(configuration.mutable_expires_at(), issued_at + kValidity);

  v1::Member* registry = configuration.add_members();
  *registry->mutable_id() = MemberIdProto("GOV", "000100");
  registry->set_name("Population registry");
  for (const char* code : {"population", "archive"}) {
    v1::Subsystem* subsystem = registry->add_subsystems();
    subsystem->set_subsystem_code(code);
    subsystem->set_name(std::string("The ") + code + " subsystem");
  }
  registry->add_signing_certificates(member_signing.certificate.ToDer());
  registry->add_signing_certificates(revoked_member.certificate.ToDer());

  v1::Member* portal = configuration.add_members();
  *portal->mutable_id() = MemberIdProto("COM", "000200");
  portal->set_name("Portal operator");
  portal->add_subsystems()->set_subsystem_code("portal");

  const struct {
    const char* id;
    v1::ServerId proto;
    const char* address;
  } gateways[] = {
      {kGateway2, ServerIdProto("GOV", "000100", "gw2"), "gw2.registry.example.vn:8443"},
      {kGateway1, ServerIdProto("GOV", "000100", "gw1"), "gw1.registry.example.vn:8443"},
      {kGateway3, ServerIdProto("COM", "000200", "gw"), "gw.portal.example.vn:8443"},
  };
  for (const auto& spec : gateways) {
    v1::Gateway* gateway = configuration.add_gateways();
    *gateway->mutable_id() = spec.proto;
    gateway->set_address(spec.address);
    gateway->add_tls_certificate_fingerprints(TlsFingerprint(spec.id));
  }

  configuration.add_approved_cas(root.certificate.ToDer());
  configuration.add_approved_tsas(tsa.certificate.ToDer());
  configuration.add_revoked_certificate_fingerprints(revoked_member.certificate.Fingerprint());

  AddService(configuration, "population", "citizens", "v1");
  AddService(configuration, "archive", "records", "");
  AddService(configuration, "population", "households", "");

  v1::GlobalGroup* group = configuration.add_groups();
  group->set_code("registries");
  group->set_description("Registries of the state");
  *group->add_members() = SubsystemIdProto("GOV", "000100", "population");
  return configuration;
}

std::string TestFederation::Sign(const v1::GlobalConfiguration& configuration) const {
  return SignConfiguration(configuration, config_signer.key, {config_signer.certificate}).value();
}

VerifiedConfiguration TestFederation::Verified(const v1::GlobalConfiguration& configuration) const {
  return VerifyConfiguration(Sign(configuration), anchors, testing::kFakeClockStart).value();
}

}  // namespace truc::globalconf
