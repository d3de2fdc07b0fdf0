#include "core/net/http_framing.h"

#include <vector>

#include <fmt/format.h>

#include "core/base/strings.h"
#include "core/net/http_message.h"

namespace truc::net {

std::optional<FramingError> CheckRequestFraming(const boost::beast::http::fields& fields) {
  namespace http = boost::beast::http;
  if (fields.count(http::field::transfer_encoding) == 0) return std::nullopt;
  if (fields.count(http::field::content_length) > 0) {
    return FramingError{400, "a request may not carry both Transfer-Encoding and Content-Length"};
  }
  std::vector<std::string> codings;
  const auto [first, last] = fields.equal_range(http::field::transfer_encoding);
  for (auto field = first; field != last; ++field) {
    for (std::string_view coding : SplitString(field->value(), ',')) {
      coding = TrimWhitespace(coding);
      if (!coding.empty()) codings.emplace_back(coding);
    }
  }
  if (codings.size() == 1 && EqualsIgnoreCase(codings.front(), "chunked")) return std::nullopt;
  for (size_t i = 0; i + 1 < codings.size(); ++i) {
    if (EqualsIgnoreCase(codings[i], "chunked")) {
      return FramingError{400, "the chunked transfer coding must be the last one"};
    }
  }
  std::string listed;
  for (const std::string& coding : codings) listed += (listed.empty() ? "" : ", ") + coding;
  return FramingError{501, fmt::format("the transfer coding \"{}\" is not supported; send the "
                                       "body with Content-Length or \"Transfer-Encoding: chunked\"",
                                       EscapeForDisplay(listed))};
}

}  // namespace truc::net
