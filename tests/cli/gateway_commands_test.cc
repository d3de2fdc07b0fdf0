// Runs `truc gateway` against a gateway's real admin API (access::AdminService on in-memory
// access rights), served over mutual TLS in this process.
#include <string>

#include <catch2/catch.hpp>

#include "core/ids/identifiers.h"
#include "gateway/access/rest_path.h"
#include "tests/cli/closed_port.h"
#include "tests/cli/run_truc.h"
#include "tests/gateway/access/test_gateway_admin.h"
#include "tests/support/temp_dir.h"

namespace truc::cli {
namespace {

using gateway::access::TestGatewayAdmin;
using testing::CommandResult;
using testing::TempDir;

constexpr std::string_view kPets = "VN/GOV/000200/vet/pets";

// `truc gateway` with the `holder`'s certificate and key from `dir`, against `gateway`.
std::string Gateway(const TempDir& dir, const TestGatewayAdmin& gateway,
                    const std::string& holder = "admin") {
  return "gateway --gateway " + gateway.address() + " --cert " +
         ShellQuote(dir.File(holder + ".pem")) + " --key " + ShellQuote(dir.File(holder + ".key")) +
         " --ca " + ShellQuote(dir.File("ca.pem"));
}

// Whether `client` may call `method` on `path` of kPets; only VN/GOV/000300/clinic is in the
// group "vets".
bool MayCall(TestGatewayAdmin& gateway, std::string_view client, std::string_view method,
             std::string_view path) {
  return gateway.rights()
      .Check(
          ids::SubsystemId::Parse(client).value(),
          [&](std::string_view group) {
            return client == "VN/GOV/000300/clinic" && group == "vets";
          },
          ids::ServiceId::Parse(kPets).value(), method,
          gateway::access::NormalizeRestPath(path).value())
      .ok();
}

TEST_CASE("truc gateway grants, lists and revokes access rights", "[cli]") {
  const TempDir dir;
  TestGatewayAdmin gateway(dir);
  const std::string truc_gateway = Gateway(dir, gateway);

  CommandResult result = Truc(truc_gateway + " access list");
  CHECK(result.exit_code == 0);
  CHECK(result.output == "no access rights\n");

  result = Truc(truc_gateway + " access grant --service VN/GOV/000200/vet/pets --client " +
                "VN/GOV/000100/app --method GET --path '/pets/*'");
  CHECK(result.exit_code == 0);
  CHECK(result.output ==
        "granted: client VN/GOV/000100/app on GET /pets/* of VN/GOV/000200/vet/pets\n");
  CHECK(MayCall(gateway, "VN/GOV/000100/app", "GET", "/pets/1"));
  CHECK_FALSE(MayCall(gateway, "VN/GOV/000100/app", "GET", "/pets/1/../../admin"));

  // The common options may also follow the subcommand.
  result = Truc(
      "gateway access grant --service VN/GOV/000200/vet/pets --group vets --path "
      "'/pets/**' " +
      truc_gateway.substr(std::string("gateway ").size()));
  CHECK(result.exit_code == 0);
  CHECK(result.output == "granted: group vets on * /pets/** of VN/GOV/000200/vet/pets\n");
  CHECK(MayCall(gateway, "VN/GOV/000300/clinic", "DELETE", "/pets/1/photos"));

  result = Truc(truc_gateway +
                " access grant --service VN/GOV/000200/vet/owners --client VN/GOV/000100/app");
  CHECK(result.output == "granted: client VN/GOV/000100/app on VN/GOV/000200/vet/owners\n");
  result = Truc(truc_gateway +
                " service disable --service VN/GOV/000200/vet/pets --notice "
                "'Back at 18:00'");
  CHECK(result.exit_code == 0);
  CHECK(result.output == "service VN/GOV/000200/vet/pets disabled\n");
  CHECK_FALSE(MayCall(gateway, "VN/GOV/000100/app", "GET", "/pets/1"));

  result = Truc(truc_gateway + " access list");
  CHECK(result.exit_code == 0);
  CHECK(result.output ==
        "SERVICE                   SUBJECT                   ENDPOINT\n"
        "VN/GOV/000200/vet/owners  client VN/GOV/000100/app  (whole service)\n"
        "VN/GOV/000200/vet/pets    client VN/GOV/000100/app  GET /pets/*\n"
        "VN/GOV/000200/vet/pets    group vets                * /pets/**\n"
        "disabled: VN/GOV/000200/vet/pets (Back at 18:00)\n");
  result = Truc(truc_gateway + " access list --service VN/GOV/000200/vet/owners");
  CHECK(result.output ==
        "SERVICE                   SUBJECT                   ENDPOINT\n"
        "VN/GOV/000200/vet/owners  client VN/GOV/000100/app  (whole service)\n");

  result = Truc(truc_gateway + " service enable --service VN/GOV/000200/vet/pets");
  CHECK(result.output == "service VN/GOV/000200/vet/pets enabled\n");
  CHECK(MayCall(gateway, "VN/GOV/000100/app", "GET", "/pets/1"));

  result = Truc(truc_gateway + " access revoke --service VN/GOV/000200/vet/pets --client " +
                "VN/GOV/000100/app --method GET --path '/pets/*'");
  CHECK(result.exit_code == 0);
  CHECK(result.output ==
        "revoked: client VN/GOV/000100/app on GET /pets/* of VN/GOV/000200/vet/pets\n");
  CHECK_FALSE(MayCall(gateway, "VN/GOV/000100/app", "GET", "/pets/1"));

  result = Truc(truc_gateway + " access revoke --service VN/GOV/000200/vet/pets --client " +
                "VN/GOV/000100/app");
  CHECK(result.exit_code == 1);
  CHECK(result.output ==
        "truc: there is no grant to client VN/GOV/000100/app on VN/GOV/000200/vet/pets\n");
  CHECK(gateway.rights().List().size() == 2);
}

TEST_CASE("truc gateway is refused without an administrator certificate", "[cli]") {
  const TempDir dir;
  TestGatewayAdmin gateway(dir);
  for (const std::string command :
       {" access grant --service VN/GOV/000200/vet/pets --client VN/GOV/000100/gw1", " access list",
        " service disable --service VN/GOV/000200/vet/pets"}) {
    const CommandResult result = Truc(Gateway(dir, gateway, "intruder") + command);
    INFO(command);
    CHECK(result.exit_code == 1);
    CHECK(result.output ==
          "truc: administering the gateway needs an administrator certificate; the caller's "
          "is not one\n");
  }
  CHECK(gateway.rights().List().empty());
  CHECK(gateway.rights().ListDisabled().empty());
}

TEST_CASE("truc gateway checks its arguments before contacting the gateway", "[cli]") {
  // Neither the TLS files nor the gateway exist: only the arguments are looked at.
  const std::string truc_gateway =
      "gateway --gateway 127.0.0.1:1 --cert /nonexistent/admin.pem --key /nonexistent/admin.key "
      "--ca /nonexistent/ca.pem";
  struct Case {
    std::string arguments;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {" access grant --service VN/GOV/000200/vet --client VN/GOV/000100/app",
            ids::ServiceId::Parse("VN/GOV/000200/vet").status().message()},
           {" access grant --service VN/GOV/000200/vet/pets --client VN/GOV/000100",
            ids::SubsystemId::Parse("VN/GOV/000100").status().message()},
           {" access revoke --service VN/GOV/000200/vet/pets",
            "name who the right is for with --client or --group"},
           {" access grant --service VN/GOV/000200/vet/pets --group vets --path pets",
            "endpoint path 'pets': the path does not start with '/'"},
           {" access grant --service VN/GOV/000200/vet/pets --group vets --path '/a/**/b'",
            "endpoint path '/a/**/b': '**' at offset 3 is not the last segment"},
           {" access grant --service VN/GOV/000200/vet/pets --group vets --method 'G T'",
            "endpoint method 'G T' is neither '*' nor an HTTP method"},
           {" service enable --service VN/GOV/000200",
            ids::ServiceId::Parse("VN/GOV/000200").status().message()},
       }) {
    const CommandResult result = Truc(truc_gateway + c.arguments);
    INFO(c.arguments);
    CHECK(result.exit_code == 1);
    CHECK(result.output == "truc: " + c.message + "\n");
  }
  const CommandResult both = Truc(truc_gateway +
                                  " access grant --service VN/GOV/000200/vet/pets --group vets "
                                  "--client VN/GOV/000100/app");
  CHECK(both.exit_code != 0);
  CHECK(both.output.find("--client excludes --group") != std::string::npos);
}

TEST_CASE("truc gateway says when the gateway cannot be reached", "[cli]") {
  const TempDir dir;
  const TestGatewayAdmin gateway(dir);  // For its certificates.
  const ClosedPort closed;
  const std::string address = "127.0.0.1:" + std::to_string(closed.port());
  const CommandResult result =
      Truc("gateway --gateway " + address + " --cert " + ShellQuote(dir.File("admin.pem")) +
           " --key " + ShellQuote(dir.File("admin.key")) + " --ca " +
           ShellQuote(dir.File("ca.pem")) + " access list");
  CHECK(result.exit_code == 1);
  CHECK(result.output.starts_with("truc: cannot reach the gateway at " + address + ": "));
}

}  // namespace
}  // namespace truc::cli
