// The consumer's side of an exchange in-process, behind its seams: a fixed configuration, a fake
// peer transport, a log in memory; real keys, so that seals verify or fail as they would.
#include "gateway/exchange/consumer_proxy.h"

#include <future>

#include <catch2/catch.hpp>

#include "gateway/errors.h"
#include "tests/gateway/exchange/exchange_fakes.h"

namespace truc::gateway {
namespace {

using testing::ExchangeWorld;
using testing::FakePeers;
using testing::MemoryLog;

struct Consumer {
  explicit Consumer(MessageSealer* sealer = nullptr)
      : proxy({.member = ids::MemberId::Parse(testing::kPortalMember).value(),
               .timeout = std::chrono::seconds(60)},
              world.configuration, sealer != nullptr ? *sealer : world.portal_sealer, verified,
              peers, log, world.clock) {
    peers.SetAnswer([this](const v1::ExchangeMessage& request, PeerTransport::Done done) {
      world.AnswerAsProvider(request, std::move(done));
    });
  }
  ~Consumer() { proxy.WaitIdle(); }

  StatusOr<ServiceResponse> Call(ServiceRequest request = ExchangeWorld::Request(),
                                 std::chrono::system_clock::time_point deadline =
                                     std::chrono::system_clock::time_point::max()) {
    return proxy.Call(std::move(request), deadline);
  }

  ExchangeWorld world;
  evidence::VerificationCache verified;
  FakePeers peers;
  MemoryLog log;
  ConsumerProxy proxy;
};

TEST_CASE("A call is sealed, sent, checked against its answer and logged before it returns",
          "[exchange]") {
  Consumer consumer;
  const StatusOr<ServiceResponse> response = consumer.Call();
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->body == R"({"name":"Nguyễn Văn A"})");
  CHECK(!response->message_id.empty());
  CHECK(response->request_hash.size() == 64);

  const std::vector<v1::ExchangeMessage> sent = consumer.peers.sent();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].evidence().kind() == v1::MessageEvidence::KIND_REQUEST);
  CHECK(sent[0].evidence().message_id() == response->message_id);
  CHECK(sent[0].signature().certificate_chain_size() == 1);

  const std::vector<ExchangeRecord> records = consumer.log.records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].side == ExchangeRecord::Side::kConsumer);
  CHECK(records[0].outcome.ok());
  CHECK(records[0].request.evidence().message_id() == response->message_id);
  REQUIRE(records[0].response.has_value());
  CHECK(records[0].response->body() == response->body);
}

TEST_CASE("A call refused before it is sent is neither signed, sent nor logged", "[exchange]") {
  Consumer consumer;
  const auto expect_refused = [&](ServiceRequest request, const std::string& type) {
    const StatusOr<ServiceResponse> response = consumer.Call(std::move(request));
    REQUIRE(!response.ok());
    CHECK(response.status().reason() == type);
    CHECK(consumer.peers.sent().empty());
    CHECK(consumer.log.records().empty());
  };
  SECTION("a field that is not valid: Client.BadRequest") {
    ServiceRequest request = ExchangeWorld::Request();
    request.method = "get";
    expect_refused(request, "Client.BadRequest");
    request = ExchangeWorld::Request();
    request.headers.emplace_back("X-Bad", "a\r\nInjected: yes");
    expect_refused(request, "Client.BadRequest");
  }
  SECTION("a client of another member: InvalidClientIdentifier") {
    ServiceRequest request = ExchangeWorld::Request();
    request.client = ids::SubsystemId::Parse("VN/GOV/000100/population").value();
    expect_refused(request, "Server.ClientProxy.InvalidClientIdentifier");
  }
  SECTION("a client not registered: UnknownMember") {
    ServiceRequest request = ExchangeWorld::Request();
    request.client = ids::SubsystemId::Parse("VN/GOV/000900/unregistered").value();
    expect_refused(request, "Server.ClientProxy.UnknownMember");
  }
  SECTION("a provider not in the federation: UnknownMember") {
    ServiceRequest request = ExchangeWorld::Request();
    request.service = ids::ServiceId::Parse("VN/GOV/000777/land/parcels").value();
    expect_refused(request, "Server.ClientProxy.UnknownMember");
  }
  SECTION("a configuration that cannot be used: OutdatedGlobalConf, checked first") {
    consumer.world.configuration.SetUsable(UnavailableError("expired", "globalconf.expired"));
    ServiceRequest request = ExchangeWorld::Request();
    request.client = ids::SubsystemId::Parse("VN/GOV/000100/population").value();
    expect_refused(request, "Server.ClientProxy.OutdatedGlobalConf");
  }
  SECTION("a log that cannot record evidence: LoggingFailed") {
    consumer.log.SetReady(UnavailableError("disk full", "storage.disk_full"));
    expect_refused(ExchangeWorld::Request(), "Server.ClientProxy.LoggingFailed");
  }
}

TEST_CASE("A signer that fails ends the call before anything is sent", "[exchange]") {
  testing::FailingSealer sealer;
  Consumer consumer(&sealer);
  const StatusOr<ServiceResponse> response = consumer.Call();
  REQUIRE(!response.ok());
  CHECK(response.status().reason() == "Server.ClientProxy.InternalError");
  CHECK(consumer.peers.sent().empty());
  CHECK(consumer.log.records().empty());
}

