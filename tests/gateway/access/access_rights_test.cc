#include "gateway/access/access_rights.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/storage/memory_store.h"
#include "core/storage/rocksdb_store.h"
#include "tests/support/temp_dir.h"

namespace truc::gateway::access {
namespace {

ids::SubsystemId Subsystem(std::string_view id) { return ids::SubsystemId::Parse(id).value(); }
ids::ServiceId Service(std::string_view id) { return ids::ServiceId::Parse(id).value(); }
EndpointPattern Endpoint(std::string_view method, std::string_view path) {
  return EndpointPattern::Parse(method, path).value();
}

const ids::ServiceId kPets = Service("VN/GOV/000200/vet/pets");
const ids::ServiceId kPetsV2 = Service("VN/GOV/000200/vet/pets/v2");
const ids::ServiceId kOwners = Service("VN/GOV/000200/vet/owners");
const ids::SubsystemId kApp = Subsystem("VN/GOV/000100/app");
const ids::SubsystemId kOther = Subsystem("VN/GOV/000300/other");

bool NoGroups(std::string_view /*group*/) { return false; }

// The membership of a client in exactly `group`.
GroupMembership MemberOf(std::string group) {
  return [group = std::move(group)](std::string_view code) { return code == group; };
}

AccessGrant ToClient(const ids::ServiceId& service, const ids::SubsystemId& client,
                     std::optional<EndpointPattern> endpoint = std::nullopt) {
  return {.service = service, .subject = client, .endpoint = std::move(endpoint)};
}

AccessGrant ToGroup(const ids::ServiceId& service, std::string group,
                    std::optional<EndpointPattern> endpoint = std::nullopt) {
  return {
      .service = service, .subject = GroupCode{std::move(group)}, .endpoint = std::move(endpoint)};
}

std::unique_ptr<AccessRights> OpenRights(storage::KeyValueStore& store) {
  StatusOr<std::unique_ptr<AccessRights>> rights = AccessRights::Open(store);
  INFO(rights.status().ToString());
  REQUIRE(rights.ok());
  return *std::move(rights);
}

// Check of a call of `method` on the raw path `raw_path`, normalised as the gateway does.
Status Call(const AccessRights& rights, const ids::SubsystemId& client,
            const GroupMembership& in_group, const ids::ServiceId& service, std::string_view method,
            std::string_view raw_path) {
  StatusOr<NormalizedPath> path = NormalizeRestPath(raw_path);
  REQUIRE(path.ok());
  return rights.Check(client, in_group, service, method, *path);
}

Status Call(const AccessRights& rights, const ids::SubsystemId& client,
            const ids::ServiceId& service, std::string_view method, std::string_view raw_path) {
  return Call(rights, client, NoGroups, service, method, raw_path);
}

TEST_CASE("Nobody may call a service without a grant", "[gateway][access]") {
  storage::MemoryStore store;
  const std::unique_ptr<AccessRights> rights = OpenRights(store);
  const Status denied = Call(*rights, kApp, kPets, "GET", "/pets/1");
  CHECK(denied.reason() == "Server.ServerProxy.AccessDenied");
  CHECK(denied.code() == StatusCode::kPermissionDenied);
  CHECK(denied.message() ==
        "client VN/GOV/000100/app may not call GET /pets/1 of service VN/GOV/000200/vet/pets");
}

TEST_CASE("A whole-service grant lets its client call anything of that service only",
          "[gateway][access]") {
  storage::MemoryStore store;
  const std::unique_ptr<AccessRights> rights = OpenRights(store);
  REQUIRE(rights->Grant(ToClient(kPets, kApp)).ok());

  CHECK(Call(*rights, kApp, kPets, "GET", "/pets/1").ok());
  CHECK(Call(*rights, kApp, kPets, "DELETE", "/").ok());
  CHECK(Call(*rights, kOther, kPets, "GET", "/pets/1").reason() ==
        "Server.ServerProxy.AccessDenied");
  CHECK(Call(*rights, kApp, kOwners, "GET", "/").reason() == "Server.ServerProxy.AccessDenied");
  // Another version is another service.
  CHECK(Call(*rights, kApp, kPetsV2, "GET", "/").reason() == "Server.ServerProxy.AccessDenied");
}

TEST_CASE("An endpoint grant lets its client call that endpoint only", "[gateway][access]") {
  storage::MemoryStore store;
  const std::unique_ptr<AccessRights> rights = OpenRights(store);
  REQUIRE(rights->Grant(ToClient(kPets, kApp, Endpoint("GET", "/pets/*"))).ok());
  REQUIRE(rights->Grant(ToClient(kPets, kApp, Endpoint("*", "/public/**"))).ok());

  CHECK(Call(*rights, kApp, kPets, "GET", "/pets/1").ok());
  CHECK(Call(*rights, kApp, kPets, "GET", "/pets/%31").ok());
  CHECK(Call(*rights, kApp, kPets, "POST", "/public").ok());
  CHECK(Call(*rights, kApp, kPets, "PUT", "/public/a/b").ok());
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/pets/1"},
           {"GET", "/pets"},
           {"GET", "/pets/1/photos"},
           {"GET", "/pets/1/../../admin"},
           {"GET", "/public/../admin"},
           {"GET", "/public/%2e%2e/admin"},
       }) {
    const Status denied = Call(*rights, kApp, kPets, method, path);
    INFO(method << " " << path);
    CHECK(denied.reason() == "Server.ServerProxy.AccessDenied");
  }
  // The denial names the path as it would have been forwarded.
  CHECK(Call(*rights, kApp, kPets, "GET", "/public/%2e%2e/admin").message() ==
        "client VN/GOV/000100/app may not call GET /admin of service VN/GOV/000200/vet/pets");
  CHECK(Call(*rights, kOther, kPets, "GET", "/pets/1").reason() ==
        "Server.ServerProxy.AccessDenied");
}

