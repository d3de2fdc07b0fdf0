// A call of the gRPC service API (v1::CallRequest as its bytes arrive), as the gateway turns it
// into a service call: whatever ValidateServiceRequest then accepts must reach a backend as
// exactly one request, whatever CR, LF or field names the caller put in it.
#include "core/ids/id_proto.h"
#include "gateway/grpc_interface.h"
#include "tests/fuzz/backend_request_check.h"
#include "truc/v1/service_api.pb.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  truc::v1::CallRequest call;
  *call.mutable_client() =
      truc::ids::ToProto(truc::ids::SubsystemId::Parse("VN/GOV/000900/portal").value());
  *call.mutable_service() =
      truc::ids::ToProto(truc::ids::ServiceId::Parse("VN/GOV/000100/population/citizens").value());
  call.set_method("GET");
  call.set_path("/citizens/079123456789?fields=name");
  call.set_user_id("VN079123456789");
  call.set_purpose("HS-2026-000123");
  truc::v1::Header* header = call.add_headers();
  header->set_name("Accept");
  header->set_value("application/json");
  std::vector<std::string> seeds = {call.SerializeAsString()};
  call.set_user_id(
      "u2\r\nContent-Length: 0\r\n\r\nGET /api/SMUGGLED HTTP/1.1\r\nHost: x\r\nX-Pad: ");
  seeds.push_back(call.SerializeAsString());
  truc::fuzz::WriteFreshSeeds("grpc-call", seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  truc::v1::CallRequest call;
  if (!call.ParseFromArray(data, static_cast<int>(size))) return 0;
  truc::StatusOr<truc::gateway::ServiceRequest> request =
      truc::gateway::GrpcInterface::ToServiceRequest(call);
  if (!request.ok()) return 0;
  if (request->message_id.empty()) request->message_id = "m-1";
  truc::fuzz::CheckBackendRequest(*request);
  return 0;
}