TEST_CASE("The provider's error is logged and passed on unchanged", "[exchange]") {
  Consumer consumer;
  consumer.peers.SetAnswer([](const v1::ExchangeMessage&, PeerTransport::Done done) {
    done(ServerProxyError(error_code::kAccessDenied, "the portal may not call this service"));
  });
  const StatusOr<ServiceResponse> response = consumer.Call();
  REQUIRE(!response.ok());
  CHECK(response.status().reason() == "Server.ServerProxy.AccessDenied");
  const std::vector<ExchangeRecord> records = consumer.log.records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].outcome.reason() == "Server.ServerProxy.AccessDenied");
  CHECK(!records[0].response.has_value());
}

TEST_CASE(
    "An answer not bound to the request, or not sealed by the provider, is refused and "
    "logged",
    "[exchange]") {
  Consumer consumer;
  SECTION("bound to another request") {
    consumer.peers.SetAnswer([&](const v1::ExchangeMessage& request, PeerTransport::Done done) {
      consumer.world.AnswerAsProvider(
          request, std::move(done), "{}", nullptr,
          [](MessageIdentity& identity) { identity.request_hash = std::string(64, '\0'); });
    });
  }
  SECTION("sealed by the consumer's member, not the provider's") {
    consumer.peers.SetAnswer([&](const v1::ExchangeMessage& request, PeerTransport::Done done) {
      consumer.world.AnswerAsProvider(request, std::move(done), "{}",
                                      &consumer.world.portal_sealer);
    });
  }
  SECTION("a body altered after sealing") {
    consumer.peers.SetAnswer([&](const v1::ExchangeMessage& request, PeerTransport::Done done) {
      consumer.world.AnswerAsProvider(request,
                                      [done = std::move(done)](StatusOr<v1::ExchangeMessage> ok) {
                                        ok->set_body(R"({"name":"someone else"})");
                                        done(std::move(ok));
                                      });
    });
  }
  const StatusOr<ServiceResponse> response = consumer.Call();
  REQUIRE(!response.ok());
  CHECK(response.status().reason() == "Server.ClientProxy.InvalidSignatureValue");
  const std::vector<ExchangeRecord> records = consumer.log.records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].outcome.reason() == "Server.ClientProxy.InvalidSignatureValue");
  CHECK(records[0].response.has_value());  // Kept as evidence of what the peer sent.
}

TEST_CASE("An exchange the log cannot make durable fails with LoggingFailed, not the answer",
          "[exchange]") {
  Consumer consumer;
  consumer.log.FailAppends(UnavailableError("fsync failed", "storage.io"));
  const StatusOr<ServiceResponse> response = consumer.Call();
  REQUIRE(!response.ok());
  CHECK(response.status().reason() == "Server.ClientProxy.LoggingFailed");
  CHECK(consumer.peers.sent().size() == 1);
}

TEST_CASE("The peer gets the earlier of the caller's deadline and the gateway's timeout",
          "[exchange]") {
  Consumer consumer;
  const auto before = std::chrono::system_clock::now();
  REQUIRE(consumer.Call(ExchangeWorld::Request(), before + std::chrono::seconds(2)).ok());
  REQUIRE(consumer.Call().ok());
  const auto after = std::chrono::system_clock::now();
  const std::vector<std::chrono::system_clock::time_point> deadlines = consumer.peers.deadlines();
  REQUIRE(deadlines.size() == 2);
  CHECK(deadlines[0] == before + std::chrono::seconds(2));
  CHECK(deadlines[1] >= before + std::chrono::seconds(60));
  CHECK(deadlines[1] <= after + std::chrono::seconds(60));
}

TEST_CASE("A target server and a message id given by the caller travel as they are", "[exchange]") {
  Consumer consumer;
  ServiceRequest request = ExchangeWorld::Request();
  request.message_id = "portal-2026-0001";
  request.target_server = ids::ServerId::Parse("VN/GOV/000100/gw1").value();
  const StatusOr<ServiceResponse> response = consumer.Call(std::move(request));
  REQUIRE(response.ok());
  CHECK(response->message_id == "portal-2026-0001");
  REQUIRE(consumer.peers.targets().size() == 1);
  CHECK(consumer.peers.targets()[0] == ids::ServerId::Parse("VN/GOV/000100/gw1").value());
}

TEST_CASE("Calls made at once all complete, each logged once", "[exchange][concurrency]") {
  Consumer consumer;
  constexpr int kCalls = 32;
  std::vector<std::promise<StatusOr<ServiceResponse>>> answered(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    consumer.proxy.CallAsync(ExchangeWorld::Request(), std::chrono::system_clock::time_point::max(),
                             [&answered, i](StatusOr<ServiceResponse> response) {
                               answered[i].set_value(std::move(response));
                             });
  }
  for (auto& answer : answered) CHECK(answer.get_future().get().ok());
  consumer.proxy.WaitIdle();
  CHECK(consumer.log.records().size() == kCalls);
}

}  // namespace
}  // namespace truc::gateway