TEST_CASE("A group grant lets the group's members call", "[gateway][access]") {
  storage::MemoryStore store;
  const std::unique_ptr<AccessRights> rights = OpenRights(store);
  REQUIRE(rights->Grant(ToGroup(kPets, "vets", Endpoint("GET", "/pets/**"))).ok());

  std::vector<std::string> asked;
  const GroupMembership vet = [&](std::string_view group) {
    asked.emplace_back(group);
    return group == "vets";
  };
  CHECK(Call(*rights, kApp, vet, kPets, "GET", "/pets/1").ok());
  CHECK(asked == std::vector<std::string>{"vets"});
  CHECK(Call(*rights, kApp, MemberOf("owners"), kPets, "GET", "/pets/1").reason() ==
        "Server.ServerProxy.AccessDenied");
  CHECK(Call(*rights, kApp, vet, kPets, "POST", "/pets/1").reason() ==
        "Server.ServerProxy.AccessDenied");
}

TEST_CASE("Granting is idempotent and checked", "[gateway][access]") {
  storage::MemoryStore store;
  const std::unique_ptr<AccessRights> rights = OpenRights(store);
  const AccessGrant grant = ToClient(kPets, kApp, Endpoint("GET", "/pets/*"));
  REQUIRE(rights->Grant(grant).ok());

  SECTION("granting again changes nothing and writes nothing") {
    store.FailWrites(UnavailableError("disk full"));
    CHECK(rights->Grant(grant).ok());
    CHECK(rights->List() == std::vector<AccessGrant>{grant});
  }
  SECTION("an invalid group code or endpoint is refused") {
    const Status empty_group = rights->Grant(ToGroup(kPets, ""));
    CHECK(empty_group.code() == StatusCode::kInvalidArgument);
    CHECK(empty_group.message() == "group_code: group code is empty");
    AccessGrant bad_endpoint = grant;
    bad_endpoint.endpoint = EndpointPattern{.method = "GET", .path = "/pets/**/x"};
    const Status refused = rights->Grant(bad_endpoint);
    CHECK(refused.code() == StatusCode::kInvalidArgument);
    CHECK(refused.message() ==
          "endpoint path '/pets/**/x': '**' at offset 6 is not the last segment");
    CHECK(rights->List() == std::vector<AccessGrant>{grant});
  }
}

