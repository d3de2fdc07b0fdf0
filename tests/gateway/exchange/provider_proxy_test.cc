// The provider's side of an exchange in-process, behind its seams: a fixed configuration, a fake
// backend, a log in memory; real keys, real access rights on a store in memory, real replay and
// rate limits on a fake clock.
#include "gateway/exchange/provider_proxy.h"

#include <future>

#include <catch2/catch.hpp>

#include "core/storage/memory_store.h"
#include "gateway/errors.h"
#include "gateway/exchange/consumer_proxy.h"
#include "tests/gateway/exchange/exchange_fakes.h"

namespace truc::gateway {
namespace {

using testing::ExchangeWorld;

// Answers as told, recording each call.
class FakeBackend final : public BackendCaller {
 public:
  void Call(const Backend&, const ServiceRequest& request, const HeaderFields& x_road_headers,
            Done done) override {
    StatusOr<BackendAnswer> answer = InternalError("unset");
    {
      std::lock_guard lock(mu_);
      calls_.push_back(request);
      x_road_headers_.push_back(x_road_headers);
      answer = answer_;
    }
    done(std::move(answer));
  }
  void Answer(StatusOr<BackendAnswer> answer) {
    std::lock_guard lock(mu_);
    answer_ = std::move(answer);
  }
  std::vector<ServiceRequest> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::vector<HeaderFields> x_road_headers() const {
    std::lock_guard lock(mu_);
    return x_road_headers_;
  }

 private:
  mutable std::mutex mu_;
  StatusOr<BackendAnswer> answer_ =
      BackendAnswer{200, {{"Content-Type", "application/json"}}, R"({"name":"Nguyễn Văn A"})"};
  std::vector<ServiceRequest> calls_;
  std::vector<HeaderFields> x_road_headers_;
};

const ids::ServiceId kCitizensId = ids::ServiceId::Parse(testing::kCitizens).value();
const ids::SubsystemId kPortalId = ids::SubsystemId::Parse(testing::kPortal).value();

struct Provider {
  Provider()
      : access(access::AccessRights::Open(store).value()),
        replay(limits::ReplayGuard::Create(std::chrono::hours(1), world.clock, 1000).value()),
        rates(limits::RateLimiter::Create(1000, 1000, world.clock).value()),
        proxy({.member = ids::MemberId::Parse(testing::kPopulationMember).value(),
               .services = {{.id = kCitizensId,
                             .backend = {.url = "http://127.0.0.1:1/api"},
                             .endpoints = {}}},
               .max_body_bytes = 4096},
              ProviderDependencies{.configuration = world.configuration,
                                   .sealer = world.population_sealer,
                                   .verified = verified,
                                   .access = *access,
                                   .backends = backend,
                                   .replay = *replay,
                                   .rates = *rates,
                                   .log = log,
                                   .clock = world.clock,
                                   .concurrency = concurrency}) {
    REQUIRE(access->Grant({.service = kCitizensId, .subject = kPortalId}).ok());
  }
  ~Provider() { proxy.Stop(); }

  // Handles `request` as if the gateway presenting `peer` (the portal's by default) sent it.
  StatusOr<v1::ExchangeMessage> Handle(const v1::ExchangeMessage& request,
                                       const crypto::Certificate* peer = nullptr) {
    std::promise<StatusOr<v1::ExchangeMessage>> answered;
    proxy.HandleAsync(peer != nullptr ? *peer : world.portal_tls.certificate, request,
                      [&answered](StatusOr<v1::ExchangeMessage> answer) {
                        answered.set_value(std::move(answer));
                      });
    return answered.get_future().get();
  }

  ExchangeWorld world;
  storage::MemoryStore store;
  std::unique_ptr<access::AccessRights> access;
  std::unique_ptr<limits::ReplayGuard> replay;
  std::unique_ptr<limits::RateLimiter> rates;
  evidence::VerificationCache verified;
  FakeBackend backend;
  testing::MemoryLog log;
  limits::ConcurrencyLimit concurrency{16};
  ProviderProxy proxy;
};

TEST_CASE(
    "A request from the client's gateway reaches the backend; its answer goes back sealed, "
    "bound to the request, and logged",
    "[exchange]") {
  Provider provider;
  const v1::ExchangeMessage request = provider.world.SealedRequest(ExchangeWorld::Request());
  const StatusOr<v1::ExchangeMessage> response = provider.Handle(request);
  REQUIRE(response.ok());
  CHECK(response->body() == R"({"name":"Nguyễn Văn A"})");
  CHECK(response->evidence().kind() == v1::MessageEvidence::KIND_RESPONSE);
  CHECK(response->evidence().request_hash() == evidence::RequestHash(request.evidence()));
  evidence::VerificationCache cache;
  CHECK(VerifySeal(*response, ids::MemberId::Parse(testing::kPopulationMember).value(),
                   *provider.world.configuration.Current(), cache, kClientProxyPrefix)
            .ok());

  const std::vector<ServiceRequest> calls = provider.backend.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].method == "GET");
  CHECK(calls[0].path == "/citizens/079123456789");
  const HeaderFields headers = provider.backend.x_road_headers()[0];
  CHECK(std::find(headers.begin(), headers.end(),
                  std::pair<std::string, std::string>{"X-Road-Client", testing::kPortal}) !=
        headers.end());
  CHECK(std::find(headers.begin(), headers.end(),
                  std::pair<std::string, std::string>{"X-Road-UserId", "VN079123456789"}) !=
        headers.end());

  const std::vector<ExchangeRecord> records = provider.log.records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].side == ExchangeRecord::Side::kProvider);
  CHECK(records[0].outcome.ok());
  CHECK(records[0].response.has_value());
}

