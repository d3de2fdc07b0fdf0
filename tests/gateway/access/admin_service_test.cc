// The GatewayAdmin API over real mutual TLS, called through its generated client.
#include "gateway/access/admin_service.h"

#include <chrono>
#include <functional>
#include <string>

#include <catch2/catch.hpp>

#include "core/ids/id_proto.h"
#include "core/rpc/grpc_util.h"
#include "gateway/access/access_proto.h"
#include "tests/gateway/access/test_gateway_admin.h"

namespace truc::gateway::access {
namespace {

using Stub = v1::GatewayAdmin::Stub;

const ids::ServiceId kPets = ids::ServiceId::Parse("VN/GOV/000200/vet/pets").value();
const ids::SubsystemId kApp = ids::SubsystemId::Parse("VN/GOV/000100/app").value();

// Calls `method` with a deadline; the status as a truc::Status (reason included).
template <typename Request, typename Response>
Status Call(Stub& stub,
            grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
            const Request& request, Response* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return rpc::FromGrpcStatus((stub.*method)(&context, request, response));
}

template <typename Request>
Status Change(Stub& stub,
              grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                           google::protobuf::Empty*),
              const Request& request) {
  google::protobuf::Empty empty;
  return Call(stub, method, request, &empty);
}

v1::AccessGrant PetsGrant() {
  return ToProto(AccessGrant{
      .service = kPets, .subject = kApp, .endpoint = EndpointPattern{"GET", "/pets/*"}});
}

TEST_CASE("Administrators change and list access rights over the admin API", "[gateway][access]") {
  const testing::TempDir dir;
  TestGatewayAdmin gateway(dir);
  const std::unique_ptr<Stub> admin = gateway.Client("admin");

  REQUIRE(Change(*admin, &Stub::GrantAccess, PetsGrant()).ok());
  v1::AccessGrant group;
  *group.mutable_service() = ids::ToProto(kPets);
  group.set_group_code("vets");
  REQUIRE(Change(*admin, &Stub::GrantAccess, group).ok());
  v1::DisabledService disable;
  *disable.mutable_service() = ids::ToProto(kPets);
  disable.set_notice("maintenance");
  REQUIRE(Change(*admin, &Stub::DisableService, disable).ok());

  const NormalizedPath path = NormalizeRestPath("/pets/1").value();
  CHECK(gateway.rights()
            .Check(
                kApp, [](std::string_view) { return false; }, kPets, "GET", path)
            .reason() == "Server.ServerProxy.ServiceDisabled");
  CHECK(gateway.rights().List().size() == 2);

  v1::ListAccessResponse listed;
  REQUIRE(Call(*admin, &Stub::ListAccess, v1::ListAccessRequest(), &listed).ok());
  REQUIRE(listed.grants_size() == 2);
  CHECK(FromProto(listed.grants(0)).value() == FromProto(PetsGrant()).value());
  CHECK(listed.grants(1).group_code() == "vets");
  REQUIRE(listed.disabled_services_size() == 1);
  CHECK(listed.disabled_services(0).notice() == "maintenance");

  v1::ListAccessRequest other_service;
  *other_service.mutable_service() =
      ids::ToProto(ids::ServiceId::Parse("VN/GOV/000200/vet/owners").value());
  v1::ListAccessResponse none;
  REQUIRE(Call(*admin, &Stub::ListAccess, other_service, &none).ok());
  CHECK(none.grants().empty());
  CHECK(none.disabled_services().empty());

  v1::EnableServiceRequest enable;
  *enable.mutable_service() = ids::ToProto(kPets);
  REQUIRE(Change(*admin, &Stub::EnableService, enable).ok());
  REQUIRE(Change(*admin, &Stub::RevokeAccess, group).ok());
  CHECK(gateway.rights()
            .Check(
                kApp, [](std::string_view) { return false; }, kPets, "GET", path)
            .ok());
  CHECK(gateway.rights().List().size() == 1);

  const Status again = Change(*admin, &Stub::RevokeAccess, group);
  CHECK(again.code() == StatusCode::kNotFound);
  CHECK(again.reason() == "gateway.no_such_grant");
  CHECK(again.message() == "there is no grant to group vets on VN/GOV/000200/vet/pets");
}

TEST_CASE("The admin API refuses a caller without an administrator certificate",
          "[gateway][access]") {
  const testing::TempDir dir;
  TestGatewayAdmin gateway(dir);
  REQUIRE(gateway.rights().Grant(FromProto(PetsGrant()).value()).ok());
  const std::unique_ptr<Stub> intruder = gateway.Client("intruder");

  v1::ListAccessResponse listed;
  v1::DisabledService disable;
  *disable.mutable_service() = ids::ToProto(kPets);
  v1::EnableServiceRequest enable;
  *enable.mutable_service() = ids::ToProto(kPets);
  for (const Status& refused : {
           Change(*intruder, &Stub::GrantAccess, PetsGrant()),
           Change(*intruder, &Stub::RevokeAccess, PetsGrant()),
           Call(*intruder, &Stub::ListAccess, v1::ListAccessRequest(), &listed),
           Change(*intruder, &Stub::DisableService, disable),
           Change(*intruder, &Stub::EnableService, enable),
       }) {
    CHECK(refused.code() == StatusCode::kPermissionDenied);
    CHECK(refused.reason() == "gateway.not_admin");
  }
  CHECK(listed.grants().empty());
  CHECK(gateway.rights().List().size() == 1);
  CHECK(gateway.rights().ListDisabled().empty());
}

TEST_CASE("The admin API names the malformed field of a request", "[gateway][access]") {
  const testing::TempDir dir;
  TestGatewayAdmin gateway(dir);
  const std::unique_ptr<Stub> admin = gateway.Client("admin");

  struct Case {
    std::string what;
    std::function<void(v1::AccessGrant&)> spoil;
    std::string message_start;
  };
  for (const Case& c : std::vector<Case>{
           {"no service", [](v1::AccessGrant& g) { g.clear_service(); }, "service: "},
           {"an empty service code",
            [](v1::AccessGrant& g) { g.mutable_service()->clear_service_code(); },
            "service: service code is empty"},
           {"a client without a subsystem code",
            [](v1::AccessGrant& g) { g.mutable_client()->clear_subsystem_code(); },
            "client: subsystem code is empty"},
           {"no subject", [](v1::AccessGrant& g) { g.clear_client(); },
            "client: a grant needs a client subsystem or a group code"},
           {"an empty group code", [](v1::AccessGrant& g) { g.set_group_code(""); },
            "group_code: group code is empty"},
           {"a bad endpoint", [](v1::AccessGrant& g) { g.mutable_endpoint()->set_path("pets"); },
            "endpoint: endpoint path 'pets': the path does not start with '/'"},
           {"a bad method", [](v1::AccessGrant& g) { g.mutable_endpoint()->set_method("G T"); },
            "endpoint: endpoint method 'G T' is neither '*' nor an HTTP method"},
       }) {
    v1::AccessGrant grant = PetsGrant();
    c.spoil(grant);
    INFO(c.what);
    for (const Status& status :
         {Change(*admin, &Stub::GrantAccess, grant), Change(*admin, &Stub::RevokeAccess, grant)}) {
      CHECK(status.code() == StatusCode::kInvalidArgument);
      CHECK(status.message().starts_with(c.message_start));
    }
  }
  v1::EnableServiceRequest enable;
  CHECK(Change(*admin, &Stub::EnableService, enable).message().starts_with("service: "));
  v1::DisabledService disable;
  CHECK(Change(*admin, &Stub::DisableService, disable).message().starts_with("service: "));
  CHECK(gateway.rights().List().empty());
}

}  // namespace
}  // namespace truc::gateway::access