TEST_CASE("A change the store refuses is not applied", "[gateway][access]") {
  storage::MemoryStore store;
  const std::unique_ptr<AccessRights> rights = OpenRights(store);
  REQUIRE(rights->Grant(ToClient(kOwners, kApp)).ok());
  store.FailWrites(UnavailableError("disk full"));

  const Status granted = rights->Grant(ToClient(kPets, kApp));
  CHECK(granted.code() == StatusCode::kUnavailable);
  CHECK(granted.message() == "cannot save the access rights: disk full");
  CHECK(Call(*rights, kApp, kPets, "GET", "/").reason() == "Server.ServerProxy.AccessDenied");
  CHECK_FALSE(rights->Revoke(ToClient(kOwners, kApp)).ok());
  CHECK(Call(*rights, kApp, kOwners, "GET", "/").ok());
  CHECK_FALSE(rights->DisableService(kOwners, "maintenance").ok());
  CHECK(rights->ListDisabled().empty());
  CHECK(rights->List() == std::vector<AccessGrant>{ToClient(kOwners, kApp)});
}

TEST_CASE("Revoking removes exactly the grant named", "[gateway][access]") {
  storage::MemoryStore store;
  const std::unique_ptr<AccessRights> rights = OpenRights(store);
  const AccessGrant whole = ToClient(kPets, kApp);
  const AccessGrant endpoint = ToClient(kPets, kApp, Endpoint("GET", "/pets/*"));
  REQUIRE(rights->Grant(whole).ok());
  REQUIRE(rights->Grant(endpoint).ok());

  REQUIRE(rights->Revoke(whole).ok());
  CHECK(rights->List() == std::vector<AccessGrant>{endpoint});
  CHECK(Call(*rights, kApp, kPets, "GET", "/pets/1").ok());
  CHECK(Call(*rights, kApp, kPets, "POST", "/pets/1").reason() ==
        "Server.ServerProxy.AccessDenied");

  const Status again = rights->Revoke(whole);
  CHECK(again.code() == StatusCode::kNotFound);
  CHECK(again.message() ==
        "there is no grant to client VN/GOV/000100/app on VN/GOV/000200/vet/pets");
  CHECK(rights->Revoke(ToClient(kPets, kApp, Endpoint("GET", "/pets/**"))).code() ==
        StatusCode::kNotFound);
  CHECK(rights->Revoke(ToGroup(kPets, "vets")).code() == StatusCode::kNotFound);
  REQUIRE(rights->Revoke(endpoint).ok());
  CHECK(rights->List().empty());
}

TEST_CASE("Grants are listed in order, for every service or one", "[gateway][access]") {
  storage::MemoryStore store;
  const std::unique_ptr<AccessRights> rights = OpenRights(store);
  const std::vector<AccessGrant> pets = {
      ToClient(kPets, kApp),
      ToClient(kPets, kApp, Endpoint("GET", "/pets/*")),
      ToClient(kPets, kOther),
      ToGroup(kPets, "vets"),
  };
  const AccessGrant v2 = ToClient(kPetsV2, kApp);
  const AccessGrant owners = ToGroup(kOwners, "vets", Endpoint("GET", "/**"));
  for (const AccessGrant& grant : {pets[3], v2, pets[1], owners, pets[2], pets[0]}) {
    REQUIRE(rights->Grant(grant).ok());
  }
  CHECK(rights->List(kPets) == pets);
  CHECK(rights->List(kPetsV2) == std::vector<AccessGrant>{v2});
  CHECK(rights->List(Service("VN/GOV/000200/vet/none")).empty());
  std::vector<AccessGrant> all = {owners};
  all.insert(all.end(), pets.begin(), pets.end());
  all.push_back(v2);
  CHECK(rights->List() == all);
  CHECK(pets[1].ToString() == "client VN/GOV/000100/app on GET /pets/* of VN/GOV/000200/vet/pets");
  CHECK(pets[3].ToString() == "group vets on VN/GOV/000200/vet/pets");
}

