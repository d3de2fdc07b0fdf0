#include <cstdlib>

#include <catch2/catch.hpp>

#include "core/base/file.h"
#include "core/crypto/digest.h"
#include "core/net/http_client.h"
#include "core/timestamp/timestamper.h"
#include "core/timestamp/tsa_http_service.h"
#include "tests/support/test_tsa.h"

namespace truc::timestamp {
namespace {

// A TSA served over HTTP on loopback, on the real clock (openssl checks validity against it).
struct ServedTsa {
  ServedTsa()
      : tsa(SystemClock::Instance()),
        workers(2, /*max_queue=*/64),
        server(net::HttpServer::Start({}, MakeTsaHttpHandler(*tsa.authority, workers)).value()),
        url("http://" + server->endpoint() + "/timestamp") {}

  testing::TestTsa tsa;
  WorkerPool workers;
  std::unique_ptr<net::HttpServer> server;
  std::string url;
};

int Run(const std::string& command) { return std::system(command.c_str()); }

TEST_CASE("openssl and curl accept our TSA's replies", "[timestamp][interop]") {
  ServedTsa served;
  testing::TempDir dir;
  REQUIRE(WriteFileAtomically(dir.File("data.txt"), "land parcel 42", 0644).ok());
  REQUIRE(
      WriteFileAtomically(dir.File("root.pem"), served.tsa.root.certificate.ToPem(), 0644).ok());
  REQUIRE(
      WriteFileAtomically(dir.File("tsa.pem"), served.tsa.tsa_certificate.certificate.ToPem(), 0644)
          .ok());
  const std::string d = dir.path();
  const std::string pipeline =
      "cd " + d + " && openssl ts -query -data data.txt -sha256 -cert -out query.tsq 2>/dev/null" +
      " && curl -sf -H 'Content-Type: application/timestamp-query' --data-binary @query.tsq " +
      served.url + " -o reply.tsr";
  REQUIRE(Run(pipeline) == 0);
  CHECK(Run("cd " + d +
            " && openssl ts -verify -in reply.tsr -queryfile query.tsq -CAfile root.pem"
            " -untrusted tsa.pem >verify.out 2>&1") == 0);
  CHECK(ReadFile(dir.File("verify.out")).value().find("Verification: OK") != std::string::npos);
  CHECK(Run("cd " + d +
            " && openssl ts -reply -in reply.tsr -text 2>/dev/null | grep -q 'Policy OID: " +
            testing::kTestPolicyOid + "'") == 0);

  // The same reply verified against other data fails.
  REQUIRE(WriteFileAtomically(dir.File("other.txt"), "land parcel 43", 0644).ok());
  CHECK(Run("cd " + d +
            " && openssl ts -verify -in reply.tsr -data other.txt -CAfile root.pem"
            " -untrusted tsa.pem >/dev/null 2>&1") != 0);
}

TEST_CASE("The TSA endpoint refuses what is not a timestamp query", "[timestamp]") {
  ServedTsa served;
  net::HttpHeaders query_type;
  query_type.Set("Content-Type", "application/timestamp-query");
  net::HttpHeaders json;
  json.Set("Content-Type", "application/json");

  const net::HttpResponse get = net::HttpFetch("GET", served.url, {}, "").value();
  CHECK(get.status == 405);
  CHECK(get.headers.Get("Allow") == "POST");
  CHECK(net::HttpFetch("POST", served.url, json, "{}").value().status == 415);
  CHECK(net::HttpFetch("POST", served.url, query_type, "").value().status == 400);
  CHECK(net::HttpFetch("POST", served.url, query_type, std::string(20000, 'x')).value().status ==
        413);
  const net::HttpResponse garbage = net::HttpFetch("POST", served.url, query_type, "xx").value();
  CHECK(garbage.status == 200);  // An RFC 3161 rejection, not an HTTP error.
  CHECK(garbage.headers.Get("Content-Type") == "application/timestamp-reply");
}

TEST_CASE("The HTTP timestamper gets verified tokens and fails over", "[timestamp]") {
  ServedTsa served;
  const std::string digest = crypto::Sha256("batch root");

  SECTION("one live TSA") {
    auto timestamper = HttpTimestamper::Create({served.url}, served.tsa.Verifier()).value();
    const TimestampToken token = timestamper->Timestamp(digest).value();
    CHECK(token.info.imprint == digest);
  }
  SECTION("a dead TSA first, then a live one") {
    uint16_t dead_port;
    {
      auto dead = net::HttpServer::Start({}, [](net::HttpRequest, net::HttpResponder) {}).value();
      dead_port = dead->port();
    }
    auto timestamper =
        HttpTimestamper::Create({"http://127.0.0.1:" + std::to_string(dead_port) + "/", served.url},
                                served.tsa.Verifier())
            .value();
    CHECK(timestamper->Timestamp(digest).ok());
  }
  SECTION("only a TSA the verifier does not approve") {
    const testing::TestTsa other(SystemClock::Instance(), "Other TSA");
    auto timestamper = HttpTimestamper::Create({served.url}, other.Verifier()).value();
    const Status status = timestamper->Timestamp(digest).status();
    CHECK(status.reason() == kUnapprovedTsa);
    CHECK(status.message().starts_with("TSA " + served.url + ": "));
  }
  SECTION("no URL") {
    CHECK(HttpTimestamper::Create({}, served.tsa.Verifier()).status().reason() ==
          "timestamp.no_tsa_url");
  }
}

}  // namespace
}  // namespace truc::timestamp
