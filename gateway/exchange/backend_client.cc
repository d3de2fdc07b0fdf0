#include "gateway/exchange/backend_client.h"

#include <climits>
#include <condition_variable>

#include <fmt/format.h>
#include <grpcpp/generic/generic_stub.h>

#include "gateway/errors.h"
#include "gateway/rest/rest_headers.h"

namespace truc::gateway {
namespace {

Status BackendFailure(const Status& error, std::string_view backend) {
  const std::string message = fmt::format("backend {}: {}", backend, error.message());
  return error.code() == StatusCode::kDeadlineExceeded
             ? ServerProxyError(error_code::kTimeout, message)
             : ServerProxyError(error_code::kServiceFailed, message);
}

// Whether `name` may travel as gRPC metadata: lower-case token characters only.
bool IsMetadataKey(std::string_view name) {
  if (name.empty() || name.starts_with("grpc-")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

}  // namespace

BackendClient::~BackendClient() {
  http_.Shutdown();
  grpc_workers_.Shutdown();
}

void BackendClient::Call(const Backend& backend, const ServiceRequest& request,
                         const HeaderFields& x_road_headers, Done done) {
  if (backend.kind == Backend::Kind::kRest) {
    return CallRest(backend, request, x_road_headers, std::move(done));
  }
  auto shared_done = std::make_shared<Done>(std::move(done));
  const bool queued = grpc_workers_.Submit([this, backend, request, x_road_headers, shared_done] {
    (*shared_done)(CallGrpc(backend, request, x_road_headers));
  });
  if (!queued) {
    (*shared_done)(ServerProxyError(error_code::kTooManyRequests,
                                    "too many calls of gRPC backends are waiting"));
  }
}

void BackendClient::CallRest(const Backend& backend, const ServiceRequest& request,
                             const HeaderFields& x_road_headers, Done done) {
  std::string_view base = backend.url;
  while (base.ends_with('/')) base.remove_suffix(1);
  const std::string url = fmt::format("{}{}", base, request.path);
  net::HttpHeaders headers;
  for (const auto& [name, value] : request.headers) headers.Add(name, value);
  for (const auto& [name, value] : x_road_headers) headers.Set(name, value);
  net::HttpClientOptions options = backend.http;
  options.timeout = backend.timeout;
  options.max_response_bytes = std::min(options.max_response_bytes, max_response_bytes_);
  http_.Fetch(
      request.method, url, headers, request.body, options,
      [url_of_backend = backend.url, done = std::move(done)](StatusOr<net::HttpResponse> response) {
        if (!response.ok()) return done(BackendFailure(response.status(), url_of_backend));
        done(BackendAnswer{response->status, rest::PassThroughHeaders(response->headers),
                           std::move(response->body)});
      });
}

StatusOr<BackendAnswer> BackendClient::CallGrpc(const Backend& backend,
                                                const ServiceRequest& request,
                                                const HeaderFields& x_road_headers) {
  std::shared_ptr<grpc::Channel> channel;
  {
    std::lock_guard lock(mu_);
    std::shared_ptr<grpc::Channel>& cached = grpc_channels_[backend.url];
    if (cached == nullptr) {
      grpc::ChannelArguments args;
      args.SetMaxReceiveMessageSize(
          static_cast<int>(std::min<size_t>(max_response_bytes_, INT_MAX)));
      cached = grpc::CreateCustomChannel(backend.url, grpc::InsecureChannelCredentials(), args);
    }
    channel = cached;
  }
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + backend.timeout);
  for (const HeaderFields* fields : {&request.headers, &x_road_headers}) {
    for (const auto& [name, value] : *fields) {
      const std::string key = Lower(name);
      if (IsMetadataKey(key)) context.AddMetadata(key, value);
    }
  }
  const grpc::Slice slice(request.body);
  const grpc::ByteBuffer payload(&slice, 1);
  grpc::ByteBuffer reply;
  std::mutex mu;
  std::condition_variable finished;
  std::optional<grpc::Status> status;
  stub.UnaryCall(&context, request.path, grpc::StubOptions(), &payload, &reply,
                 [&](grpc::Status result) {
                   std::lock_guard lock(mu);
                   status = std::move(result);
                   finished.notify_one();
                 });
  {
    std::unique_lock lock(mu);
    finished.wait(lock, [&] { return status.has_value(); });
  }
  // A backend that cannot be reached is our failure; any other status is its answer.
  if (status->error_code() == grpc::StatusCode::UNAVAILABLE ||
      status->error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return BackendFailure(
        Status(static_cast<StatusCode>(status->error_code()), status->error_message()),
        backend.url);
  }
  BackendAnswer answer;
  answer.headers.emplace_back("content-type", "application/grpc+proto");
  answer.headers.emplace_back("grpc-status", std::to_string(status->error_code()));
  if (!status->ok()) answer.headers.emplace_back("grpc-message", status->error_message());
  std::vector<grpc::Slice> slices;
  if (status->ok() && reply.Dump(&slices).ok()) {
    for (const grpc::Slice& part : slices) {
      answer.body.append(reinterpret_cast<const char*>(part.begin()), part.size());
    }
  }
  return answer;
}

}  // namespace truc::gateway
