// Request evidence for the evidence tests.
#pragma once

#include <string>

#include "core/evidence/message_signing.h"
#include "core/ids/id_proto.h"

namespace truc::evidence {

// The evidence of a request from the portal to the population registry's citizens service.
inline v1::MessageEvidence TestRequest(const std::string& message_id, const std::string& body) {
  v1::MessageEvidence evidence;
  evidence.set_kind(v1::MessageEvidence::KIND_REQUEST);
  evidence.set_message_id(message_id);
  evidence.set_request_id("req-" + message_id);
  *evidence.mutable_client() =
      ids::ToProto(ids::SubsystemId::Parse("VN/GOV/000900/portal").value());
  *evidence.mutable_service() =
      ids::ToProto(ids::ServiceId::Parse("VN/GOV/000100/population/citizens").value());
  *evidence.mutable_digests() =
      DigestMessage({{"X-Road-UserId", "VN079123456789"}, {"X-Road-Issue", "HS-2026-001"}}, body);
  return evidence;
}

}  // namespace truc::evidence
