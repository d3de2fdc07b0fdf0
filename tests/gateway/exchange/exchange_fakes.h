// Fakes behind the exchange core's seams (ConfigurationSource, PeerTransport, ExchangeLog,
// MessageSealer), and a small federation to run both sides of an exchange in-process: the
// members' signing keys are real, so that what one side seals the other verifies.
#pragma once

#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "core/evidence/message_signing.h"
#include "core/globalconf/configuration_client.h"
#include "core/globalconf/configuration_view.h"
#include "core/ids/id_proto.h"
#include "gateway/exchange/exchange_log.h"
#include "gateway/exchange/message_evidence.h"
#include "gateway/exchange/peer_channels.h"
#include "gateway/exchange/service_call.h"
#include "proto/timestamp_conversion.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/test_federation.h"

namespace truc::gateway::testing {

inline constexpr char kPortalMember[] = "VN/GOV/000900";
inline constexpr char kPortal[] = "VN/GOV/000900/portal";
inline constexpr char kPopulationMember[] = "VN/GOV/000100";
inline constexpr char kCitizens[] = "VN/GOV/000100/population/citizens";

// A configuration held as it is: a view made once, usable or not as the test says.
class FixedConfiguration final : public globalconf::ConfigurationSource {
 public:
  explicit FixedConfiguration(std::shared_ptr<const globalconf::ConfigurationView> view)
      : view_(std::move(view)) {}
  std::shared_ptr<const globalconf::ConfigurationView> Current() const override { return view_; }
  Status CheckUsable() const override {
    std::lock_guard lock(mu_);
    return usable_;
  }
  void SetUsable(Status usable) {
    std::lock_guard lock(mu_);
    usable_ = std::move(usable);
  }

 private:
  const std::shared_ptr<const globalconf::ConfigurationView> view_;
  mutable std::mutex mu_;
  Status usable_;  // Guarded by mu_.
};

// Keeps what is appended in memory; fails appends or readiness when told to.
class MemoryLog final : public ExchangeLog {
 public:
  void AppendAsync(const ExchangeRecord& record, Done done) override {
    Status result;
    {
      std::lock_guard lock(mu_);
      result = append_result_;
      if (result.ok()) records_.push_back(record);
    }
    done(result);
  }
  Status Ready() const override {
    std::lock_guard lock(mu_);
    return ready_;
  }
  void FailAppends(Status error) {
    std::lock_guard lock(mu_);
    append_result_ = std::move(error);
  }
  void SetReady(Status ready) {
    std::lock_guard lock(mu_);
    ready_ = std::move(ready);
  }
  std::vector<ExchangeRecord> records() const {
    std::lock_guard lock(mu_);
    return records_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<ExchangeRecord> records_;  // Guarded by mu_.
  Status append_result_;                 // Guarded by mu_.
  Status ready_;                         // Guarded by mu_.
};

// A sealer that always fails, as a signer whose key is gone would.
class FailingSealer final : public MessageSealer {
 public:
  void Seal(const MessageIdentity& identity, v1::ExchangeMessage& message,
            std::function<void(Status)> done) override {
    DescribeMessage(identity, message);
    done(UnavailableError("the signing key is not available", "test.no_key"));
  }
};

// A peer transport that answers as the test says (by default through `answer`), recording what
// it was sent.
class FakePeers final : public PeerTransport {
 public:
  using Answer = std::function<void(const v1::ExchangeMessage& request, Done done)>;

  void Exchange(const ids::MemberId& provider, const std::optional<ids::ServerId>& target,
                const v1::ExchangeMessage& request, std::chrono::system_clock::time_point deadline,
                Done done) override {
    Answer answer;
    {
      std::lock_guard lock(mu_);
      sent_.push_back(request);
      providers_.push_back(provider);
      targets_.push_back(target);
      deadlines_.push_back(deadline);
      answer = answer_;
    }
    answer(request, std::move(done));
  }

  void SetAnswer(Answer answer) {
    std::lock_guard lock(mu_);
    answer_ = std::move(answer);
  }
  std::vector<v1::ExchangeMessage> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  std::vector<std::chrono::system_clock::time_point> deadlines() const {
    std::lock_guard lock(mu_);
    return deadlines_;
  }
  std::vector<std::optional<ids::ServerId>> targets() const {
    std::lock_guard lock(mu_);
    return targets_;
  }

 private:
  mutable std::mutex mu_;
  Answer answer_;                                                 // Guarded by mu_.
  std::vector<v1::ExchangeMessage> sent_;                         // Guarded by mu_.
  std::vector<ids::MemberId> providers_;                          // Guarded by mu_.
  std::vector<std::optional<ids::ServerId>> targets_;             // Guarded by mu_.
  std::vector<std::chrono::system_clock::time_point> deadlines_;  // Guarded by mu_.
};

// The portal's member (the consumer) and the population registry (the provider), with real
// signing keys issued by the federation's root, and the configuration that registers them.
struct ExchangeWorld {
  ExchangeWorld()
      : portal_signing(federation.Issue(pki::Profile::kMemberSigning, kPortalMember)),
        population_signing(federation.Issue(pki::Profile::kMemberSigning, kPopulationMember)),
        portal_tls(federation.Issue(pki::Profile::kGatewayTls, std::string(kPortalMember) + "/gw1",
                                    {"IP:127.0.0.1"})),
        population_tls(federation.Issue(pki::Profile::kGatewayTls,
                                        std::string(kPopulationMember) + "/gw1", {"IP:127.0.0.1"})),
        portal_signer(portal_signing.key, {portal_signing.certificate}, clock,
                      {.max_batch = 100, .max_delay = std::chrono::milliseconds(0)}),
        population_signer(population_signing.key, {population_signing.certificate}, clock,
                          {.max_batch = 100, .max_delay = std::chrono::milliseconds(0)}),
        portal_sealer(portal_signer),
        population_sealer(population_signer),
        configuration(MakeView()) {}