TEST_CASE("A disabled service tells its callers the notice", "[gateway][access]") {
  storage::MemoryStore store;
  const std::unique_ptr<AccessRights> rights = OpenRights(store);
  REQUIRE(rights->Grant(ToClient(kPets, kApp)).ok());
  REQUIRE(rights->DisableService(kPets, "Under maintenance until 18:00").ok());

  const Status disabled = Call(*rights, kApp, kPets, "GET", "/pets/1");
  CHECK(disabled.reason() == "Server.ServerProxy.ServiceDisabled");
  CHECK(disabled.message() ==
        "service VN/GOV/000200/vet/pets is disabled: Under maintenance until 18:00");
  // A client without rights learns nothing about the service.
  CHECK(Call(*rights, kOther, kPets, "GET", "/pets/1").reason() ==
        "Server.ServerProxy.AccessDenied");
  CHECK(rights->ListDisabled() ==
        std::vector<DisabledService>{{kPets, "Under maintenance until 18:00"}});
  CHECK(rights->ListDisabled(kOwners).empty());

  CHECK(rights->DisableService(kPets, "\xff").code() == StatusCode::kInvalidArgument);
  REQUIRE(rights->DisableService(kPets, "").ok());
  CHECK(Call(*rights, kApp, kPets, "GET", "/pets/1").message() ==
        "service VN/GOV/000200/vet/pets is disabled");

  REQUIRE(rights->EnableService(kPets).ok());
  CHECK(Call(*rights, kApp, kPets, "GET", "/pets/1").ok());
  CHECK(rights->ListDisabled().empty());
  CHECK(rights->EnableService(kPets).ok());
  CHECK(rights->List() == std::vector<AccessGrant>{ToClient(kPets, kApp)});
}

TEST_CASE("Access rights survive reopening the database", "[gateway][access]") {
  const testing::TempDir dir;
  const std::vector<AccessGrant> granted = {
      ToClient(kOwners, kOther),
      ToClient(kPets, kApp),
      ToClient(kPets, kApp, Endpoint("GET", "/pets/{id}")),
      ToGroup(kPets, "vets và bác sĩ/thú y", Endpoint("*", "/pets/%2A/**")),
  };
  {
    auto store = storage::RocksDbStore::Open(dir.path()).value();
    const std::unique_ptr<AccessRights> rights = OpenRights(*store);
    for (const AccessGrant& grant : granted) REQUIRE(rights->Grant(grant).ok());
    REQUIRE(rights->Grant(ToClient(kPetsV2, kApp)).ok());
    REQUIRE(rights->Revoke(ToClient(kPetsV2, kApp)).ok());
    REQUIRE(rights->DisableService(kOwners, "closed").ok());
    REQUIRE(rights->DisableService(kPetsV2, "not yet").ok());
    REQUIRE(rights->EnableService(kPetsV2).ok());
  }
  {
    auto store = storage::RocksDbStore::Open(dir.path()).value();
    const std::unique_ptr<AccessRights> rights = OpenRights(*store);
    CHECK(rights->List() == granted);
    CHECK(rights->ListDisabled() == std::vector<DisabledService>{{kOwners, "closed"}});
    CHECK(Call(*rights, kApp, MemberOf("vets và bác sĩ/thú y"), kPets, "PUT", "/pets/*/x").ok());
    CHECK(Call(*rights, kOther, kOwners, "GET", "/").reason() ==
          "Server.ServerProxy.ServiceDisabled");
    REQUIRE(rights->Revoke(granted[1]).ok());
    REQUIRE(rights->EnableService(kOwners).ok());
  }
  auto store = storage::RocksDbStore::Open(dir.path()).value();
  const std::unique_ptr<AccessRights> rights = OpenRights(*store);
  CHECK(rights->List() == std::vector<AccessGrant>{granted[0], granted[2], granted[3]});
  CHECK(rights->ListDisabled().empty());
}

TEST_CASE("A corrupt stored record is reported, naming its key", "[gateway][access]") {
  storage::MemoryStore store;
  {
    const std::unique_ptr<AccessRights> rights = OpenRights(store);
    REQUIRE(rights->Grant(ToClient(kPets, kApp)).ok());
  }
  SECTION("a record that does not parse") {
    storage::WriteBatch batch;
    batch.Put("access/disabled/VN/GOV/000200/vet/pets", "\xff\xff garbage");
    REQUIRE(store.Write(batch, true).ok());
    const StatusOr<std::unique_ptr<AccessRights>> rights = AccessRights::Open(store);
    CHECK(rights.status().code() == StatusCode::kDataLoss);
    CHECK(rights.status().message() ==
          "access rights: the record 'access/disabled/VN/GOV/000200/vet/pets' does not parse");
  }
  SECTION("a record filed under another key") {
    std::optional<std::string> record;
    REQUIRE(store
                .Scan("access/grant/", "",
                      [&](std::string_view, std::string_view value) {
                        record = std::string(value);
                        return false;
                      })
                .ok());
    REQUIRE(record);
    storage::WriteBatch batch;
    batch.Put("access/grant/VN/GOV/000200/vet/owners client:VN/GOV/000100/app", *record);
    REQUIRE(store.Write(batch, true).ok());
    const StatusOr<std::unique_ptr<AccessRights>> rights = AccessRights::Open(store);
    CHECK(rights.status().code() == StatusCode::kDataLoss);
    CHECK(rights.status().message() ==
          "access rights: the record 'access/grant/VN/GOV/000200/vet/owners "
          "client:VN/GOV/000100/app' belongs under the key 'access/grant/VN/GOV/000200/vet/pets "
          "client:VN/GOV/000100/app'");
  }
}

