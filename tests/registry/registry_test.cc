#include "registry/registry.h"

#include <catch2/catch.hpp>

#include "core/ids/id_proto.h"
#include "core/storage/memory_store.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/test_federation.h"

namespace truc::registry {
namespace {

using pki::Profile;
using testing::KeyAndCertificate;

v1::MemberId Member(const std::string& id) {
  return ids::ToProto(ids::MemberId::Parse(id).value());
}
v1::SubsystemId Subsystem(const std::string& id) {
  return ids::ToProto(ids::SubsystemId::Parse(id).value());
}

v1::RegisterMemberRequest MemberRequest(const std::string& id, const std::string& name) {
  v1::RegisterMemberRequest request;
  *request.mutable_id() = Member(id);
  request.set_name(name);
  return request;
}

v1::SignedApplication Sign(const v1::Application& application, const KeyAndCertificate& signer) {
  v1::SignedApplication signed_application;
  signed_application.set_application(application.SerializeAsString());
  const crypto::Signature signature = signer.key.Sign(signed_application.application()).value();
  signed_application.mutable_signature()->set_key_id(signature.key_id);
  signed_application.mutable_signature()->set_value(signature.value);
  signed_application.add_signer_certificate_chain(signer.certificate.ToDer());
  return signed_application;
}

struct Fixture {
  Fixture() { Reopen(); }

  void Reopen() {
    registry.reset();
    registry = Registry::Open(store, {.instance = "VN"}, clock).value();
  }

  // The typical start: an approved CA, one member with a subsystem.
  void Populate() {
    REQUIRE(registry->AddApprovedCa(federation.root().certificate.ToDer()).ok());
    REQUIRE(registry->RegisterMember(MemberRequest("VN/GOV/000100", "Population")).ok());
    v1::RegisterSubsystemRequest subsystem;
    *subsystem.mutable_id() = Subsystem("VN/GOV/000100/population");
    REQUIRE(registry->RegisterSubsystem(subsystem).ok());
  }

