// The bodies the REST interface writes itself (errors, metaservice answers): their content types,
// how a request's Accept header picks between JSON and XML, and safe JSON and XML text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/net/http_message.h"

namespace truc::gateway::rest {

inline constexpr std::string_view kJsonMediaType = "application/json";
inline constexpr std::string_view kApplicationXmlMediaType = "application/xml";
inline constexpr std::string_view kTextXmlMediaType = "text/xml";

// `media_type` with ";charset=utf-8" appended: every body we write is UTF-8.
std::string Utf8ContentType(std::string_view media_type);

// The media ranges of every Accept field of `headers`, in the order received: each lower-cased,
// without its parameters (a "q" weight included) and surrounding whitespace. Empty ranges are
// skipped. As X-Road does, weights are ignored: a range is either listed or not.
std::vector<std::string> AcceptedMediaRanges(const net::HttpHeaders& headers);

// `value` as compact JSON text. Invalid UTF-8 in strings becomes U+FFFD rather than failing, so
// that a hostile byte sequence in a message cannot stop an answer from being written.
std::string ToJsonText(const nlohmann::ordered_json& value);

// `text` as XML 1.0 character data, safe in element content and in quoted attribute values:
// & < > " ' become entities, a carriage return becomes "&#13;" (so that parsers do not fold it),
// and invalid UTF-8 and the characters XML 1.0 forbids (controls other than tab, LF and CR;
// U+FFFE, U+FFFF) become U+FFFD.
std::string XmlEscape(std::string_view text);

// <name>escaped text</name>.
std::string XmlElement(std::string_view name, std::string_view text);

}  // namespace truc::gateway::rest
