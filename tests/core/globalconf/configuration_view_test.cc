#include "core/globalconf/configuration_view.h"

#include <catch2/catch.hpp>

#include "tests/core/globalconf/test_federation.h"

namespace truc::globalconf {
namespace {

using testing::kFakeClockStart;

ids::MemberId Member(std::string_view encoded) { return ids::MemberId::Parse(encoded).value(); }
ids::SubsystemId Subsystem(std::string_view encoded) {
  return ids::SubsystemId::Parse(encoded).value();
}
ids::ServiceId Service(std::string_view encoded) { return ids::ServiceId::Parse(encoded).value(); }

std::vector<std::string> Ids(std::span<const GatewayInfo> gateways) {
  std::vector<std::string> out;
  for (const GatewayInfo& gateway : gateways) out.push_back(gateway.id.ToString());
  return out;
}
std::vector<std::string> Ids(std::span<const ServiceInfo> services) {
  std::vector<std::string> out;
  for (const ServiceInfo& service : services) out.push_back(service.id.ToString());
  return out;
}

TEST_CASE("The view answers a gateway's lookups", "[globalconf]") {
  const TestFederation federation;
  const VerifiedConfiguration verified = federation.Verified(federation.Configuration(4));
  const std::shared_ptr<const ConfigurationView> view = ConfigurationView::Create(verified).value();

  CHECK(view->info().version == 4);
  CHECK(view->info().expires_at == verified.info.expires_at);
  CHECK(view->instance() == "VN");

  SECTION("members and their subsystems") {
    const MemberInfo* registry = view->FindMember(Member("VN/GOV/000100"));
    REQUIRE(registry != nullptr);
    CHECK(registry->name == "Population registry");
    REQUIRE(registry->subsystems.size() == 2);
    CHECK(registry->subsystems[0].id.ToString() == "VN/GOV/000100/population");
    CHECK(registry->subsystems[0].name == "The population subsystem");
    CHECK(registry->subsystems[1].id.ToString() == "VN/GOV/000100/archive");
    REQUIRE(registry->signing_certificates.size() == 2);
    CHECK(registry->signing_certificates[0] == federation.member_signing.certificate);

    CHECK(view->FindMember(Member("VN/GOV/000999")) == nullptr);
    CHECK(view->HasSubsystem(Subsystem("VN/GOV/000100/archive")));
    CHECK(view->HasSubsystem(Subsystem("VN/COM/000200/portal")));
    CHECK_FALSE(view->HasSubsystem(Subsystem("VN/COM/000200/archive")));
  }
  SECTION("gateways by owner and by TLS fingerprint") {
    CHECK(Ids(view->GatewaysOf(Member("VN/GOV/000100"))) ==
          std::vector<std::string>{kGateway1, kGateway2});
    CHECK(Ids(view->GatewaysOf(Member("VN/COM/000200"))) == std::vector<std::string>{kGateway3});
    CHECK(view->GatewaysOf(Member("VN/GOV/000999")).empty());

    const GatewayInfo* gateway = view->FindGatewayByTlsFingerprint(TlsFingerprint(kGateway2));
    REQUIRE(gateway != nullptr);
    CHECK(gateway->id.ToString() == kGateway2);
    CHECK(gateway->address == "gw2.registry.example.vn:8443");
    CHECK(gateway->tls_certificate_fingerprints ==
          std::vector<std::string>{TlsFingerprint(kGateway2)});
    CHECK(view->FindGatewayByTlsFingerprint(TlsFingerprint("VN/GOV/000100/gw9")) == nullptr);
  }
  SECTION("approved CAs and TSAs, revocations and the trust store") {
    CHECK(view->approved_cas() == std::vector<crypto::Certificate>{federation.root.certificate});
    CHECK(view->approved_tsas() == std::vector<crypto::Certificate>{federation.tsa.certificate});
    CHECK(view->revoked_fingerprints() ==
          std::set<std::string>{federation.revoked_member.certificate.Fingerprint()});
    const crypto::TrustStore& store = view->trust_store();
    CHECK(store.VerifyChain(federation.member_signing.certificate, {}, kFakeClockStart).ok());
    CHECK(store.VerifyChain(federation.revoked_member.certificate, {}, kFakeClockStart)
              .status()
              .reason() == crypto::kCertRevoked);
  }
  SECTION("services") {
    const ServiceInfo* citizens =
        view->FindService(Service("VN/GOV/000100/population/citizens/v1"));
    REQUIRE(citizens != nullptr);
    CHECK(citizens->description.kind() == v1::SERVICE_KIND_REST);
    CHECK(view->FindService(Service("VN/GOV/000100/population/citizens")) == nullptr);
    CHECK(view->FindService(Service("VN/GOV/000100/population/citizens/v2")) == nullptr);
    CHECK(Ids(view->ServicesOf(Subsystem("VN/GOV/000100/population"))) ==
          std::vector<std::string>{"VN/GOV/000100/population/citizens/v1",
                                   "VN/GOV/000100/population/households"});
    CHECK(Ids(view->ServicesOf(Subsystem("VN/GOV/000100/archive"))) ==
          std::vector<std::string>{"VN/GOV/000100/archive/records"});
    CHECK(view->ServicesOf(Subsystem("VN/COM/000200/portal")).empty());
  }
  SECTION("global groups") {
    CHECK(view->IsInGroup("registries", Subsystem("VN/GOV/000100/population")));
    CHECK_FALSE(view->IsInGroup("registries", Subsystem("VN/GOV/000100/archive")));
    CHECK_FALSE(view->IsInGroup("portals", Subsystem("VN/GOV/000100/population")));
  }
}

TEST_CASE("A view is not built from a configuration with an unusable entry", "[globalconf]") {
  const TestFederation federation;
  v1::GlobalConfiguration configuration = federation.Configuration(1);
  const auto build_error = [&] {
    return ConfigurationView::Create(federation.Verified(configuration)).status();
  };
  const auto expect = [&](std::string_view message) {
    const Status status = build_error();
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.reason() == kInvalidEntry);
    CHECK(status.message() == message);
  };