  std::shared_ptr<const globalconf::ConfigurationView> MakeView() const {
    v1::GlobalConfiguration config;
    config.set_instance("VN");
    config.set_version(1);
    *config.mutable_issued_at() = proto::ToProtoTimestamp(clock.Now() - std::chrono::hours(1));
    *config.mutable_expires_at() = proto::ToProtoTimestamp(clock.Now() + std::chrono::hours(1));
    const auto add_member = [&](const char* id, const char* subsystem,
                                const truc::testing::KeyAndCertificate& signing) {
      v1::Member* member = config.add_members();
      *member->mutable_id() = ids::ToProto(ids::MemberId::Parse(id).value());
      member->set_name(id);
      member->add_subsystems()->set_subsystem_code(subsystem);
      member->add_signing_certificates(signing.certificate.ToDer());
    };
    add_member(kPortalMember, "portal", portal_signing);
    add_member(kPopulationMember, "population", population_signing);
    for (const auto& [member, tls] :
         {std::pair{kPortalMember, &portal_tls}, std::pair{kPopulationMember, &population_tls}}) {
      v1::Gateway* gateway = config.add_gateways();
      *gateway->mutable_id() =
          ids::ToProto(ids::ServerId::Parse(std::string(member) + "/gw1").value());
      gateway->set_address("127.0.0.1:1");
      gateway->add_tls_certificate_fingerprints(tls->certificate.Fingerprint());
    }
    v1::ServiceDescription* service = config.add_services();
    *service->mutable_id() = ids::ToProto(ids::ServiceId::Parse(kCitizens).value());
    service->set_kind(v1::SERVICE_KIND_REST);
    config.add_approved_cas(federation.root().certificate.ToDer());
    globalconf::VerifiedConfiguration verified{
        .configuration = config,
        .info = {.version = 1,
                 .issued_at = clock.Now() - std::chrono::hours(1),
                 .expires_at = clock.Now() + std::chrono::hours(1)},
        .signed_bytes = ""};
    return globalconf::ConfigurationView::Create(verified).value();
  }

  // `request` as the portal's gateway sends it: wire headers, body, evidence and seal.
  v1::ExchangeMessage SealedRequest(const ServiceRequest& request) {
    v1::ExchangeMessage message;
    SetWireHeaders(RequestWireHeaders(request), message);
    message.set_body(request.body);
    const MessageIdentity identity{
        .kind = v1::MessageEvidence::KIND_REQUEST,
        .message_id = request.message_id.empty() ? NewUuid() : request.message_id,
        .request_id = NewUuid(),
        .client = request.client,
        .service = request.service};
    std::promise<Status> sealed;
    portal_sealer.Seal(identity, message, [&sealed](Status status) { sealed.set_value(status); });
    const Status status = sealed.get_future().get();
    if (!status.ok()) throw std::runtime_error(status.ToString());
    return message;
  }

  // The citizens call as the portal makes it.
  static ServiceRequest Request(const std::string& path = "/citizens/079123456789") {
    ServiceRequest request{.client = ids::SubsystemId::Parse(kPortal).value(),
                           .service = ids::ServiceId::Parse(kCitizens).value()};
    request.method = "GET";
    request.path = path;
    request.user_id = "VN079123456789";
    request.headers = {{"Accept", "application/json"}};
    return request;
  }

  // Answers `request` as the population registry's gateway would: `body` with status 200,
  // bound to the request and sealed by `sealer` (the provider's unless told otherwise), after
  // `alter` has had its say on the evidence.
  void AnswerAsProvider(const v1::ExchangeMessage& request, PeerTransport::Done done,
                        std::string body = R"({"name":"Nguyễn Văn A"})",
                        MessageSealer* sealer = nullptr,
                        std::function<void(MessageIdentity&)> alter = nullptr) {
    auto response = std::make_shared<v1::ExchangeMessage>();
    SetWireHeaders(ResponseWireHeaders(200, {{"Content-Type", "application/json"}}), *response);
    response->set_body(std::move(body));
    const v1::MessageEvidence& asked = request.evidence();
    MessageIdentity identity{.kind = v1::MessageEvidence::KIND_RESPONSE,
                             .message_id = asked.message_id(),
                             .request_id = asked.request_id(),
                             .client = ids::FromProto(asked.client()).value(),
                             .service = ids::FromProto(asked.service()).value(),
                             .request_hash = evidence::RequestHash(asked)};
    if (alter) alter(identity);
    (sealer != nullptr ? *sealer : population_sealer)
        .Seal(identity, *response, [response, done = std::move(done)](Status sealed) {
          if (!sealed.ok()) return done(sealed);
          done(*response);
        });
  }

  truc::testing::FakeClock clock;
  truc::testing::TestFederation federation;
  truc::testing::KeyAndCertificate portal_signing;
  truc::testing::KeyAndCertificate population_signing;
  truc::testing::KeyAndCertificate portal_tls;      // The portal's gateway's TLS certificate.
  truc::testing::KeyAndCertificate population_tls;  // The registry's gateway's.
  evidence::BatchSigner portal_signer;
  evidence::BatchSigner population_signer;
  BatchSealer portal_sealer;
  BatchSealer population_sealer;
  FixedConfiguration configuration;
};

}  // namespace truc::gateway::testing
