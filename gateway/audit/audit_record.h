// The audit log's records of one exchange (proto/truc/v1/audit.proto, docs/audit-log.md): what an
// ExchangeRecord becomes, and what the log keeps of message bodies.
//
// An exchange gives two records: its request, then its response, or a failure record when it
// failed before there was a response. Each record carries the message as signed (evidence,
// signature, header fields) and the fields an auditor searches by, read from the evidence and the
// request's header fields. The body is kept, encrypted or dropped according to the body policy of
// the subsystem on this gateway's side of the exchange: the client on the consumer side, the
// service's provider on the provider side. Dropping or encrypting a body never breaks the
// signature: the evidence signs the body's digest, which every record keeps.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "core/crypto/aead.h"
#include "core/ids/identifiers.h"
#include "gateway/exchange/exchange_log.h"
#include "truc/v1/audit.pb.h"

namespace truc::gateway::audit {

// kInvalidArgument: a policy says BODY_POLICY_ENCRYPT but no encryption key was given.
inline constexpr std::string_view kNoBodyKey = "audit.no_body_key";
// kFailedPrecondition from DecryptBody: the record is not encrypted, or under another key.
inline constexpr std::string_view kWrongBodyKey = "audit.wrong_body_key";

// What the log keeps of message bodies. A value type.
struct BodyPolicies {
  // For every subsystem not in `by_subsystem`.
  v1::BodyPolicy default_policy = v1::BODY_POLICY_KEEP;
  std::map<ids::SubsystemId, v1::BodyPolicy> by_subsystem;
  // Required when any policy is BODY_POLICY_ENCRYPT.
  std::optional<crypto::Aes256Gcm> body_key;

  // OK, or kNoBodyKey; kInvalidArgument for BODY_POLICY_UNSPECIFIED.
  Status Check() const;
  // The policy of `subsystem`; the default for one that is not a valid identifier.
  v1::BodyPolicy For(const v1::SubsystemId& subsystem) const;
};

// The records of `exchange`, without sequence numbers: its request, then its response or a
// failure. Bodies as `policies` say (which must have passed Check); with `copy_bodies` false, a
// record whose policy keeps the body gets its body_size but not the body, which the caller moves
// in (KeepsBody). Errors: kInternal when encryption fails. Thread-safe.
StatusOr<std::vector<v1::AuditRecord>> RecordsOf(const ExchangeRecord& exchange,
                                                 const BodyPolicies& policies,
                                                 bool copy_bodies = true);
// Whether a record of `policy` holds its message's body as it is.
bool KeepsBody(v1::BodyPolicy policy);

// Sets the fields a record takes from its request's header fields: user_id (x-road-userid),
// purpose (x-road-issue), method (:method) and path (:path); the last of a repeated field.
void SetRequestFields(const google::protobuf::RepeatedPtrField<v1::Header>& headers,
                      v1::AuditRecord& record);

// The associated data that binds an encrypted body to its record (see EncryptedBody).
std::string BodyAssociatedData(const v1::AuditRecord& record);

// The body of an encrypted record. Errors: kWrongBodyKey (the record is not encrypted, or was
// encrypted under another key id), crypto::kAeadMismatch (the ciphertext or the fields it is bound
// to were altered). Thread-safe.
StatusOr<std::string> DecryptBody(const v1::AuditRecord& record, const crypto::Aes256Gcm& key);

}  // namespace truc::gateway::audit
