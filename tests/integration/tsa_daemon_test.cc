// truc-tsa as operators run it: a configuration file, a key, a certificate chain, a process.
#include <csignal>

#include <catch2/catch.hpp>

#include "core/base/file.h"
#include "core/crypto/digest.h"
#include "core/timestamp/timestamper.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace truc {
namespace {

using testing::ChildProcess;
using testing::RunCommand;

struct TsaDirectory {
  TsaDirectory()
      : root(testing::MakeRootCa("Trục Dev Root CA", SystemClock::Instance().Now())),
        tsa(testing::Issue(root,
                           testing::TsaTemplate("Trục Dev TSA", SystemClock::Instance().Now()))) {
    REQUIRE(tsa.key.WritePemFile(dir.File("tsa.key")).ok());
    REQUIRE(WriteFileAtomically(dir.File("tsa.pem"),
                                tsa.certificate.ToPem() + root.certificate.ToPem(), 0644)
                .ok());
    REQUIRE(WriteFileAtomically(dir.File("root.pem"), root.certificate.ToPem(), 0644).ok());
  }

  void WriteConfig(const std::string& extra = "") const {
    const std::string config = R"(
[listen]
address = "127.0.0.1"
port = 0

[tsa]
key_file = "tsa.key"
certificate_file = "tsa.pem"
serial_file = "state/tsa.serial"
policy_oid = "1.3.6.1.4.1.99999.1.1"
accuracy = "500ms"
)" + extra;
    REQUIRE(WriteFileAtomically(dir.File("tsa.toml"), config, 0644).ok());
  }

  std::unique_ptr<ChildProcess> Start(const std::string& ready) const {
    return ChildProcess::Start(
        {TRUC_TSA_BINARY, "--config", dir.File("tsa.toml"), "--ready-file", dir.File(ready)},
        dir.File("tsa.log"));
  }

  testing::TempDir dir;
  testing::KeyAndCertificate root;
  testing::KeyAndCertificate tsa;
};

TEST_CASE("truc-tsa serves openssl clients and keeps serials unique across restarts",
          "[integration][tsa]") {
  TsaDirectory tsa;
  tsa.WriteConfig();
  REQUIRE(RunCommand("mkdir -p " + tsa.dir.File("state")).exit_code == 0);
  const std::string d = tsa.dir.path();

  std::string last_serial;
  for (int run = 0; run < 2; ++run) {
    const std::string ready = "ready" + std::to_string(run);
    auto process = tsa.Start(ready);
    const std::optional<std::string> endpoint = process->WaitForFile(tsa.dir.File(ready));
    REQUIRE(endpoint.has_value());
    const testing::CommandResult verified = RunCommand(
        "cd " + d + " && echo 'record " + std::to_string(run) +
        "' > data.txt && openssl ts -query -data data.txt -sha256 -cert -out q.tsq && " +
        "curl -sf -H 'Content-Type: application/timestamp-query' --data-binary @q.tsq http://" +
        *endpoint + "/ -o r.tsr && openssl ts -verify -in r.tsr -queryfile q.tsq " +
        "-CAfile root.pem -untrusted tsa.pem");
    INFO(verified.output);
    CHECK(verified.exit_code == 0);
    CHECK(verified.output.find("Verification: OK") != std::string::npos);
    const testing::CommandResult text =
        RunCommand("cd " + d + " && openssl ts -reply -in r.tsr -text | grep 'Serial number'");
    REQUIRE(text.exit_code == 0);
    CHECK(text.output != last_serial);
    last_serial = text.output;
    CHECK(process->Stop(SIGTERM) == 0);
  }
  CHECK(FilePermissions(tsa.dir.File("state/tsa.serial")).value() == 0600);
}

TEST_CASE("truc-tsa refuses a bad configuration and says which field", "[integration][tsa]") {
  TsaDirectory tsa;
  tsa.WriteConfig("workerz = 3\n");
  auto process = tsa.Start("ready");
  CHECK(process->Wait() == 1);
  const std::string output = ReadFile(tsa.dir.File("tsa.log")).value();
  CHECK(output.find("tsa.workerz: unknown field") != std::string::npos);
}

TEST_CASE("truc-tsa refuses a key file others can read", "[integration][tsa]") {
  TsaDirectory tsa;
  tsa.WriteConfig();
  REQUIRE(RunCommand("chmod 644 " + tsa.dir.File("tsa.key")).exit_code == 0);
  auto process = tsa.Start("ready");
  CHECK(process->Wait() == 1);
  const std::string output = ReadFile(tsa.dir.File("tsa.log")).value();
  CHECK(output.find("is accessible by group or others (mode 0644)") != std::string::npos);
}

}  // namespace
}  // namespace truc
