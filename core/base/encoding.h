// Text encodings of binary data. Byte strings are std::string throughout Trục, as in protobuf.
#pragma once

#include <string>
#include <string_view>

#include "core/base/status.h"

namespace truc {

// Lower-case hexadecimal.
std::string HexEncode(std::string_view bytes);
// Accepts upper- and lower-case digits. InvalidArgument on odd length or a non-hex character,
// naming its offset.
StatusOr<std::string> HexDecode(std::string_view hex);

// Standard base64 (RFC 4648 section 4) with padding.
std::string Base64Encode(std::string_view bytes);
// Strict: padding required, no whitespace. InvalidArgument on malformed input.
StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace truc
