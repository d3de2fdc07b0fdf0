#include "gateway/exchange/service_call.h"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>

#include "core/base/strings.h"
#include "core/base/utf8.h"
#include "core/crypto/random.h"
#include "core/net/http_syntax.h"
#include "gateway/errors.h"
#include "gateway/exchange/wire_fields.h"
#include "gateway/rest/rest_headers.h"

namespace truc::gateway {
namespace {

void AddIfSet(HeaderFields& fields, std::string_view name, const std::string& value) {
  if (!value.empty()) fields.emplace_back(name, value);
}

constexpr std::array<std::string_view, 8> kMethods = {"GET",    "HEAD",    "POST",  "PUT",
                                                      "DELETE", "OPTIONS", "PATCH", "TRACE"};

// At most this many bytes of a refused value are quoted back, escaped.
constexpr size_t kQuotedBytes = 40;

// `text` for an error message: quoted, escaped for display, cut after a while.
std::string Quote(std::string_view text) {
  return fmt::format("\"{}\"{}", EscapeForDisplay(text.substr(0, kQuotedBytes)),
                     text.size() > kQuotedBytes ? "..." : "");
}

Status Invalid(std::string message) {
  return InvalidArgumentError(std::move(message), "gateway.invalid_field");
}

// A value carried as an HTTP field value (and logged): `what` names it in the error.
Status CheckFieldValue(std::string_view what, std::string_view value) {
  if (!net::IsHttpFieldValue(value)) {
    return Invalid(
        fmt::format("{} {} holds a control character (such as CR or LF) or "
                    "surrounding whitespace",
                    what, Quote(value)));
  }
  if (!IsValidUtf8(value)) {
    return Invalid(fmt::format("{} {} is not valid UTF-8", what, Quote(value)));
  }
  return OkStatus();
}

Status CheckHeaderField(std::string_view whose, std::string_view name, std::string_view value) {
  if (!net::IsHttpToken(name)) {
    return Invalid(fmt::format("{} header name {} is not an HTTP token", whose, Quote(name)));
  }

  return CheckFieldValue(fmt::format("{} header {}", whose, name), value);
}

}  // namespace

Status ValidateServiceRequest(const ServiceRequest& request) {
  if (std::find(kMethods.begin(), kMethods.end(), request.method) == kMethods.end()) {
    return Invalid(
        fmt::format("method {} is not one of GET, HEAD, POST, PUT, DELETE, OPTIONS, "
                    "PATCH and TRACE",
                    Quote(request.method)));
  }
  if (request.method == "TRACE" && !request.body.empty()) {
    return Invalid("a TRACE request carries no body (RFC 9110, section 9.3.8)");
  }
  if (!net::IsOriginFormTarget(request.path)) {
    return Invalid(
        fmt::format("path {} must start with '/' and hold no space or control "
                    "character (percent-encode them)",
                    Quote(request.path)));
  }
  if (!IsValidUtf8(request.path)) {
    return Invalid(fmt::format("path {} is not valid UTF-8", Quote(request.path)));
  }
  if (request.message_id.size() > kMaxMessageIdBytes) {
    return Invalid(fmt::format("the message id has {} bytes; at most {} are allowed",
                               request.message_id.size(), kMaxMessageIdBytes));
  }
  const std::pair<std::string_view, const std::string*> ids[] = {
      {"message id", &request.message_id},
      {"user id", &request.user_id},
      {"purpose (issue)", &request.purpose},
      {"represented party", &request.represented_party}};
  size_t bytes = request.path.size();
  for (const auto& [what, value] : ids) {
    TRUC_RETURN_IF_ERROR(CheckFieldValue(what, *value));
    bytes += value->size();
  }
  if (request.headers.size() > kMaxRequestHeaderFields) {
    return Invalid(fmt::format("the request has {} header fields; at most {} are allowed",
                               request.headers.size(), kMaxRequestHeaderFields));
  }
  TRUC_RETURN_IF_ERROR(ValidateHeaderFields(request.headers, "request"));
  for (const auto& [name, value] : request.headers) {
    if (rest::IsReservedRequestField(name)) {
      return Invalid(
          fmt::format("request header {} is not an end-to-end field: the gateways set "
                      "it (X-Road ids travel as the request's own fields)",
                      name));
    }
  }
  for (const auto& [name, value] : request.headers) bytes += name.size() + value.size();
  if (bytes > kMaxRequestHeaderBytes) {
    return Invalid(
        fmt::format("the request's path, ids and header fields hold {} bytes; at most "
                    "{} are allowed",
                    bytes, kMaxRequestHeaderBytes));
  }
  return OkStatus();
}

Status ValidateHeaderFields(const HeaderFields& fields, std::string_view whose) {
  for (const auto& [name, value] : fields) {
    TRUC_RETURN_IF_ERROR(CheckHeaderField(whose, name, value));
  }
  return OkStatus();
}

HeaderFields RequestWireHeaders(const ServiceRequest& request) {
  HeaderFields fields;
  fields.reserve(request.headers.size() + 6);
  fields.emplace_back(wire_field::kMethod, request.method);
  fields.emplace_back(wire_field::kPath, request.path);
  AddIfSet(fields, wire_field::kMessageId, request.message_id);
  AddIfSet(fields, wire_field::kUserId, request.user_id);
  AddIfSet(fields, wire_field::kIssue, request.purpose);
  AddIfSet(fields, wire_field::kRepresentedParty, request.represented_party);
  fields.insert(fields.end(), request.headers.begin(), request.headers.end());
  return fields;
}

HeaderFields ResponseWireHeaders(int status, const HeaderFields& headers) {
  HeaderFields fields;
  fields.reserve(headers.size() + 1);
  fields.emplace_back(wire_field::kStatus, std::to_string(status));
  fields.insert(fields.end(), headers.begin(), headers.end());
  return fields;
}

Status ReadRequestWireHeaders(const v1::ExchangeMessage& message, ServiceRequest& request) {
  const auto& fields = message.headers();
  if (fields.size() < 2 || fields[0].name() != wire_field::kMethod ||
      fields[1].name() != wire_field::kPath) {
    return ServerProxyError(error_code::kInvalidRequest,
                            "the request does not start with its :method and :path fields");
  }
  request.method = fields[0].value();
  request.path = fields[1].value();
  request.headers.clear();
  const std::pair<std::string_view, std::string*> pseudo[] = {
      {wire_field::kMessageId, &request.message_id},
      {wire_field::kUserId, &request.user_id},
      {wire_field::kIssue, &request.purpose},
      {wire_field::kRepresentedParty, &request.represented_party}};
  bool seen[std::size(pseudo)] = {};
  for (int i = 2; i < fields.size(); ++i) {
    const std::string& name = fields[i].name();
    const std::string& value = fields[i].value();
    const auto* found = std::find_if(std::begin(pseudo), std::end(pseudo),
                                     [&](const auto& entry) { return entry.first == name; });
    if (found == std::end(pseudo)) {
      request.headers.emplace_back(name, value);
      continue;
    }
    // One value each, or the backend and the log could be told different ones.
    bool& already = seen[found - std::begin(pseudo)];
    if (already) {
      return ServerProxyError(error_code::kInvalidRequest,
                              fmt::format("the request carries its {} field twice", name));
    }
    already = true;
    *found->second = value;
  }
  if (request.message_id != message.evidence().message_id()) {
    return ServerProxyError(error_code::kInvalidRequest,
                            "the request's x-road-id field differs from its evidence's message id");
  }
  return OkStatus();
}

Status ReadResponseWireHeaders(const v1::ExchangeMessage& message, ServiceResponse& response) {
  const auto& fields = message.headers();
  int status = 0;
  if (fields.empty() || fields[0].name() != wire_field::kStatus) {
    return ClientProxyError(error_code::kInternalError, "the response has no :status field");
  }
  const std::string& text = fields[0].value();
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), status);
  if (error != std::errc() || end != text.data() + text.size() || status < 200 || status > 599) {
    return ClientProxyError(
        error_code::kInternalError,
        fmt::format("the response's :status \"{}\" is not a final HTTP status (200-599)",
                    EscapeForDisplay(text)));
  }
  response.status = status;
  response.headers.clear();
  for (int i = 1; i < fields.size(); ++i) {
    response.headers.emplace_back(fields[i].name(), fields[i].value());
  }
  return OkStatus();
}

void SetWireHeaders(const HeaderFields& fields, v1::ExchangeMessage& message) {
  message.clear_headers();
  for (const auto& [name, value] : fields) {
    v1::Header* header = message.add_headers();
    header->set_name(name);
    header->set_value(value);
  }
}

std::string NewUuid() {
  unsigned char bytes[16];
  crypto::RandomBytes(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;  // Version 4.
  bytes[8] = (bytes[8] & 0x3f) | 0x80;  // RFC 4122 variant.
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string hex;
  hex.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex += '-';
    hex += kDigits[bytes[i] >> 4];
    hex += kDigits[bytes[i] & 0x0f];
  }
  return hex;
}

}  // namespace truc::gateway
