#include "gateway/rest/rest_errors.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "gateway/errors.h"
#include "gateway/rest/body_format.h"

namespace truc::gateway::rest {
namespace {

// The XML media type the request asked for, if it asked for one.
std::optional<std::string_view> RequestedXmlMediaType(const net::HttpHeaders& request_headers) {
  for (const std::string& range : AcceptedMediaRanges(request_headers)) {
    if (range == kApplicationXmlMediaType) return kApplicationXmlMediaType;
    if (range == kTextXmlMediaType) return kTextXmlMediaType;
  }
  return std::nullopt;
}

}  // namespace

net::HttpResponse RenderErrorResponse(const Status& typed_error, std::string_view detail,
                                      const net::HttpHeaders& request_headers) {
  const std::string type = ErrorTypeOf(typed_error, kClientProxyPrefix);
  const int status = HttpStatusForErrorType(type);
  net::HttpResponse response;
  if (std::optional<std::string_view> xml = RequestedXmlMediaType(request_headers)) {
    response = net::MakeResponse(
        status, Utf8ContentType(*xml),
        fmt::format(R"(<?xml version="1.0" encoding="UTF-8"?><error>{}{}{}</error>)",
                    XmlElement("type", type), XmlElement("message", typed_error.message()),
                    XmlElement("detail", detail)));
  } else {
    nlohmann::ordered_json body;
    body["type"] = type;
    body["message"] = typed_error.message();
    body["detail"] = detail;
    response = net::MakeResponse(status, Utf8ContentType(kJsonMediaType), ToJsonText(body));
  }
  response.headers.Set("X-Road-Error", type);
  return response;
}

}  // namespace truc::gateway::rest