TEST_CASE("Requests refused before the backend are logged (when they can be) and never reach it",
          "[exchange]") {
  Provider provider;
  v1::ExchangeMessage request = provider.world.SealedRequest(ExchangeWorld::Request());
  std::string type;
  bool logged = true;
  SECTION("a configuration that cannot be used: nothing is logged") {
    provider.world.configuration.SetUsable(UnavailableError("expired", "globalconf.expired"));
    type = "Server.ServerProxy.OutdatedGlobalConf";
    logged = false;
  }
  SECTION("a log that cannot record evidence: nothing is logged") {
    provider.log.SetReady(UnavailableError("disk full", "storage.disk_full"));
    type = "Server.ServerProxy.LoggingFailed";
    logged = false;
  }
  SECTION("sent by a gateway of another member than the client's") {
    const StatusOr<v1::ExchangeMessage> response =
        provider.Handle(request, &provider.world.population_tls.certificate);
    REQUIRE(!response.ok());
    CHECK(response.status().reason() == "Server.ServerProxy.SslAuthenticationFailed");
    CHECK(provider.backend.calls().empty());
    CHECK(provider.log.records().size() == 1);
    return;
  }
  SECTION("a body altered after it was sealed") {
    request.set_body("altered");
    type = "Server.ServerProxy.InvalidSignatureValue";
  }
  SECTION("a message id seen before") {
    REQUIRE(provider.Handle(request).ok());
    type = "Server.ServerProxy.DuplicateMessageId";
    provider.backend.Answer(BackendAnswer{200, {}, "second"});
  }
  SECTION("a client without the right") {
    REQUIRE(provider.access->Revoke({.service = kCitizensId, .subject = kPortalId}).ok());
    type = "Server.ServerProxy.AccessDenied";
  }
  SECTION("a request body over the limit") {
    ServiceRequest call = ExchangeWorld::Request();
    call.method = "POST";
    call.body = std::string(5000, 'x');
    request = provider.world.SealedRequest(call);
    type = "Server.ServerProxy.RequestTooLarge";
  }
  const size_t calls_before = provider.backend.calls().size();
  const size_t records_before = provider.log.records().size();
  const StatusOr<v1::ExchangeMessage> response = provider.Handle(request);
  REQUIRE(!response.ok());
  CHECK(response.status().reason() == type);
  CHECK(provider.backend.calls().size() == calls_before);
  CHECK(provider.log.records().size() == records_before + (logged ? 1 : 0));
  if (logged) CHECK(provider.log.records().back().outcome.reason() == type);
}

TEST_CASE("A backend that fails or answers too much gives ServiceFailed, logged, nothing signed",
          "[exchange]") {
  Provider provider;
  SECTION("unreachable") {
    provider.backend.Answer(
        ServerProxyError(error_code::kServiceFailed, "backend http://127.0.0.1:1/api: refused"));
  }
  SECTION("a body over the limit") {
    provider.backend.Answer(BackendAnswer{200, {}, std::string(5000, 'x')});
  }
  SECTION("a header field that is not valid") {
    provider.backend.Answer(BackendAnswer{200, {{"X-Bad", "a\r\nInjected: yes"}}, "{}"});
  }
  const StatusOr<v1::ExchangeMessage> response =
      provider.Handle(provider.world.SealedRequest(ExchangeWorld::Request()));
  REQUIRE(!response.ok());
  CHECK(response.status().reason() == "Server.ServerProxy.ServiceFailed");
  const std::vector<ExchangeRecord> records = provider.log.records();
  REQUIRE(records.size() == 1);
  CHECK(records[0].outcome.reason() == "Server.ServerProxy.ServiceFailed");
  CHECK(!records[0].response.has_value());
}

TEST_CASE("A backend's answer the log cannot make durable is not sent", "[exchange]") {
  Provider provider;
  provider.log.FailAppends(UnavailableError("fsync failed", "storage.io"));
  const StatusOr<v1::ExchangeMessage> response =
      provider.Handle(provider.world.SealedRequest(ExchangeWorld::Request()));
  REQUIRE(!response.ok());
  CHECK(response.status().reason() == "Server.ServerProxy.LoggingFailed");
  CHECK(provider.backend.calls().size() == 1);
}

TEST_CASE("Both sides in-process: what the consumer seals the provider verifies, and back",
          "[exchange]") {
  Provider provider;
  evidence::VerificationCache verified;
  testing::FakePeers peers;
  peers.SetAnswer([&provider](const v1::ExchangeMessage& request, PeerTransport::Done done) {
    provider.proxy.HandleAsync(provider.world.portal_tls.certificate, request, std::move(done));
  });
  ConsumerProxy consumer({.member = ids::MemberId::Parse(testing::kPortalMember).value()},
                         provider.world.configuration, provider.world.portal_sealer, verified,
                         peers, provider.log, provider.world.clock);
  const StatusOr<ServiceResponse> response = consumer.Call(ExchangeWorld::Request());
  REQUIRE(response.ok());
  CHECK(response->body == R"({"name":"Nguyễn Văn A"})");
  consumer.WaitIdle();
  const std::vector<ExchangeRecord> records = provider.log.records();
  REQUIRE(records.size() == 2);  // The provider's, then the consumer's.
  CHECK(records[0].side == ExchangeRecord::Side::kProvider);
  CHECK(records[1].side == ExchangeRecord::Side::kConsumer);
  CHECK(records[0].request.evidence().message_id() == records[1].request.evidence().message_id());
}

}  // namespace
}  // namespace truc::gateway