  testing::FakeClock clock;
  storage::MemoryStore store;
  testing::TestFederation federation;
  std::unique_ptr<Registry> registry;
};

TEST_CASE("Every change gets a new version and survives a restart", "[registry]") {
  Fixture f;
  f.Populate();
  const uint64_t version = f.registry->Configuration().version();
  CHECK(version == 3);
  f.Reopen();
  const v1::GlobalConfiguration config = f.registry->Configuration();
  CHECK(config.version() == version);
  REQUIRE(config.members_size() == 1);
  CHECK(config.members(0).name() == "Population");
  CHECK(config.members(0).subsystems(0).subsystem_code() == "population");
  CHECK(config.expires_at().seconds() - config.issued_at().seconds() == 24 * 3600 + 5 * 60);
  CHECK(config.expires_at().seconds() ==
        std::chrono::system_clock::to_time_t(f.clock.Now() + std::chrono::hours(24)));
  CHECK(f.registry->Reissue().value() == version + 1);
}

TEST_CASE("Bad administrative requests are refused and change nothing", "[registry]") {
  Fixture f;
  f.Populate();
  const v1::GlobalConfiguration before = f.registry->Configuration();
  Status status;

  SECTION("unknown member") {
    v1::RegisterSubsystemRequest request;
    *request.mutable_id() = Subsystem("VN/GOV/000999/x");
    status = f.registry->RegisterSubsystem(request).status();
    CHECK(status.code() == StatusCode::kNotFound);
    CHECK(status.message() == "unknown member VN/GOV/000999");
  }
  SECTION("duplicate member code") {
    status = f.registry->RegisterMember(MemberRequest("VN/GOV/000100", "Again")).status();
    CHECK(status.code() == StatusCode::kAlreadyExists);
    CHECK(status.message() == "member VN/GOV/000100 is already registered");
  }
  SECTION("malformed id") {
    v1::RegisterMemberRequest request = MemberRequest("VN/GOV/000100", "x");
    request.mutable_id()->set_member_code("");
    status = f.registry->RegisterMember(request).status();
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.message() == "member code is empty");
  }
  SECTION("another instance") {
    status = f.registry->RegisterMember(MemberRequest("EE/GOV/1", "Estonia")).status();
    CHECK(status.reason() == "registry.wrong_instance");
  }
  SECTION("a TSA certificate not from an approved CA") {
    const testing::TestFederation other;
    status = f.registry
                 ->AddApprovedTsa(
                     other.Issue(Profile::kTimestampAuthority, "VN/GOV/000001").certificate.ToDer())
                 .status();
    CHECK(status.code() == StatusCode::kFailedPrecondition);
    CHECK(status.message().starts_with("TSA certificate is not from an approved CA: "));
  }
  SECTION("a signing certificate not from an approved CA") {
    const testing::TestFederation other;
    const KeyAndCertificate rogue = other.Issue(Profile::kMemberSigning, "VN/GOV/000100");
    v1::Application application;
    *application.mutable_member() = Member("VN/GOV/000100");
    application.set_signing_certificate(rogue.certificate.ToDer());
    status = f.registry->SubmitApplication(Sign(application, rogue)).status();
    CHECK(status.reason() == "registry.not_from_approved_ca");
  }
  SECTION("a service of an unknown subsystem") {
    v1::ServiceDescription service;
    *service.mutable_id()->mutable_provider() = Subsystem("VN/GOV/000100/land");
    service.mutable_id()->set_service_code("parcels");
    service.set_kind(v1::SERVICE_KIND_REST);
    service.set_classification(v1::DATA_CLASSIFICATION_PERSONAL);
    status = f.registry->PublishService(service).status();
    CHECK(status.message() == "unknown subsystem VN/GOV/000100/land");
  }
  SECTION("a service whose subject identifiers are not patterns") {
    v1::ServiceDescription service;
    *service.mutable_id()->mutable_provider() = Subsystem("VN/GOV/000100/population");
    service.mutable_id()->set_service_code("citizens");
    service.set_kind(v1::SERVICE_KIND_REST);
    service.set_classification(v1::DATA_CLASSIFICATION_PERSONAL);
    service.add_subject_identifiers("/citizens/{}");
    service.add_subject_identifiers("citizens/{}");
    status = f.registry->PublishService(service).status();
    CHECK(status.reason() == "globalconf.bad_subject_pattern");
    CHECK(
        status.message().starts_with("service VN/GOV/000100/population/citizens: subject "
                                     "identifier pattern \"citizens/{}\""));
  }
  SECTION("a certificate that is not a CA as approved CA") {
    status =
        f.registry
            ->AddApprovedCa(
                f.federation.Issue(Profile::kMemberSigning, "VN/GOV/000100").certificate.ToDer())
            .status();
    CHECK(status.reason() == "registry.not_a_ca");
  }
  SECTION("a malformed fingerprint to revoke") {
    v1::RevokeCertificateRequest request;
    request.set_fingerprint("short");
    status = f.registry->RevokeCertificate(request).status();
    CHECK(status.message() == "a certificate fingerprint is 32 bytes (SHA-256), not 5");
  }
  REQUIRE_FALSE(status.ok());
  CHECK(f.registry->Configuration().SerializeAsString() == before.SerializeAsString());
}

TEST_CASE("A full disk refuses the change and keeps the state", "[registry]") {
  Fixture f;
  f.Populate();
  f.store.FailWrites(Status(StatusCode::kResourceExhausted, "disk full", "storage.no_space"));
  const Status status = f.registry->RegisterMember(MemberRequest("VN/GOV/000200", "Land")).status();
  CHECK(status.reason() == "storage.no_space");
  CHECK(status.message() == "cannot save the change: disk full");
  CHECK(f.registry->Configuration().members_size() == 1);
}

TEST_CASE("Applications: proof of possession, approval and auto-approval", "[registry]") {
  Fixture f;
  f.Populate();
  const KeyAndCertificate signing = f.federation.Issue(Profile::kMemberSigning, "VN/GOV/000100");
  const KeyAndCertificate tls =
      f.federation.Issue(Profile::kGatewayTls, "VN/GOV/000100/gw1", {"IP:127.0.0.1"});

  // A first signing certificate, signed with its own key: pending until an administrator approves.
  v1::Application certificate_application;
  *certificate_application.mutable_member() = Member("VN/GOV/000100");
  certificate_application.set_signing_certificate(signing.certificate.ToDer());
  const v1::ApplicationRecord pending =
      f.registry->SubmitApplication(Sign(certificate_application, signing)).value();
  CHECK(pending.state() == v1::APPLICATION_STATE_PENDING);
  CHECK(f.registry->ListApplications(true).size() == 1);
  CHECK(f.registry->ApproveApplication(pending.id(), "checked by phone").value().state() ==
        v1::APPLICATION_STATE_APPROVED);
  CHECK(f.registry->Configuration().members(0).signing_certificates_size() == 1);
  CHECK(f.registry->ApproveApplication(pending.id(), "").status().reason() ==
        "registry.not_pending");

  // Its gateway, signed with the now registered key: approved at once.
  v1::Application gateway_application;
  *gateway_application.mutable_member() = Member("VN/GOV/000100");
  v1::Gateway* gateway = gateway_application.mutable_gateway();
  *gateway->mutable_id() = ids::ToProto(ids::ServerId::Parse("VN/GOV/000100/gw1").value());
  gateway->set_address("127.0.0.1:9443");
  gateway->add_tls_certificate_fingerprints(tls.certificate.Fingerprint());
  const v1::ApplicationRecord approved =
      f.registry->SubmitApplication(Sign(gateway_application, signing)).value();
  CHECK(approved.state() == v1::APPLICATION_STATE_APPROVED);
  CHECK(approved.version() == f.registry->Configuration().version());
  CHECK(f.registry->Configuration().gateways_size() == 1);

  SECTION("a tampered application is refused") {
    v1::SignedApplication tampered = Sign(gateway_application, signing);
    tampered.mutable_application()->back() ^= 0x01;
    CHECK(f.registry->SubmitApplication(tampered).status().code() == StatusCode::kUnauthenticated);
  }
  SECTION("another member's key cannot apply for this member") {
    REQUIRE(f.registry->RegisterMember(MemberRequest("VN/GOV/000200", "Land")).ok());
    const KeyAndCertificate other = f.federation.Issue(Profile::kMemberSigning, "VN/GOV/000200");
    CHECK(f.registry->SubmitApplication(Sign(gateway_application, other)).status().reason() ==
          "registry.wrong_signer");
  }
}

}  // namespace
}  // namespace truc::registry
