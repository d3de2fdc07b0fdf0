#include "gateway/audit/audit_record.h"

#include <catch2/catch.hpp>

#include "core/base/encoding.h"
#include "core/crypto/digest.h"
#include "core/ids/id_proto.h"
#include "gateway/exchange/service_call.h"
#include "proto/timestamp_conversion.h"
#include "tests/gateway/audit/test_exchanges.h"

namespace truc::gateway::audit {
namespace {

using testing::kCitizens;
using testing::kPortal;
using Side = ExchangeRecord::Side;

crypto::Aes256Gcm Key(char fill) {
  return crypto::Aes256Gcm::Create(crypto::SecretBytes(std::string(32, fill))).value();
}

BodyPolicies Policies(v1::BodyPolicy default_policy) {
  BodyPolicies policies{.default_policy = default_policy};
  policies.body_key = Key('k');
  return policies;
}

// What an auditor relies on whatever the body policy: the digests in the evidence describe the
// record's header fields (and the body, where kept), and the sender's signature over the evidence
// verifies.
void CheckEvidenceHolds(const v1::AuditRecord& record, const ids::MemberId& signer,
                        const crypto::TrustStore& trust) {
  v1::ExchangeMessage message;
  *message.mutable_headers() = record.headers();
  CHECK(evidence::HeadersDigest(evidence::HeaderFieldsOf(message.headers())) ==
        record.evidence().digests().headers_sha256());
  CHECK(
      evidence::VerifyMessageSignature(record.evidence(), record.signature(), signer, trust).ok());
}

TEST_CASE("An exchange gives a request record and a response record", "[audit]") {
  testing::TestExchanges exchanges;
  const ExchangeRecord exchange = exchanges.Answered(Side::kConsumer, "m-1");
  const std::vector<v1::AuditRecord> records =
      RecordsOf(exchange, Policies(v1::BODY_POLICY_KEEP)).value();
  REQUIRE(records.size() == 2);
  const v1::AuditRecord& request = records[0];
  const v1::AuditRecord& response = records[1];

  CHECK(request.kind() == v1::AuditRecord::KIND_REQUEST);
  CHECK(response.kind() == v1::AuditRecord::KIND_RESPONSE);
  for (const v1::AuditRecord& record : records) {
    CHECK(record.side() == v1::AuditRecord::SIDE_CONSUMER);
    CHECK(record.message_id() == "m-1");
    CHECK(record.request_id() == "request-m-1");
    CHECK(ids::FromProto(record.client()).value() == kPortal);
    CHECK(ids::FromProto(record.service()).value() == kCitizens);
    CHECK(record.user_id() == testing::kUserId);
    CHECK(record.purpose() == testing::kPurpose);
    CHECK(record.method() == "POST");
    CHECK(record.path() == "/citizens/search?fields=name");
    CHECK(record.body_policy() == v1::BODY_POLICY_KEEP);
  }
  CHECK(proto::FromProtoTimestamp(request.time()) == exchange.started);
  CHECK(proto::FromProtoTimestamp(response.time()) == exchange.finished);
  CHECK(response.duration().seconds() == 0);
  CHECK(response.duration().nanos() == 250'000'000);
  CHECK(response.http_status() == 200);
  CHECK(response.error_type().empty());

  CHECK(request.body() == exchange.request.body());
  CHECK(request.body_size() == exchange.request.body().size());
  CHECK(request.evidence().SerializeAsString() == exchange.request.evidence().SerializeAsString());
  CHECK(request.signature().SerializeAsString() ==
        exchange.request.signature().SerializeAsString());
  CHECK(request.headers_size() == exchange.request.headers_size());
  CHECK(response.body() == exchange.response->body());
  CHECK(response.evidence().SerializeAsString() ==
        exchange.response->evidence().SerializeAsString());
  CheckEvidenceHolds(request, kPortal.member(), exchanges.trust());
  CheckEvidenceHolds(response, kCitizens.provider().member(), exchanges.trust());
  CHECK(crypto::Sha256(response.body()) == response.evidence().digests().body_sha256());
}

TEST_CASE("An exchange that failed before its response gives a failure record", "[audit]") {
  testing::TestExchanges exchanges;
  const ExchangeRecord exchange = exchanges.Failed(Side::kProvider, "m-2");
  const std::vector<v1::AuditRecord> records =
      RecordsOf(exchange, Policies(v1::BODY_POLICY_KEEP)).value();
  REQUIRE(records.size() == 2);
  CHECK(records[0].kind() == v1::AuditRecord::KIND_REQUEST);
  CHECK(records[0].side() == v1::AuditRecord::SIDE_PROVIDER);
  const v1::AuditRecord& failure = records[1];
  CHECK(failure.kind() == v1::AuditRecord::KIND_FAILURE);
  CHECK(failure.message_id() == "m-2");
  CHECK(failure.user_id() == testing::kUserId);
  CHECK(failure.error_type() == "Server.ServerProxy.ServiceFailed");
  CHECK(failure.error_message() == "the backend is down");
  CHECK(failure.duration().nanos() == 250'000'000);
  CHECK(!failure.has_evidence());
  CHECK(failure.stored_body_case() == v1::AuditRecord::STORED_BODY_NOT_SET);
}

TEST_CASE("Digest-only records drop bodies and still verify", "[audit]") {
  testing::TestExchanges exchanges;
  // The policy is that of this gateway's own subsystem: the client on the consumer side, the
  // service's provider on the provider side.
  BodyPolicies policies = Policies(v1::BODY_POLICY_KEEP);
  policies.by_subsystem[kPortal] = v1::BODY_POLICY_DIGEST_ONLY;
  const ExchangeRecord exchange = exchanges.Answered(Side::kConsumer, "m-3");

  const std::vector<v1::AuditRecord> consumer = RecordsOf(exchange, policies).value();
  for (const v1::AuditRecord& record : consumer) {
    CHECK(record.body_policy() == v1::BODY_POLICY_DIGEST_ONLY);
    CHECK(record.stored_body_case() == v1::AuditRecord::STORED_BODY_NOT_SET);
    CHECK(record.body_size() > 0);
  }
  CHECK(consumer[0].evidence().digests().body_sha256() == crypto::Sha256(exchange.request.body()));
  CHECK(consumer[1].evidence().digests().body_sha256() ==
        crypto::Sha256(exchange.response->body()));
  CheckEvidenceHolds(consumer[0], kPortal.member(), exchanges.trust());
  CheckEvidenceHolds(consumer[1], kCitizens.provider().member(), exchanges.trust());

  ExchangeRecord provided = exchange;
  provided.side = Side::kProvider;
  const std::vector<v1::AuditRecord> provider = RecordsOf(provided, policies).value();
  for (const v1::AuditRecord& record : provider) {
    CHECK(record.body_policy() == v1::BODY_POLICY_KEEP);
  }
}

TEST_CASE("Encrypted bodies decrypt with their key only, bound to their record", "[audit]") {
  testing::TestExchanges exchanges;
  BodyPolicies policies = Policies(v1::BODY_POLICY_KEEP);
  policies.by_subsystem[kCitizens.provider()] = v1::BODY_POLICY_ENCRYPT;
  const ExchangeRecord exchange = exchanges.Answered(Side::kProvider, "m-4");
  const std::vector<v1::AuditRecord> records = RecordsOf(exchange, policies).value();
  const v1::AuditRecord& response = records[1];

  REQUIRE(response.stored_body_case() == v1::AuditRecord::kEncryptedBody);
  CHECK(response.body_policy() == v1::BODY_POLICY_ENCRYPT);
  CHECK(response.encrypted_body().key_id() == Key('k').key_id());
  CHECK(response.encrypted_body().ciphertext().find("Nguyễn") == std::string::npos);
  CHECK(DecryptBody(records[0], Key('k')).value() == exchange.request.body());
  const std::string body = DecryptBody(response, Key('k')).value();
  CHECK(body == exchange.response->body());
  CHECK(crypto::Sha256(body) == response.evidence().digests().body_sha256());
  CheckEvidenceHolds(response, kCitizens.provider().member(), exchanges.trust());

  const Status wrong_key = DecryptBody(response, Key('x')).status();
  CHECK(wrong_key.reason() == kWrongBodyKey);
  CHECK(wrong_key.message().find(HexEncode(Key('x').key_id())) != std::string::npos);

  // A ciphertext moved to another record does not decrypt there.
  v1::AuditRecord moved = records[0];
  *moved.mutable_encrypted_body() = response.encrypted_body();
  CHECK(DecryptBody(moved, Key('k')).status().reason() == crypto::kAeadMismatch);

  v1::AuditRecord kept = response;
  kept.set_body("plain");
  CHECK(DecryptBody(kept, Key('k')).status().reason() == kWrongBodyKey);
}

TEST_CASE("Body policies that encrypt need a key", "[audit]") {
  BodyPolicies policies;
  CHECK(policies.Check().ok());
  policies.by_subsystem[kPortal] = v1::BODY_POLICY_ENCRYPT;
  CHECK(policies.Check().reason() == kNoBodyKey);
  policies.body_key = Key('k');
  CHECK(policies.Check().ok());
  policies.default_policy = v1::BODY_POLICY_UNSPECIFIED;
  CHECK(policies.Check().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace truc::gateway::audit

namespace truc::gateway {
namespace {

TEST_CASE("Times beyond what a TimePoint holds convert to its nearest bound, not overflow",
          "[audit]") {
  google::protobuf::Timestamp far;
  far.set_seconds(int64_t{1} << 62);  // As a damaged record's time (found by fuzzing).
  CHECK(proto::FromProtoTimestamp(far) == TimePoint::max());
  far.set_seconds(-(int64_t{1} << 62));
  CHECK(proto::FromProtoTimestamp(far) == TimePoint::min());
  far.set_seconds(253402300799);  // 9999-12-31T23:59:59Z, the largest valid Timestamp.
  far.set_nanos(999'999'999);
  CHECK(proto::FromProtoTimestamp(far) == TimePoint::max());
  const TimePoint now =
      std::chrono::time_point_cast<TimePoint::duration>(std::chrono::system_clock::now());
  CHECK(proto::FromProtoTimestamp(proto::ToProtoTimestamp(now)) == now);
}

}  // namespace
}  // namespace truc::gateway