TEST_CASE("Allowed lists the declared endpoints a client may call", "[gateway][access]") {
  storage::MemoryStore store;
  const std::unique_ptr<AccessRights> rights = OpenRights(store);
  const std::vector<EndpointPattern> declared = {
      Endpoint("GET", "/pets"),
      Endpoint("POST", "/pets"),
      Endpoint("GET", "/pets/{id}"),
      Endpoint("DELETE", "/pets/{id}"),
      Endpoint("GET", "/pets/{id}/photos"),
  };

  SECTION("no right: nothing") {
    const AllowedCalls allowed = rights->Allowed(kApp, NoGroups, kPets, declared);
    CHECK_FALSE(allowed.may_call);
    CHECK(allowed.endpoints.empty());
  }
  SECTION("a whole-service right: everything declared") {
    REQUIRE(rights->Grant(ToClient(kPets, kApp, Endpoint("GET", "/pets"))).ok());
    REQUIRE(rights->Grant(ToClient(kPets, kApp)).ok());
    const AllowedCalls allowed = rights->Allowed(kApp, NoGroups, kPets, declared);
    CHECK(allowed.may_call);
    CHECK(allowed.endpoints == declared);
  }
  SECTION("endpoint rights: the declared endpoints they cover, in declared order") {
    REQUIRE(rights->Grant(ToClient(kPets, kApp, Endpoint("GET", "/pets/**"))).ok());
    REQUIRE(rights->Grant(ToGroup(kPets, "admins", Endpoint("*", "/pets/*"))).ok());
    REQUIRE(rights->Grant(ToClient(kPets, kOther)).ok());
    CHECK(rights->Allowed(kApp, NoGroups, kPets, declared).endpoints ==
          std::vector<EndpointPattern>{declared[0], declared[2], declared[4]});
    CHECK(rights->Allowed(kApp, MemberOf("admins"), kPets, declared).endpoints ==
          std::vector<EndpointPattern>{declared[0], declared[2], declared[3], declared[4]});
  }
  SECTION("a right on an undeclared endpoint: may call, nothing declared to list") {
    REQUIRE(rights->Grant(ToClient(kPets, kApp, Endpoint("GET", "/other"))).ok());
    const AllowedCalls allowed = rights->Allowed(kApp, NoGroups, kPets, declared);
    CHECK(allowed.may_call);
    CHECK(allowed.endpoints.empty());
    CHECK_FALSE(rights->Allowed(kApp, NoGroups, kOwners, declared).may_call);
  }
}

TEST_CASE("Checks run while rights change", "[gateway][access]") {
  storage::MemoryStore store;
  const std::unique_ptr<AccessRights> rights = OpenRights(store);
  REQUIRE(rights->Grant(ToClient(kPets, kApp)).ok());
  const NormalizedPath path = NormalizeRestPath("/pets/1").value();
  std::atomic<bool> done = false;
  std::atomic<int> failures = 0;
  std::thread checker([&] {
    while (!done) {
      if (!rights->Check(kApp, NoGroups, kPets, "GET", path).ok()) ++failures;
    }
  });
  for (int i = 0; i < 200; ++i) {
    const AccessGrant grant = ToClient(kOwners, kOther, Endpoint("GET", fmt::format("/{}", i)));
    REQUIRE(rights->Grant(grant).ok());
    if (i % 2 == 0) REQUIRE(rights->Revoke(grant).ok());
  }
  done = true;
  checker.join();
  CHECK(failures == 0);
  CHECK(rights->List(kOwners).size() == 100);
}

}  // namespace
}  // namespace truc::gateway::access
