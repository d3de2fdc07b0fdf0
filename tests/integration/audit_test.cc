// The auditor's side of two real gateways: the audit API over mutual TLS and the `truc audit`
// CLI, remote and offline. An auditor finds who read a citizen's record and for which case, sees
// both records of an exchange, gets per client × service statistics, verifies whole logs and
// archives (and is told where a flipped byte lies), and exports evidence bundles that openssl
// alone verifies, exactly as docs/auditor-guide.md says.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/base/encoding.h"
#include "core/base/file.h"
#include "core/crypto/certificate.h"
#include "core/crypto/trust_store.h"
#include "gateway/audit/evidence_verifier.h"
#include "tests/support/gateway_federation.h"

namespace truc {
namespace {

using testing::GatewayFederation;
using testing::kClient;

constexpr char kCitizen[] = "VN079123456789";
constexpr char kCase[] = "HS-2026-004711";

// Runs `command`; INFO shows its output when a check fails.
std::string Succeeds(const testing::CommandResult& result) {
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  return result.output;
}

// Calls `path` of the citizens service for kCitizen and kCase; returns the message id.
std::string ReadCitizen(const GatewayFederation& federation, const std::string& path) {
  const net::HttpResponse response =
      federation.CallCitizens("GET", path, {{"X-Road-UserId", kCitizen}, {"X-Road-Issue", kCase}});
  REQUIRE(response.status == 200);
  return response.headers.Get("X-Road-Id").value_or("");
}

// Waits until gateway `name` has sealed the exchange `message_id`, then returns `truc audit show`.
std::string ShowOnceSealed(const GatewayFederation& federation, const std::string& name,
                           const std::string& message_id) {
  testing::CommandResult shown;
  for (int attempt = 0; attempt < 100; ++attempt) {
    shown = federation.Audit(name, "show --message-id " + message_id);
    if (shown.exit_code == 0 || shown.output.find("sealed") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Succeeds(shown);
}

gateway::audit::VerifyReport VerifyBytes(const std::string& archive,
                                         const crypto::TrustStore& anchors) {
  std::istringstream in(archive);
  return gateway::audit::VerifyArchive(in, anchors, SystemClock::Instance().Now());
}

TEST_CASE("An auditor finds who read a citizen's record, for which case, and proves it") {
  GatewayFederation federation({.provider_audit = "body_policy = \"digest_only\"\n"});
  const std::string first = ReadCitizen(federation, "/citizens/079123456789?fields=name");
  const std::string second = ReadCitizen(federation, "/citizens/079123456789?fields=address");
  // Another citizen, another case, and a call that fails.
  REQUIRE(
      federation.CallCitizens("GET", "/citizens/001099000001", {{"X-Road-Issue", "HS-1"}}).status ==
      200);
  const net::HttpResponse failed = federation.Rest(
      "GET", "/r1/VN/GOV/000100/population/down/x",
      {{"X-Road-Client", kClient}, {"X-Road-UserId", kCitizen}, {"X-Road-Issue", kCase}});
  REQUIRE(failed.status >= 500);
  const std::string shown = ShowOnceSealed(federation, "consumer", second);
  // Each gateway seals on its own schedule: the sections below count on both having sealed.
  ShowOnceSealed(federation, "provider", second);

  SECTION("show gives both records of the exchange, in full") {
    INFO(shown);
    CHECK(shown.find("request on the consumer side") != std::string::npos);
    CHECK(shown.find("response on the consumer side") != std::string::npos);
    CHECK(shown.find(kCase) != std::string::npos);
    CHECK(shown.find("GET /citizens/079123456789?fields=address") != std::string::npos);
    CHECK(shown.find("HTTP 200") != std::string::npos);
    CHECK(shown.find("CN=VN/GOV/000200 at ") != std::string::npos);
    CHECK(shown.find("CN=VN/GOV/000100 at ") != std::string::npos);
  }

  SECTION("query finds the citizen's exchanges, as a table, JSON and CSV") {
    const std::string table = Succeeds(federation.Audit(
        "consumer", fmt::format("query --user-id {} --purpose {}", kCitizen, kCase)));
    CHECK(table.find(first) != std::string::npos);
    CHECK(table.find(second) != std::string::npos);
    // Answered from the user id index, with the count.
    CHECK(table.find("3 exchanges match in all") != std::string::npos);
    const nlohmann::json rows = nlohmann::json::parse(Succeeds(
        federation.Audit("consumer", fmt::format("query --user-id {} --format json", kCitizen))));
    REQUIRE(rows.size() == 3);
    int failures = 0;
    for (const nlohmann::json& row : rows) {
      CHECK(row["client"] == kClient);
      CHECK(row["purpose"] == kCase);
      CHECK(row["side"] == "consumer");
      failures += row["failed"].get<bool>() ? 1 : 0;
    }
    CHECK(failures == 1);
    const nlohmann::json succeeded = nlohmann::json::parse(Succeeds(federation.Audit(
        "consumer", "query --outcome succeeded --service VN/GOV/000100 --format json")));
    CHECK(succeeded.size() == 3);
    const std::string csv =
        Succeeds(federation.Audit("consumer", "query --purpose HS-1 --format csv"));
    CHECK(csv.rfind("seq,ended,side,client,service,request,user,purpose,outcome,ms,message id\r\n",
                    0) == 0);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 2);

    // Paging: one exchange per page, the token of the next on stderr.
    const std::string page = Succeeds(federation.Audit("consumer", "query --limit 1"));
    CHECK(page.find("--page-token") != std::string::npos);
    const nlohmann::json all = nlohmann::json::parse(
        Succeeds(federation.Audit("consumer", "query --limit 1 --all --format json")));
    CHECK(all.size() == 4);
    for (const char* token : {"12abc", "-1", " 12"}) {  // Only tokens a query gave.
      const testing::CommandResult bad =
          federation.Audit("consumer", fmt::format("query --page-token '{}'", token));
      CHECK(bad.exit_code != 0);
      CHECK(bad.output.find("is not one a query gave") != std::string::npos);
    }

    // The citizen whose record was read, as the catalog says the citizens service's paths name
    // it: found from the index, whoever the end user was.
    const nlohmann::json subject = nlohmann::json::parse(
        Succeeds(federation.Audit("consumer", "query --subject 079123456789 --format json")));
    REQUIRE(subject.size() == 2);
    for (const auto& row : subject) {
      CHECK(row["request"].get<std::string>().find("/citizens/079123456789?fields=") !=
            std::string::npos);
    }
    CHECK(nlohmann::json::parse(
              Succeeds(federation.Audit("provider", "query --subject 001099000001 --format json")))
              .size() == 1);
    // A prefix of the id is another id: nothing.
    CHECK(nlohmann::json::parse(
              Succeeds(federation.Audit("consumer", "query --subject 07912345678 --format json")))
              .empty());

    // Client, service and a time range, from the indexes: the three reads of the citizens
    // service in the last hour; none in the hour to come.
    const TimePoint now = SystemClock::Instance().Now();
    const std::string combined = fmt::format(
        "query --client {} --service VN/GOV/000100/population/citizens --since {} --until {}",
        kClient, FormatRfc3339(now - std::chrono::hours(1)), FormatRfc3339(now));
    const std::string combined_table = Succeeds(federation.Audit("consumer", combined));
    CHECK(combined_table.find("3 exchanges match in all") != std::string::npos);
    CHECK(nlohmann::json::parse(Succeeds(federation.Audit("consumer", combined + " --format json")))
              .size() == 3);
    CHECK(nlohmann::json::parse(
              Succeeds(federation.Audit(
                  "consumer", fmt::format("query --client {} --since {} --format json", kClient,
                                          FormatRfc3339(now + std::chrono::hours(1))))))
              .empty());

    // A date is midnight UTC; anything else is refused, saying what would do.
    CHECK(nlohmann::json::parse(
              Succeeds(federation.Audit("consumer", "query --until 2020-01-01 --format json")))
              .empty());
    const testing::CommandResult bad_time = federation.Audit("consumer", "query --since yesterday");
    CHECK(bad_time.exit_code != 0);
    CHECK(bad_time.output.find("--since: \"yesterday\" is not a date (2026-11-01) or an RFC 3339 "
                               "time") != std::string::npos);

    // The provider logged the same exchanges; its auditor sees them too.
    const nlohmann::json provided = nlohmann::json::parse(Succeeds(
        federation.Audit("provider", fmt::format("query --user-id {} --format json", kCitizen))));
    CHECK(provided.size() == 3);
    CHECK(provided[0]["side"] == "provider");
  }

  SECTION("stats count exchanges and failures per client and service, with latencies") {
    const nlohmann::json stats =
        nlohmann::json::parse(Succeeds(federation.Audit("consumer", "stats --format json")));
    REQUIRE(stats.size() == 2);
    CHECK(stats[0]["service"] == testing::kCitizens);
    CHECK(stats[0]["exchanges"] == 3);
    CHECK(stats[0]["failed"] == 0);
    CHECK(stats[0]["p50_ms"].get<double>() > 0);
    CHECK(stats[1]["service"] == "VN/GOV/000100/population/down");
    CHECK(stats[1]["failure_rate"] == 1.0);
    CHECK(Succeeds(federation.Audit("consumer", "stats")).find("p99 ms") != std::string::npos);
  }

  SECTION("verification resumes where the last one ended, and notices a rewritten past") {
    testing::TempDir dir;
    const std::string checkpoint = dir.File("consumer.checkpoint");
    const std::string verify =
        fmt::format("verify --anchor {} --checkpoint {}", federation.RootCaFile(), checkpoint);
    const std::string first_run = Succeeds(federation.Audit("consumer", verify));
    CHECK(first_run.find("OK: every record") != std::string::npos);
    CHECK(first_run.find("Resumed") == std::string::npos);
    const nlohmann::json saved = nlohmann::json::parse(ReadFile(checkpoint).value());
    const uint64_t size = saved["size"].get<uint64_t>();
    CHECK(size > 0);
    CHECK(saved["server_id"] == "VN/GOV/000200/gw1");
    CHECK(saved["root"].get<std::string>().size() == 64);
    CHECK(first_run.find(fmt::format("Checkpoint: verified up to size {}, recorded in {}", size,
                                     checkpoint)) != std::string::npos);

    // Two more exchanges, sealed: the next run verifies those only.
    const std::string later = ReadCitizen(federation, "/citizens/001099000002");
    ShowOnceSealed(federation, "consumer", later);
    const std::string second_run = Succeeds(federation.Audit("consumer", verify));
    INFO(second_run);
    CHECK(second_run.find(fmt::format("Resumed at size {} (verified on ", size)) !=
          std::string::npos);
    CHECK(second_run.find(fmt::format("records {} to ", size)) != std::string::npos);
    CHECK(second_run.find("OK: every record") != std::string::npos);
    const uint64_t resumed_size =
        nlohmann::json::parse(ReadFile(checkpoint).value())["size"].get<uint64_t>();
    CHECK(resumed_size >= size + 2);
    // In the gateway's store, from the same checkpoint.
    const std::string in_place = Succeeds(
        testing::RunCommand(fmt::format("{} audit --gateway-config {} {} 2>&1", TRUC_CLI_BINARY,
                                        federation.ConfigFile("consumer"), verify)));
    CHECK(in_place.find(fmt::format("Resumed at size {}", resumed_size)) != std::string::npos);

    // A checkpoint whose root is not the log's: what the auditor verified was since rewritten.
    nlohmann::json altered = nlohmann::json::parse(ReadFile(checkpoint).value());
    std::string root = altered["root"];
    root[0] = root[0] == '0' ? '1' : '0';
    altered["root"] = root;
    REQUIRE(WriteFileAtomically(checkpoint, altered.dump(), 0644).ok());
    const testing::CommandResult rewritten = federation.Audit("consumer", verify);
    CHECK(rewritten.exit_code != 0);
    CHECK(rewritten.output.find("the log is not the one verified on") != std::string::npos);
    CHECK(ReadFile(checkpoint).value() == altered.dump());  // Left as it was.
    // Another gateway's log (the consumer's checkpoint of its empty log), or a file that is no
    // checkpoint.
    REQUIRE(WriteFileAtomically(
                checkpoint,
                R"({"server_id": "VN/GOV/000200/gw1", "size": 0, "root": )"
                R"("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", )"
                R"("verified_at": "2026-12-01T00:00:00Z"})",
                0644)
                .ok());
    const testing::CommandResult other = federation.Audit("provider", verify);
    CHECK(other.exit_code != 0);
    CHECK(other.output.find("is of gateway VN/GOV/000200/gw1") != std::string::npos);
    REQUIRE(WriteFileAtomically(checkpoint, "{\"size\": -1}", 0644).ok());
    const testing::CommandResult malformed = federation.Audit("consumer", verify);
    CHECK(malformed.exit_code != 0);
    CHECK(malformed.output.find("is not one `truc audit verify` wrote") != std::string::npos);
  }

  SECTION("both logs verify, remotely and as archives; a flipped byte is found where it is") {
    for (const char* name : {"consumer", "provider"}) {
      INFO(name);
      const std::string verified =
          Succeeds(federation.Audit(name, "verify --anchor " + federation.RootCaFile()));
      CHECK(verified.find("OK: every record") != std::string::npos);
      CHECK(verified.find(" 0 records of other members") != std::string::npos);
      // Where the gateway runs, in its store (read-only, while it runs): the same records.
      const std::string in_place = Succeeds(testing::RunCommand(
          fmt::format("{} audit --gateway-config {} verify --anchor {} 2>&1", TRUC_CLI_BINARY,
                      federation.ConfigFile(name), federation.RootCaFile())));
      CHECK(in_place.find("OK: every record") != std::string::npos);
      // Sealing goes on in the background: what was sealed for the first is sealed for the second.
      const auto count = [](const std::string& report) {
        const size_t at = report.find(" records verified");
        REQUIRE(at != std::string::npos);
        const size_t begin = report.rfind(' ', at - 1) + 1;
        return std::stoull(report.substr(begin, at - begin));
      };
      CHECK(count(in_place) >= count(verified));
      CHECK(count(verified) > 0);
    }
    testing::TempDir dir;
    const std::string archive_file = dir.File("consumer.truc-audit");
    Succeeds(federation.Audit("consumer", "archive --out " + archive_file));
    const std::string offline = Succeeds(
        testing::RunCommand(fmt::format("{} audit --archive {} verify --anchor {} 2>&1",
                                        TRUC_CLI_BINARY, archive_file, federation.RootCaFile())));
    CHECK(offline.find("8 records verified") != std::string::npos);
    const std::string offline_query = Succeeds(testing::RunCommand(
        fmt::format("{} audit --archive {} query --purpose {} --format json 2>&1", TRUC_CLI_BINARY,
                    archive_file, kCase)));
    CHECK(nlohmann::json::parse(offline_query).size() == 3);

    const std::string archive = ReadFile(archive_file).value();
    const crypto::TrustStore anchors =
        crypto::TrustStore::Create(
            crypto::Certificate::LoadPemFile(federation.RootCaFile()).value())
            .value();
    REQUIRE(VerifyBytes(archive, anchors).ok());
    // Every byte of the archive is covered by a check. Flipping them all would take minutes, so
    // flip one in every few, at offsets that move across the fields of the messages.
    const size_t stride = std::max<size_t>(1, archive.size() / 600) | 1;
    int flipped = 0;
    for (size_t offset = 0; offset < archive.size(); offset += stride) {
      std::string altered = archive;
      altered[offset] = static_cast<char>(altered[offset] ^ 0x01);
      const gateway::audit::VerifyReport report = VerifyBytes(altered, anchors);
      INFO("byte " << offset << " of " << archive.size() << ", in "
                   << HexEncode(archive.substr(offset - std::min<size_t>(offset, 24), 48)));
      REQUIRE_FALSE(report.ok());
      ++flipped;
    }
    CHECK(flipped >= 300);

    // The report says where: a flipped byte inside a record's body names that record.
    const size_t body_at = archive.rfind("citizens");
    REQUIRE(body_at != std::string::npos);
    std::string altered = archive;
    altered[body_at] = 'C';
    const gateway::audit::VerifyReport report = VerifyBytes(altered, anchors);
    REQUIRE(report.problems.size() >= 1);
    CHECK(report.problems[0].where.find("record ") == 0);
    CHECK(report.problems[0].what.find("does not hash to its leaf hash") != std::string::npos);
    REQUIRE(WriteFileAtomically(archive_file, altered, 0644).ok());
    const testing::CommandResult refused =
        testing::RunCommand(fmt::format("{} audit --archive {} verify --anchor {} 2>&1",
                                        TRUC_CLI_BINARY, archive_file, federation.RootCaFile()));
    CHECK(refused.exit_code != 0);
    CHECK(refused.output.find("FAILED: ") != std::string::npos);
    CHECK(refused.output.find(report.problems[0].where) != std::string::npos);
  }

  SECTION("an evidence bundle verifies with the documented openssl commands, and with truc") {
    testing::TempDir dir;
    for (const char* name : {"consumer", "provider"}) {
      INFO(name);
      const std::string bundle = dir.File(name);
      Succeeds(
          federation.Audit(name, fmt::format("export --message-id {} --out {}", second, bundle)));
      const std::string openssl = Succeeds(
          testing::RunCommand(fmt::format("bash {}/verify-with-openssl.sh {} {} 2>&1", bundle,
                                          federation.RootCaFile(), federation.TsaRootCaFile())));
      CHECK(openssl.find("All checks passed.") != std::string::npos);
      CHECK(openssl.find("ok: the signature over the batch root verifies") != std::string::npos);
      CHECK(openssl.find("ok: timestamped by an approved TSA") != std::string::npos);
      const std::string checked = Succeeds(
          testing::RunCommand(fmt::format("{} audit verify-bundle --bundle {} --anchor {} 2>&1",
                                          TRUC_CLI_BINARY, bundle, federation.RootCaFile())));
      CHECK(checked.find("OK: 2 records") != std::string::npos);
    }
    // The consumer kept the bodies, which openssl checks against the signed digests; the
    // provider kept digests only, and its bundle still verifies.
    CHECK(std::filesystem::exists(dir.File("consumer") + "/records"));
    int bodies = 0;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(dir.File("provider") + "/records")) {
      bodies += entry.path().filename() == "body" ? 1 : 0;
    }
    CHECK(bodies == 0);

    // A changed body, or a record moved out of the log, fails the openssl checks.
    std::string record_dir;
    for (const auto& entry :
         std::filesystem::directory_iterator(dir.File("consumer") + "/records")) {
      if (std::filesystem::exists(entry.path() / "body")) record_dir = entry.path().string();
    }
    REQUIRE_FALSE(record_dir.empty());
    std::ofstream(record_dir + "/body", std::ios::app) << " ";
    const testing::CommandResult tampered = testing::RunCommand(
        fmt::format("bash {}/verify-with-openssl.sh {} {} 2>&1", dir.File("consumer"),
                    federation.RootCaFile(), federation.TsaRootCaFile()));
    CHECK(tampered.exit_code != 0);
    CHECK(tampered.output.find("FAILED: ") != std::string::npos);

    // Offline: the same bundle from an archive.
    const std::string archive_file = dir.File("provider.truc-audit");
    Succeeds(federation.Audit("provider", "archive --out " + archive_file));
    Succeeds(testing::RunCommand(
        fmt::format("{} audit --archive {} export --message-id {} --out {} 2>&1", TRUC_CLI_BINARY,
                    archive_file, second, dir.File("offline"))));
    CHECK(Succeeds(testing::RunCommand(fmt::format("bash {}/verify-with-openssl.sh {} {} 2>&1",
                                                   dir.File("offline"), federation.RootCaFile(),
                                                   federation.TsaRootCaFile())))
              .find("All checks passed.") != std::string::npos);
  }

  SECTION("an auditor who noted a sealed head proves that a later log extends it") {
    const std::string heads = Succeeds(federation.Audit("consumer", "heads"));
    std::istringstream lines(heads);
    std::string header, size, date, root;
    std::getline(lines, header);
    REQUIRE(lines >> size >> date >> root);
    const std::string later = ReadCitizen(federation, "/citizens/079123456789?fields=birth");
    ShowOnceSealed(federation, "consumer", later);
    const std::string anchor = " --anchor " + federation.RootCaFile();
    const std::string extended = Succeeds(federation.Audit(
        "consumer", fmt::format("consistency --old {} --expect-root {}{}", size, root, anchor)));
    CHECK(extended.find(fmt::format("sealed at size {} (root {}", size, root)) !=
          std::string::npos);
    CHECK(extended.find("is a prefix of the log sealed at size") != std::string::npos);
    std::string upper = root;  // As an auditor may have copied it.
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    Succeeds(federation.Audit(
        "consumer", fmt::format("consistency --old {} --expect-root {}{}", size, upper, anchor)));
    const testing::CommandResult other_root = federation.Audit(
        "consumer",
        fmt::format("consistency --old {} --expect-root {}{}", size, std::string(64, 'a'), anchor));
    CHECK(other_root.exit_code != 0);
    CHECK(other_root.output.find("not the one you audited") != std::string::npos);
    const testing::CommandResult unsealed =
        federation.Audit("consumer", "consistency --old 99999" + anchor);
    CHECK(unsealed.exit_code != 0);
    CHECK(unsealed.output.find("no tree head was sealed at size 99999") != std::string::npos);
  }

  SECTION("auditors see only their members' exchanges; others are refused") {
    const testing::CommandResult admin = federation.Audit("provider", "query", "admin");
    CHECK(admin.exit_code != 0);
    CHECK(admin.output.find("needs an auditor certificate") != std::string::npos);
    const nlohmann::json none = nlohmann::json::parse(
        Succeeds(federation.Audit("provider", "query --format json", "other-auditor")));
    CHECK(none.empty());
    // Its archive withholds every record but still verifies, by the leaf hashes.
    const std::string verified = Succeeds(federation.Audit(
        "provider", "verify --anchor " + federation.RootCaFile(), "other-auditor"));
    CHECK(verified.find("0 records verified") != std::string::npos);
    CHECK(verified.find("OK: every record") != std::string::npos);
    CHECK(federation.Audit("provider", "show --message-id " + second, "other-auditor").exit_code !=
          0);
  }
}

// The archive files in `dir`, by name (so in log order).
std::vector<std::string> ArchiveFiles(const std::string& dir) {
  std::vector<std::string> files;
  if (!std::filesystem::exists(dir)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".truc-audit") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST_CASE("Sealed segments are archived, then pruned without breaking the proofs of the rest") {
  GatewayFederation federation({.provider_audit = R"(
archive_dir = "provider-archive"
archive_interval = "200ms"
retention = "4s"
)"});
  const std::string archive_dir = federation.File("provider-archive");
  const std::string early = ReadCitizen(federation, "/citizens/079123456789");

  // Within a few intervals the exchange's records are in an archive file, which verifies alone.
  std::vector<std::string> files;
  for (int attempt = 0; attempt < 100 && files.empty(); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    files = ArchiveFiles(archive_dir);
  }
  REQUIRE_FALSE(files.empty());
  const std::string segment = Succeeds(
      testing::RunCommand(fmt::format("{} audit --archive {} verify --anchor {} 2>&1",
                                      TRUC_CLI_BINARY, files.front(), federation.RootCaFile())));
  CHECK(segment.find("2 records verified") != std::string::npos);
  CHECK((std::filesystem::status(archive_dir).permissions() & std::filesystem::perms::others_all) ==
        std::filesystem::perms::none);

  // A later exchange, then the early one leaves the live store once its retention is over.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const std::string late = ReadCitizen(federation, "/citizens/001099000001");
  testing::CommandResult pruned;
  for (int attempt = 0; attempt < 80; ++attempt) {
    pruned = federation.Audit("provider", "show --message-id " + early);
    if (pruned.exit_code != 0 && pruned.output.find("sealed") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(pruned.output);
  CHECK(pruned.exit_code != 0);
  CHECK(pruned.output.find("no exchange with message id") != std::string::npos);

  // What remains is still proven against the latest head, and the whole log verifies with the
  // pruned records' leaf hashes.
  CHECK(ShowOnceSealed(federation, "provider", late).find("GET /citizens/001099000001") !=
        std::string::npos);
  const std::string verified =
      Succeeds(federation.Audit("provider", "verify --anchor " + federation.RootCaFile()));
  CHECK(verified.find("2 records of other members withheld or pruned") != std::string::npos);
  CHECK(verified.find("OK: every record") != std::string::npos);

  // The archive still has the early exchange, with its proof.
  bool found = false;
  for (const std::string& file : ArchiveFiles(archive_dir)) {
    found = found || testing::RunCommand(fmt::format("{} audit --archive {} show --message-id {}",
                                                     TRUC_CLI_BINARY, file, early))
                             .exit_code == 0;
  }
  CHECK(found);
}

}  // namespace
}  // namespace truc
