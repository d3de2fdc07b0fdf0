// Percent-encoding of one identifier part (RFC 3986 section 2.1), as the X-Road REST protocol
// requires for identifiers in URLs and headers: each part is encoded on its own, so an encoded
// "%2F" inside a part is part of the value, never a separator.
#pragma once

#include <string>
#include <string_view>

#include "core/base/status.h"

namespace truc::ids {

// Encodes every byte outside RFC 3986's unreserved set (ALPHA / DIGIT / "-" / "." / "_" / "~").
std::string PercentEncode(std::string_view raw);

// Decodes "%XX" escapes. InvalidArgument, naming the offset, for a "%" not followed by two hex
// digits. Does not treat "+" as a space.
StatusOr<std::string> PercentDecode(std::string_view encoded);

}  // namespace truc::ids
