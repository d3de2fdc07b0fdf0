#include "gateway/rest/rest_headers.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/base/strings.h"

namespace truc::gateway::rest {
namespace {

constexpr std::array<std::string_view, 15> kNeverPassed = {"Connection",
                                                           "Keep-Alive",
                                                           "TE",
                                                           "Trailer",
                                                           "Transfer-Encoding",
                                                           "Upgrade",
                                                           "Proxy-Authenticate",
                                                           "Proxy-Authorization",
                                                           "Host",
                                                           "User-Agent",
                                                           "Server",
                                                           "Content-Length",
                                                           "Expect",
                                                           "X-Road-Request-Hash",
                                                           "X-Road-Request-Id"};

// Carried by the gateways as the request's own fields, not as header fields.
constexpr std::array<std::string_view, 7> kRequestFields = {
    "X-Road-Client",         "X-Road-Service", "X-Road-Id",
    "X-Road-UserId",         "X-Road-Issue",   "X-Road-Represented-Party",
    "X-Road-Security-Server"};

// The field names the Connection fields of `headers` list (RFC 9110 section 7.6.1).
std::vector<std::string_view> ConnectionOptions(const net::HttpHeaders& headers) {
  std::vector<std::string_view> names;
  for (const auto& [name, value] : headers.fields()) {
    if (!net::EqualsIgnoreCase(name, "Connection")) continue;
    for (std::string_view option : SplitString(value, ',')) {
      option = TrimWhitespace(option);
      if (!option.empty()) names.push_back(option);
    }
  }
  return names;
}

bool Contains(const auto& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view listed) { return net::EqualsIgnoreCase(listed, name); });
}

}  // namespace

std::vector<std::pair<std::string, std::string>> PassThroughHeaders(
    const net::HttpHeaders& headers) {
  const std::vector<std::string_view> connection_options = ConnectionOptions(headers);
  std::vector<std::pair<std::string, std::string>> passed;
  for (const auto& field : headers.fields()) {
    if (Contains(kNeverPassed, field.first) || Contains(connection_options, field.first)) continue;
    passed.push_back(field);
  }
  return passed;
}

std::vector<std::pair<std::string, std::string>> PassThroughRequestHeaders(
    const net::HttpHeaders& headers) {
  std::vector<std::pair<std::string, std::string>> passed = PassThroughHeaders(headers);
  std::erase_if(passed, [](const auto& field) { return Contains(kRequestFields, field.first); });
  return passed;
}

bool IsReservedRequestField(std::string_view name) {
  return Contains(kNeverPassed, name) || Contains(kRequestFields, name);
}

}  // namespace truc::gateway::rest
