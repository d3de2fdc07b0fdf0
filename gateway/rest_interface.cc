#include "gateway/rest_interface.h"

#include <fmt/format.h>

#include "core/base/encoding.h"
#include "core/log/log.h"
#include "gateway/errors.h"
#include "gateway/rest/metaservices.h"
#include "gateway/rest/rest_errors.h"
#include "gateway/rest/rest_headers.h"

namespace truc::gateway {
namespace {

// A call whose body is at most this large starts on the I/O thread that read it: what it does
// there (checks, the body's digest, handing the message to the signer) takes microseconds, less
// than handing it to a worker thread. A larger body is digested on a worker.
constexpr size_t kInlineBodyBytes = 64 << 10;

const log::Logger& Log() {
  static const log::Logger* const logger = new log::Logger("gateway.rest");
  return *logger;
}

net::HttpResponse ErrorResponse(const Status& error, const net::HttpHeaders& request_headers) {
  const std::string detail = NewUuid();
  Log().Info("call failed", {{"type", ErrorTypeOf(error, kClientProxyPrefix)},
                             {"message", error.message()},
                             {"detail", detail}});
  return rest::RenderErrorResponse(error, detail, request_headers);
}

// The service call a parsed request carries (metaservice calls are service calls too).
rest::ServiceCall& CallOf(rest::RestRequest& parsed) {
  if (auto* list = std::get_if<rest::ListMethods>(&parsed)) return list->call;
  if (auto* allowed = std::get_if<rest::AllowedMethods>(&parsed)) return allowed->call;
  if (auto* openapi = std::get_if<rest::GetOpenApi>(&parsed)) return openapi->call;
  return std::get<rest::ServiceCall>(parsed);
}

}  // namespace

RestInterface::RestInterface(ConsumerProxy& consumer, const LocalClients& clients,
                             globalconf::ConfigurationClient& configuration, WorkerPool& workers,
                             limits::ConcurrencyLimit& concurrency)
    : consumer_(consumer),
      clients_(clients),
      configuration_(configuration),
      workers_(workers),
      concurrency_(concurrency) {}

ServiceRequest RestInterface::ToServiceRequest(rest::RestRequest parsed,
                                               const net::HttpRequest& request) {
  rest::ServiceCall& service_call = CallOf(parsed);
  ServiceRequest call{.client = std::move(service_call.client),
                      .service = std::move(service_call.service)};
  call.message_id = service_call.message_id.value_or("");
  call.user_id = service_call.user_id.value_or("");
  call.purpose = service_call.issue.value_or("");
  call.represented_party = service_call.represented_party.value_or("");
  call.target_server = std::move(service_call.target_server);
  call.method = request.method;
  call.path = service_call.query.empty()
                  ? std::move(service_call.path)
                  : fmt::format("{}?{}", service_call.path, service_call.query);
  call.headers = rest::PassThroughRequestHeaders(request.headers);
  call.body = request.body;
  return call;
}

net::HttpResponse RestInterface::ListClients(const rest::ListClients& list,
                                             const net::HttpHeaders& request_headers) const {
  if (const Status usable = configuration_.CheckUsable(); !usable.ok()) {
    return ErrorResponse(ClientProxyError(error_code::kOutdatedGlobalConf, usable.message()),
                         request_headers);
  }
  const std::shared_ptr<const globalconf::ConfigurationView> view = configuration_.Current();
  std::vector<rest::ClientEntry> entries;
  if (!list.instance.has_value() || *list.instance == view->instance()) {
    for (const auto& [id, member] : view->members()) {
      entries.push_back({id, member.name, std::nullopt});
      for (const globalconf::SubsystemInfo& subsystem : member.subsystems) {
        entries.push_back(
            {subsystem.id, member.name,
             subsystem.name.empty() ? std::nullopt : std::optional<std::string>(subsystem.name)});
      }
    }
  }
  return rest::RenderClientList(entries, request_headers);
}

void RestInterface::Handle(net::HttpRequest request, net::HttpResponder respond) {
  StatusOr<rest::RestRequest> parsed = rest::ParseRestRequest(request);
  if (!parsed.ok()) return respond(ErrorResponse(parsed.status(), request.headers));
  if (const auto* list = std::get_if<rest::ListClients>(&*parsed)) {
    return respond(ListClients(*list, request.headers));
  }
  ServiceRequest call = ToServiceRequest(std::move(*parsed), request);
  // The client's status first, then the caller's right to act as it, as X-Road answers.
  if (Status checked = consumer_.CheckClient(call.client);
      !checked.ok() ||
      !(checked = clients_.Authorize(call.client, request.peer_certificate_fingerprint)).ok()) {
    return respond(ErrorResponse(checked, request.headers));
  }
  std::optional<limits::ConcurrencyLimit::Permit> permit = concurrency_.TryAcquire();
  if (!permit.has_value()) {
    return respond(
        ErrorResponse(ClientProxyError(error_code::kTooManyRequests,
                                       fmt::format("this gateway is already working on {} calls",
                                                   concurrency_.max_in_flight())),
                      request.headers));
  }
  // The task holds the permit and the responder; the pool refuses it only when full.
  auto shared_respond = std::make_shared<net::HttpResponder>(std::move(respond));
  auto shared_permit = std::make_shared<limits::ConcurrencyLimit::Permit>(std::move(*permit));
  const bool inline_call = call.body.size() <= kInlineBodyBytes;
  auto task = [this, call = std::move(call), request_headers = request.headers, shared_respond,
               shared_permit]() mutable {
    std::string client = call.client.ToString();
    std::string service = call.service.ToString();
    consumer_.CallAsync(
        std::move(call), std::chrono::system_clock::time_point::max(),
        [shared_respond, shared_permit = std::move(shared_permit),
         request_headers = std::move(request_headers), client = std::move(client),
         service = std::move(service)](StatusOr<ServiceResponse> answer) mutable {
          // The call is over: its permit goes before the answer, so that the caller's next
          // call on the same connection never finds it still taken.
          shared_permit.reset();
          if (!answer.ok()) {
            return (*shared_respond)(ErrorResponse(answer.status(), request_headers));
          }
          net::HttpResponse response;
          response.status = answer->status;
          for (auto& [name, value] : answer->headers) {
            response.headers.Add(name, std::move(value));
          }
          response.headers.Set("X-Road-Id", answer->message_id);
          response.headers.Set("X-Road-Client", client);
          response.headers.Set("X-Road-Service", service);
          response.headers.Set("X-Road-Request-Id", answer->request_id);
          response.headers.Set("X-Road-Request-Hash", Base64Encode(answer->request_hash));
          response.body = std::move(answer->body);
          (*shared_respond)(std::move(response));
        });
  };
  if (inline_call) return task();
  if (!workers_.Submit(std::move(task))) {
    (*shared_respond)(ErrorResponse(
        ClientProxyError(error_code::kTooManyRequests, "this gateway's work queue is full"),
        request.headers));
  }
}

}  // namespace truc::gateway
