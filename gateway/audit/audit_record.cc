#include "gateway/audit/audit_record.h"

#include <charconv>
#include <chrono>

#include <fmt/format.h>

#include "core/base/encoding.h"
#include "core/base/strings.h"
#include "core/base/utf8.h"
#include "core/ids/id_proto.h"
#include "gateway/exchange/wire_fields.h"
#include "proto/timestamp_conversion.h"

namespace truc::gateway::audit {
namespace {

// What every record of an exchange shares: side, identifiers and the request's search fields.
v1::AuditRecord CommonFields(const ExchangeRecord& exchange) {
  v1::AuditRecord record;
  record.set_side(exchange.side == ExchangeRecord::Side::kConsumer
                      ? v1::AuditRecord::SIDE_CONSUMER
                      : v1::AuditRecord::SIDE_PROVIDER);
  const v1::MessageEvidence& evidence = exchange.request.evidence();
  record.set_message_id(evidence.message_id());
  record.set_request_id(evidence.request_id());
  *record.mutable_client() = evidence.client();
  *record.mutable_service() = evidence.service();
  SetRequestFields(exchange.request.headers(), record);
  return record;
}

// The HTTP status in a response's ":status" field; 0 when there is none or it is not a number.
uint32_t HttpStatusOf(const v1::ExchangeMessage& response) {
  for (const v1::Header& header : response.headers()) {
    if (header.name() != wire_field::kStatus) continue;
    const std::string& text = header.value();
    uint32_t status = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), status);
    return error == std::errc() && end == text.data() + text.size() ? status : 0;
  }
  return 0;
}

// Copies `message` into `record` (whose identity fields are set), its body as `policy` says.
Status SetMessage(const v1::ExchangeMessage& message, v1::BodyPolicy policy,
                  const BodyPolicies& policies, bool copy_body, v1::AuditRecord& record) {
  *record.mutable_evidence() = message.evidence();
  *record.mutable_signature() = message.signature();
  *record.mutable_headers() = message.headers();
  record.set_body_size(message.body().size());
  record.set_body_policy(policy);
  switch (policy) {
    case v1::BODY_POLICY_ENCRYPT: {
      v1::EncryptedBody& encrypted = *record.mutable_encrypted_body();
      encrypted.set_key_id(policies.body_key->key_id());
      TRUC_ASSIGN_OR_RETURN(*encrypted.mutable_ciphertext(),
                            policies.body_key->Encrypt(message.body(), BodyAssociatedData(record)));
      break;
    }
    case v1::BODY_POLICY_DIGEST_ONLY:
      break;
    default:
      if (copy_body) record.set_body(message.body());
      break;
  }
  return OkStatus();
}

void SetEnd(const ExchangeRecord& exchange, v1::AuditRecord& record) {
  *record.mutable_time() = proto::ToProtoTimestamp(exchange.finished);
  const auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(exchange.finished - exchange.started)
          .count();
  record.mutable_duration()->set_seconds(nanos / 1'000'000'000);
  record.mutable_duration()->set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
  if (!exchange.outcome.ok()) {
    // Failures can quote what a peer said: kept readable whatever bytes it sent.
    const auto readable = [](const std::string& text) {
      return IsValidUtf8(text) ? text : EscapeForDisplay(text);
    };
    record.set_error_type(readable(exchange.outcome.reason()));
    record.set_error_message(readable(exchange.outcome.message()));
  }
}

}  // namespace

void SetRequestFields(const google::protobuf::RepeatedPtrField<v1::Header>& headers,
                      v1::AuditRecord& record) {
  for (const v1::Header& header : headers) {
    if (header.name() == wire_field::kMethod) {
      record.set_method(header.value());
    } else if (header.name() == wire_field::kPath) {
      record.set_path(header.value());
    } else if (header.name() == wire_field::kUserId) {
      record.set_user_id(header.value());
    } else if (header.name() == wire_field::kIssue) {
      record.set_purpose(header.value());
    }
  }
}

