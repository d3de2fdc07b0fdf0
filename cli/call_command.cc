#include "cli/call_command.h"

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include "core/base/encoding.h"
#include "core/base/file.h"
#include "core/base/strings.h"
#include "core/ids/id_proto.h"
#include "core/rpc/grpc_util.h"
#include "core/rpc/pinned_tls.h"
#include "truc/v1/service_api.grpc.pb.h"

namespace truc::cli {
namespace {

struct CallOptions {
  std::string gateway;
  std::string client;
  std::string service;
  std::string user_id;
  std::string purpose;
  std::string message_id;
  std::string method = "GET";
  std::string path = "/";
  std::vector<std::string> headers;
  std::string data;
  std::string data_file;
  bool include = false;
  std::string ca;
  std::string cert;
  std::string key;
  int timeout_seconds = 60;
};

StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials(const CallOptions& options) {
  if (options.ca.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  TRUC_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadFile(options.ca));
  if (!options.cert.empty() || !options.key.empty()) {
    TRUC_ASSIGN_OR_RETURN(const rpc::TlsIdentity identity,
                          rpc::LoadTlsIdentity(options.cert, options.key));
    ssl.pem_cert_chain = identity.certificate_chain_pem;
    ssl.pem_private_key = identity.private_key_pem;
  }
  return grpc::SslCredentials(ssl);
}

StatusOr<v1::CallRequest> RequestFrom(const CallOptions& options) {
  v1::CallRequest request;
  TRUC_ASSIGN_OR_RETURN(const ids::SubsystemId client, ids::SubsystemId::Parse(options.client));
  TRUC_ASSIGN_OR_RETURN(const ids::ServiceId service, ids::ServiceId::Parse(options.service));
  *request.mutable_client() = ids::ToProto(client);
  *request.mutable_service() = ids::ToProto(service);
  request.set_user_id(options.user_id);
  request.set_purpose(options.purpose);
  request.set_message_id(options.message_id);
  request.set_method(options.method);
  request.set_path(options.path);
  for (const std::string& header : options.headers) {
    const size_t colon = header.find(':');
    if (colon == std::string::npos || colon == 0) {
      return InvalidArgumentError(fmt::format("--header '{}' is not 'Name: value'", header),
                                  "cli.bad_arguments");
    }
    v1::Header* field = request.add_headers();
    field->set_name(header.substr(0, colon));
    field->set_value(std::string(TrimWhitespace(header.substr(colon + 1))));
  }
  if (!options.data_file.empty()) {
    TRUC_ASSIGN_OR_RETURN(*request.mutable_body(), ReadFile(options.data_file));
  } else {
    request.set_body(options.data);
  }
  return request;
}

Status Call(const CallOptions& options, std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(const v1::CallRequest request, RequestFrom(options));
  TRUC_ASSIGN_OR_RETURN(const auto credentials, Credentials(options));
  const auto stub = v1::ServiceGateway::NewStub(grpc::CreateChannel(options.gateway, credentials));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(options.timeout_seconds));
  v1::CallResponse response;
  const grpc::Status status = stub->Call(&context, request, &response);
  if (!status.ok()) {
    const Status error = rpc::FromGrpcStatus(status);
    return Status(error.code(),
                  error.reason().empty() ? error.message()
                                         : fmt::format("{}: {}", error.reason(), error.message()),
                  error.reason());
  }
  if (options.include) {
    out << fmt::format("status: {}\nmessage-id: {}\nrequest-id: {}\nrequest-hash: {}\n",
                       response.status(), response.message_id(), response.request_id(),
                       Base64Encode(response.request_hash()));
    for (const v1::Header& header : response.headers()) {
      out << header.name() << ": " << header.value() << "\n";
    }
    out << "\n";
  }
  out << response.body();
  return OkStatus();
}

}  // namespace

void AddCallCommand(CLI::App& app, const Output& output, Status* result) {
  auto options = std::make_shared<CallOptions>();
  CLI::App* command = AddCommand(
      app, "call", "Call a service through a gateway's gRPC service API",
      [options, &output] { return Call(*options, output.out); }, result);
  command->add_option("--gateway", options->gateway, "The gateway's gRPC API, HOST:PORT")
      ->required();
  command->add_option("--client", options->client, "The client subsystem you act as")->required();
  command->add_option("--service", options->service, "The service id")->required();
  command->add_option("--user-id", options->user_id, "The end user (X-Road-UserId)");
  command->add_option("--purpose", options->purpose, "The case or document (X-Road-Issue)");
  command->add_option("--message-id", options->message_id, "Message id (default: a new UUID)");
  command->add_option("--method", options->method, "HTTP method (default GET)");
  command->add_option("--path", options->path, "Path and query below the service (default /)");
  command->add_option("--header", options->headers, "'Name: value', repeatable");
  CLI::Option* data = command->add_option("--data", options->data, "The request body");
  command->add_option("--data-file", options->data_file, "Read the request body from FILE")
      ->excludes(data);
  command->add_flag("--include", options->include, "Print the status and headers first");
  command->add_option("--ca", options->ca, "Use TLS, trusting these CAs for the gateway");
  command->add_option("--cert", options->cert, "Client certificate chain (PEM), with --ca");
  command->add_option("--key", options->key, "Its private key (PEM, mode 0600)");
  command->add_option("--timeout", options->timeout_seconds, "Deadline in seconds (default 60)");
}

}  // namespace truc::cli
