#include "gateway/rest/rest_request.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/strings.h"
#include "core/ids/percent_encoding.h"
#include "gateway/errors.h"
#include "gateway/rest/metaservices.h"

namespace truc::gateway::rest {
namespace {

constexpr std::string_view kProtocolPrefix = "/r1/";
// instance / class / member / subsystem / service code.
constexpr size_t kServiceIdSegments = 5;

// The path and query of a request target.
struct Target {
  std::string_view path;
  std::string_view query;
};

Target SplitTarget(std::string_view target) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return {target, {}};
  return {target.substr(0, question), target.substr(question + 1)};
}

}  // namespace

StatusOr<std::optional<std::string>> IdentifierParameter(std::string_view query,
                                                         std::string_view name) {
  std::optional<std::string_view> raw;
  for (std::string_view pair : SplitString(query, '&')) {
    const size_t equals = pair.find('=');
    if (!net::EqualsIgnoreCase(pair.substr(0, equals), name)) continue;
    raw = equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
  }
  if (!raw || raw->empty()) return std::optional<std::string>();
  const std::string what = fmt::format("query parameter {}", name);
  std::string spaced(*raw);
  std::replace(spaced.begin(), spaced.end(), '+', ' ');
  StatusOr<std::string> decoded = ids::PercentDecode(spaced);
  if (!decoded.ok()) return decoded.status().Annotate(what);
  TRUC_RETURN_IF_ERROR(ids::ValidatePart(*decoded, what));
  return std::optional<std::string>(*std::move(decoded));
}

namespace {

// The value of the last field named `name`, or nullopt when it is missing or empty.
std::optional<std::string> OptionalHeader(const net::HttpHeaders& headers, std::string_view name) {
  std::optional<std::string> value = headers.Get(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

StatusOr<RestRequest> ParseListClients(const net::HttpRequest& request, std::string_view query) {
  if (request.method != "GET") {
    return ClientError(error_code::kBadRequest, fmt::format("{} is called with GET, not {}",
                                                            kListClientsPath, request.method));
  }
  StatusOr<std::optional<std::string>> instance = IdentifierParameter(query, "xRoadInstance");
  if (!instance.ok()) {
    return ClientError(error_code::kBadRequest,
                       fmt::format("{}: {}", kListClientsPath, instance.status().message()));
  }
  return ListClients{*std::move(instance)};
}

// Splits the part of the target after "/r1/" into the service id (its first five segments) and
// the raw path (the rest, from the "/" that ends the fifth segment).
StatusOr<std::pair<ids::ServiceId, std::string>> ParseServiceTarget(std::string_view target,
                                                                    std::string_view after_prefix) {
  size_t path_start = std::string_view::npos;
  for (size_t segment = 0, from = 0; segment < kServiceIdSegments; ++segment) {
    path_start = after_prefix.find('/', from);
    if (path_start == std::string_view::npos) break;
    from = path_start + 1;
  }
  // At most five parts, so a service id that parses is exactly INSTANCE/.../SERVICE.
  StatusOr<ids::ServiceId> service = ids::ServiceId::Parse(after_prefix.substr(0, path_start));
  if (!service.ok()) {
    return ClientError(error_code::kInvalidServiceIdentifier,
                       fmt::format("request target '{}': the service after {} is not valid: {}",
                                   target, kProtocolPrefix, service.status().message()));
  }
  std::string path =
      path_start == std::string_view::npos ? "/" : std::string(after_prefix.substr(path_start));
  return std::make_pair(*std::move(service), std::move(path));
}

StatusOr<ServiceCall> ParseServiceCall(const net::HttpRequest& request, Target target) {
  TRUC_ASSIGN_OR_RETURN(
      auto service_and_path,
      ParseServiceTarget(request.target, target.path.substr(kProtocolPrefix.size())));
  const std::optional<std::string> client_header = request.headers.Get("X-Road-Client");
  if (!client_header) {
    return ClientError(error_code::kInvalidClientIdentifier,
                       "the X-Road-Client header is missing; it names the calling subsystem as "
                       "INSTANCE/CLASS/MEMBER/SUBSYSTEM");
  }
  StatusOr<ids::SubsystemId> client = ids::SubsystemId::Parse(*client_header);
  if (!client.ok()) {
    return ClientError(error_code::kInvalidClientIdentifier,
                       fmt::format("X-Road-Client header: {}", client.status().message()));
  }
  std::optional<ids::ServerId> target_server;
  if (std::optional<std::string> server =
          OptionalHeader(request.headers, "X-Road-Security-Server")) {
    StatusOr<ids::ServerId> parsed = ids::ServerId::Parse(*server);
    if (!parsed.ok()) {
      return ClientError(error_code::kBadRequest, fmt::format("X-Road-Security-Server header: {}",
                                                              parsed.status().message()));
    }
    target_server = *std::move(parsed);
  }
  return ServiceCall{
      .client = *std::move(client),
      .service = std::move(service_and_path.first),
      .path = std::move(service_and_path.second),
      .query = std::string(target.query),
      .message_id = OptionalHeader(request.headers, "X-Road-Id"),
      .user_id = OptionalHeader(request.headers, "X-Road-UserId"),
      .issue = OptionalHeader(request.headers, "X-Road-Issue"),
      .represented_party = OptionalHeader(request.headers, "X-Road-Represented-Party"),
      .target_server = std::move(target_server),
  };
}

StatusOr<RestRequest> ParseGetOpenApi(ServiceCall call) {
  StatusOr<std::optional<std::string>> code = IdentifierParameter(call.query, "serviceCode");
  if (!code.ok()) {
    return ServerProxyError(error_code::kInvalidRequest,
                            fmt::format("{}: {}", kGetOpenApi, code.status().message()));
  }
  if (!code->has_value()) {
    return ServerProxyError(error_code::kInvalidRequest,
                            fmt::format("{} needs the query parameter serviceCode naming the "
                                        "service whose description is asked for",
                                        kGetOpenApi));
  }
  return GetOpenApi{std::move(call), **std::move(code)};
}

}  // namespace

StatusOr<RestRequest> ParseRestRequest(const net::HttpRequest& request) {
  const Target target = SplitTarget(request.target);
  if (target.path == kListClientsPath) return ParseListClients(request, target.query);
  if (!target.path.starts_with(kProtocolPrefix)) {
    return ClientError(error_code::kBadRequest,
                       fmt::format("request target '{}' is neither {} nor under {} (X-Road REST "
                                   "protocol version 1)",
                                   request.target, kListClientsPath, kProtocolPrefix));
  }
  TRUC_ASSIGN_OR_RETURN(ServiceCall call, ParseServiceCall(request, target));
  if (request.method != "GET") return call;
  const std::string& code = call.service.service_code();
  if (code == kListMethods) return ListMethods{std::move(call)};
  if (code == kAllowedMethods) return AllowedMethods{std::move(call)};
  if (code == kGetOpenApi) return ParseGetOpenApi(std::move(call));
  return call;
}

}  // namespace truc::gateway::rest
