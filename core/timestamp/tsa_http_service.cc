#include "core/timestamp/tsa_http_service.h"

#include <fmt/format.h>

namespace truc::timestamp {
namespace {

net::HttpResponse PlainError(int status, std::string message) {
  return net::MakeResponse(status, "text/plain; charset=utf-8", std::move(message) + "\n");
}

}  // namespace

net::HttpHandler MakeTsaHttpHandler(const TimestampAuthority& tsa, WorkerPool& workers) {
  return [&tsa, &workers](net::HttpRequest request, net::HttpResponder respond) {
    if (request.method != "POST") {
      net::HttpResponse response =
          PlainError(405, "a timestamp query is sent with POST (RFC 3161 section 3.4)");
      response.headers.Set("Allow", "POST");
      return respond(std::move(response));
    }
    const std::string content_type = request.headers.Get("Content-Type").value_or("");
    if (!content_type.starts_with("application/timestamp-query")) {
      return respond(PlainError(
          415,
          fmt::format("Content-Type must be application/timestamp-query, not '{}'", content_type)));
    }
    if (request.body.empty()) return respond(PlainError(400, "empty timestamp query"));
    if (request.body.size() > kMaxTimestampQueryBytes) {
      return respond(PlainError(
          413, fmt::format("a timestamp query is at most {} bytes", kMaxTimestampQueryBytes)));
    }
    auto shared_request = std::make_shared<net::HttpRequest>(std::move(request));
    const bool queued = workers.Submit([&tsa, shared_request, respond] {
      StatusOr<std::string> reply = tsa.Respond(shared_request->body);
      if (!reply.ok()) return respond(PlainError(500, reply.status().message()));
      respond(net::MakeResponse(200, "application/timestamp-reply", *std::move(reply)));
    });
    if (!queued) {
      net::HttpResponse busy = PlainError(503, "timestamp authority is overloaded; retry shortly");
      busy.headers.Set("Retry-After", "1");
      respond(std::move(busy));
    }
  };
}

}  // namespace truc::timestamp