  SECTION("a member id with an empty part") {
    configuration.mutable_members(1)->mutable_id()->clear_member_code();
    expect("members[1]: member code is empty");
  }
  SECTION("a subsystem code with a control character") {
    configuration.mutable_members(0)->mutable_subsystems(1)->set_subsystem_code("arc\nhive");
    expect(
        "members[0] (VN/GOV/000100).subsystems[1]: subsystem code contains a control "
        "character at byte 3");
  }
  SECTION("a member listed twice") {
    *configuration.add_members() = configuration.members(0);
    expect("members[2] (VN/GOV/000100): appears twice");
  }
  SECTION("a subsystem listed twice") {
    configuration.mutable_members(0)->mutable_subsystems(1)->set_subsystem_code("population");
    expect("members[0] (VN/GOV/000100).subsystems[1] (VN/GOV/000100/population): appears twice");
  }
  SECTION("a signing certificate that is not DER") {
    configuration.mutable_members(0)->set_signing_certificates(1, "garbage");
    const Status status = build_error();
    CHECK(status.reason() == kInvalidEntry);
    CHECK(status.message().starts_with(
        "members[0] (VN/GOV/000100).signing_certificates[1]: not a DER certificate"));
  }
  SECTION("an approved CA that is not DER") {
    configuration.add_approved_cas(federation.root.certificate.ToDer().substr(1));
    CHECK(build_error().message().starts_with("approved_cas[1]: not a DER certificate"));
  }
  SECTION("no approved CA") {
    configuration.clear_approved_cas();
    expect("approved_cas: the configuration approves no CA");
  }
  SECTION("an approved TSA that is not DER") {
    configuration.set_approved_tsas(0, "");
    CHECK(build_error().message().starts_with("approved_tsas[0]: not a DER certificate"));
  }
  SECTION("a revoked fingerprint that is not SHA-256") {
    configuration.add_revoked_certificate_fingerprints("short");
    expect("revoked_certificate_fingerprints[1]: a SHA-256 fingerprint has 32 bytes, not 5");
  }
  SECTION("a gateway id without a server code") {
    configuration.mutable_gateways(2)->mutable_id()->clear_server_code();
    expect("gateways[2]: server code is empty");
  }
  SECTION("a gateway fingerprint that is not SHA-256") {
    configuration.mutable_gateways(0)->add_tls_certificate_fingerprints(std::string(20, 'x'));
    expect(
        "gateways[0] (VN/GOV/000100/gw2).tls_certificate_fingerprints[1]: a SHA-256 "
        "fingerprint has 32 bytes, not 20");
  }
  SECTION("a gateway listed twice") {
    *configuration.add_gateways() = configuration.gateways(1);
    expect("gateway VN/GOV/000100/gw1: appears twice");
  }
  SECTION("one TLS certificate registered for two gateways") {
    configuration.mutable_gateways(2)->add_tls_certificate_fingerprints(TlsFingerprint(kGateway1));
    const Status status = build_error();
    CHECK(status.reason() == kInvalidEntry);
    CHECK(
        status.message().ends_with(": registered for both gateway VN/COM/000200/gw and "
                                   "gateway VN/GOV/000100/gw1"));
  }
  SECTION("a service id with a bad version") {
    configuration.mutable_services(0)->mutable_id()->set_version(std::string(300, 'v'));
    expect("services[0]: version is 300 bytes long; the limit is 255");
  }
  SECTION("a service whose subject identifiers are not declared as patterns") {
    configuration.mutable_services(0)->add_subject_identifiers("/citizens/{id}");
    const Status status = build_error();
    CHECK(status.reason() == kInvalidEntry);
    CHECK(status.message().starts_with("services[0] (VN/GOV/000100/"));
    CHECK(status.message().find("subject identifier pattern \"/citizens/{id}\"") !=
          std::string::npos);
  }
  SECTION("a service listed twice") {
    *configuration.add_services() = configuration.services(2);
    expect("service VN/GOV/000100/population/households: appears twice");
  }
  SECTION("a group with an empty code") {
    configuration.mutable_groups(0)->clear_code();
    expect("groups[0]: global group code is empty");
  }
  SECTION("a group member with a bad id") {
    configuration.mutable_groups(0)->mutable_members(0)->mutable_member()->clear_instance();
    expect("groups[0] (registries).members[0]: instance is empty");
  }
  SECTION("a group listed twice") {
    *configuration.add_groups() = configuration.groups(0);
    expect("groups[1] (registries): appears twice");
  }
}

}  // namespace
}  // namespace truc::globalconf
