// A record as the audit log's store holds it (its signer's certificates named by SHA-256, field
// 24), put back together as logged on the wire (LoggedFromStored), whatever the bytes: either an
// error, or bytes with no field 24; and for a well-formed stored record exactly the deterministic
// serialization of the record with its chain put back, as the slow way (parse, change,
// serialize) gives it.
#include <string>

#include "gateway/audit/audit_log.h"
#include "proto/deterministic_serialization.h"
#include "tests/fuzz/fuzz_support.h"
#include "truc/v1/audit.pb.h"

namespace {

const std::string& Certificate() {
  static const auto* const der = new std::string("a signer certificate, DER");
  return *der;
}

truc::StatusOr<const std::string*> Lookup(std::string_view sha256) {
  if (sha256.size() != 32) {
    return truc::DataLossError("not a SHA-256", std::string(truc::gateway::audit::kCorruptLog));
  }
  return &Certificate();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  truc::v1::AuditRecord record;
  record.set_sequence(17);
  record.set_kind(truc::v1::AuditRecord::KIND_RESPONSE);
  record.set_message_id("5c0e7a52");
  record.set_path("/citizens/079123456789");
  record.mutable_signature()->set_merkle_root(std::string(32, 'r'));
  record.mutable_signature()->mutable_proof()->set_tree_size(3);
  record.add_stored_chain_sha256(std::string(32, 'c'));
  record.add_subjects("079123456789");
  std::vector<std::string> seeds = {truc::proto::SerializeDeterministically(record).value()};
  record.add_stored_chain_sha256(std::string(32, 'd'));
  seeds.push_back(truc::proto::SerializeDeterministically(record).value());
  truc::fuzz::WriteFreshSeeds("stored-record", seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string stored(reinterpret_cast<const char*>(data), size);
  const truc::StatusOr<std::optional<std::string>> logged =
      truc::gateway::audit::LoggedFromStored(stored, Lookup);
  truc::v1::AuditRecord parsed;
  if (logged.ok() && logged->has_value() && parsed.ParseFromString(**logged)) {
    truc::fuzz::Require(parsed.stored_chain_sha256().empty(), "no digests are left");
  }
  // A stored record as the committer writes it: its own deterministic serialization, digests
  // of 32 bytes, a signature without a chain, no fields of a later schema (which may be groups:
  // LoggedFromStored refuses those, as no schema of ours has them).
  truc::v1::AuditRecord record;
  if (!record.ParseFromString(stored) ||
      truc::proto::SerializeDeterministically(record).value_or("") != stored ||
      !record.GetReflection()->GetUnknownFields(record).empty() ||
      record.stored_chain_sha256().empty() || !record.has_signature() ||
      record.signature().certificate_chain_size() > 0 ||
      !record.signature().GetReflection()->GetUnknownFields(record.signature()).empty()) {
    return 0;
  }
  for (const std::string& sha256 : record.stored_chain_sha256()) {
    if (sha256.size() != 32) return 0;
  }
  truc::fuzz::Require(logged.ok() && logged->has_value(), "a well-formed record is put back");
  for (size_t i = 0; i < static_cast<size_t>(record.stored_chain_sha256_size()); ++i) {
    record.mutable_signature()->add_certificate_chain(Certificate());
  }
  record.clear_stored_chain_sha256();
  truc::fuzz::Require(**logged == truc::proto::SerializeDeterministically(record).value(),
                      "spliced bytes are the record as logged, serialized");
  return 0;
}