Status BodyPolicies::Check() const {
  bool encrypts = default_policy == v1::BODY_POLICY_ENCRYPT;
  bool unspecified = default_policy == v1::BODY_POLICY_UNSPECIFIED;
  for (const auto& [subsystem, policy] : by_subsystem) {
    encrypts = encrypts || policy == v1::BODY_POLICY_ENCRYPT;
    unspecified = unspecified || policy == v1::BODY_POLICY_UNSPECIFIED;
  }
  if (unspecified) return InvalidArgumentError("a body policy is unspecified", "audit.bad_policy");
  if (encrypts && !body_key.has_value()) {
    return InvalidArgumentError("bodies are to be encrypted, but no encryption key is configured",
                                std::string(kNoBodyKey));
  }
  return OkStatus();
}

v1::BodyPolicy BodyPolicies::For(const v1::SubsystemId& subsystem) const {
  if (by_subsystem.empty()) return default_policy;
  const StatusOr<ids::SubsystemId> id = ids::FromProto(subsystem);
  if (!id.ok()) return default_policy;
  const auto it = by_subsystem.find(*id);
  return it == by_subsystem.end() ? default_policy : it->second;
}

bool KeepsBody(v1::BodyPolicy policy) {
  return policy != v1::BODY_POLICY_ENCRYPT && policy != v1::BODY_POLICY_DIGEST_ONLY;
}

StatusOr<std::vector<v1::AuditRecord>> RecordsOf(const ExchangeRecord& exchange,
                                                 const BodyPolicies& policies, bool copy_bodies) {
  const v1::MessageEvidence& evidence = exchange.request.evidence();
  const v1::BodyPolicy policy = policies.For(exchange.side == ExchangeRecord::Side::kConsumer
                                                 ? evidence.client()
                                                 : evidence.service().provider());
  const v1::AuditRecord common = CommonFields(exchange);
  std::vector<v1::AuditRecord> records(2, common);

  v1::AuditRecord& request = records[0];
  request.set_kind(v1::AuditRecord::KIND_REQUEST);
  *request.mutable_time() = proto::ToProtoTimestamp(exchange.started);
  TRUC_RETURN_IF_ERROR(SetMessage(exchange.request, policy, policies, copy_bodies, request));

  v1::AuditRecord& end = records[1];
  SetEnd(exchange, end);
  if (exchange.response.has_value()) {
    end.set_kind(v1::AuditRecord::KIND_RESPONSE);
    end.set_http_status(HttpStatusOf(*exchange.response));
    TRUC_RETURN_IF_ERROR(SetMessage(*exchange.response, policy, policies, copy_bodies, end));
  } else {
    end.set_kind(v1::AuditRecord::KIND_FAILURE);
  }
  return records;
}

std::string BodyAssociatedData(const v1::AuditRecord& record) {
  return fmt::format(
      "truc.v1.audit-body\n{}\n{}\n{}\n{}\n", v1::AuditRecord::Side_Name(record.side()),
      v1::AuditRecord::Kind_Name(record.kind()), record.message_id(), record.request_id());
}

StatusOr<std::string> DecryptBody(const v1::AuditRecord& record, const crypto::Aes256Gcm& key) {
  if (record.stored_body_case() != v1::AuditRecord::kEncryptedBody) {
    return FailedPreconditionError(
        fmt::format("audit record {} has no encrypted body", record.sequence()),
        std::string(kWrongBodyKey));
  }
  const v1::EncryptedBody& encrypted = record.encrypted_body();
  if (encrypted.key_id() != key.key_id()) {
    return FailedPreconditionError(
        fmt::format("audit record {} was encrypted under key {}, not {}", record.sequence(),
                    HexEncode(encrypted.key_id()), HexEncode(key.key_id())),
        std::string(kWrongBodyKey));
  }
  StatusOr<std::string> body = key.Decrypt(encrypted.ciphertext(), BodyAssociatedData(record));
  if (!body.ok()) return body.status().Annotate(fmt::format("audit record {}", record.sequence()));
  return body;
}

}  // namespace truc::gateway::audit
