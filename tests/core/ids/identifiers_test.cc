#include "core/ids/identifiers.h"

#include <unordered_set>

#include <catch2/catch.hpp>

namespace truc::ids {
namespace {

std::string ErrorOf(const Status& status) { return std::string(status.message()); }

TEST_CASE("Identifiers parse into their parts and format back", "[ids]") {
  const MemberId member = MemberId::Parse("VN/GOV/000100").value();
  CHECK(member.instance() == "VN");
  CHECK(member.member_class() == "GOV");
  CHECK(member.member_code() == "000100");
  CHECK(member.ToString() == "VN/GOV/000100");

  const SubsystemId subsystem = SubsystemId::Parse("VN/GOV/000100/population").value();
  CHECK(subsystem.member() == member);
  CHECK(subsystem.subsystem_code() == "population");

  const ServiceId unversioned = ServiceId::Parse("VN/GOV/000100/population/citizens").value();
  CHECK(unversioned.provider() == subsystem);
  CHECK(unversioned.service_code() == "citizens");
  CHECK(unversioned.version().empty());
  CHECK(unversioned.ToString() == "VN/GOV/000100/population/citizens");

  const ServiceId versioned = ServiceId::Parse("VN/GOV/000100/population/citizens/v2").value();
  CHECK(versioned.version() == "v2");
  CHECK(versioned.ToString() == "VN/GOV/000100/population/citizens/v2");

  const ServerId server = ServerId::Parse("VN/GOV/000100/gw1").value();
  CHECK(server.owner() == member);
  CHECK(server.server_code() == "gw1");
}

TEST_CASE("Each part is percent-encoded on its own", "[ids]") {
  const SubsystemId id = SubsystemId::Parse("VN/GOV/a%2Fb/S%C3%A0%201").value();
  CHECK(id.member().member_code() == "a/b");
  CHECK(id.subsystem_code() == "Sà 1");
  CHECK(id.ToString() == "VN/GOV/a%2Fb/S%C3%A0%201");
  CHECK(SubsystemId::Parse(id.ToString()).value() == id);

  const MemberId built = MemberId::Create("VN", "COM", "0101/2").value();
  CHECK(built.ToString() == "VN/COM/0101%2F2");
  CHECK(MemberId::Parse(built.ToString()).value() == built);
}

TEST_CASE("Malformed identifiers are rejected with a reason", "[ids]") {
  CHECK(ErrorOf(MemberId::Parse("VN/GOV").status()) ==
        "invalid member id 'VN/GOV': expected the form INSTANCE/CLASS/CODE, got 2 parts");
  CHECK(ErrorOf(SubsystemId::Parse("VN/GOV/1/a/b").status()) ==
        "invalid subsystem id 'VN/GOV/1/a/b': expected the form INSTANCE/CLASS/CODE/SUBSYSTEM, "
        "got 5 parts");
  CHECK(ErrorOf(ServiceId::Parse("VN/GOV/1/a").status()) ==
        "invalid service id 'VN/GOV/1/a': expected the form "
        "INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE[/VERSION], got 4 parts");
  CHECK(ErrorOf(MemberId::Parse("VN//1").status()) ==
        "invalid member id 'VN//1': member class is empty");
  CHECK(ErrorOf(ServerId::Parse("VN/GOV/1/").status()) ==
        "invalid server id 'VN/GOV/1/': server code is empty");
  CHECK(ErrorOf(MemberId::Parse("VN/GOV/%zz").status()) ==
        "invalid member id 'VN/GOV/%zz': member code: '%' at offset 0 is not followed by two "
        "hex digits");
  CHECK(ErrorOf(MemberId::Parse("VN/GOV/a%0Ab").status()) ==
        "invalid member id 'VN/GOV/a%0Ab': member code contains a control character at byte 1");
  CHECK(ErrorOf(MemberId::Parse("VN/GOV/%C3%28").status()) ==
        "invalid member id 'VN/GOV/%C3%28': member code is not valid UTF-8 at byte 0");
  // An overlong encoding of "/" must not sneak a separator in.
  CHECK_FALSE(MemberId::Parse("VN/GOV/%C0%AF").ok());
  CHECK(ErrorOf(MemberId::Parse("VN/GOV/" + std::string(256, 'x')).status()) ==
        "invalid member id 'VN/GOV/" + std::string(256, 'x') +
            "': member code is 256 bytes long; the limit is 255");
  CHECK(MemberId::Parse("").status().reason() == "ids.malformed");
}

TEST_CASE("Create validates raw parts and names the bad one", "[ids]") {
  CHECK(ErrorOf(MemberId::Create("VN", "", "1").status()) == "member class is empty");
  const MemberId member = MemberId::Create("VN", "GOV", "1").value();
  CHECK(ErrorOf(SubsystemId::Create(member, "").status()) == "subsystem code is empty");
  const SubsystemId subsystem = SubsystemId::Create(member, "s").value();
  CHECK(ErrorOf(ServiceId::Create(subsystem, "svc", "\x01").status()) ==
        "version contains a control character at byte 0");
  CHECK(ServiceId::Create(subsystem, "svc").ok());
  CHECK(ErrorOf(ServerId::Create(member, std::string("\xff")).status()) ==
        "server code is not valid UTF-8 at byte 0");
}

TEST_CASE("Identifiers compare and hash by value", "[ids]") {
  const SubsystemId a = SubsystemId::Parse("VN/GOV/1/a").value();
  const SubsystemId a_again = SubsystemId::Parse("VN/GOV/1/%61").value();
  const SubsystemId b = SubsystemId::Parse("VN/GOV/1/b").value();
  CHECK(a == a_again);
  CHECK(a < b);
  CHECK(MemberId::Parse("VN/COM/9").value() < MemberId::Parse("VN/GOV/1").value());
  std::unordered_set<SubsystemId> set{a, a_again, b};
  CHECK(set.size() == 2);
  CHECK(set.count(SubsystemId::Parse("VN/GOV/1/b").value()) == 1);
}

}  // namespace
}  // namespace truc::ids
