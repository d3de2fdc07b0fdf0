// UTF-8 decoding, strict as RFC 3629 requires.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace truc {

// Length in bytes of the UTF-8 sequence starting at text[i] (i < text.size()), or 0 if it is
// malformed: truncated, overlong, a surrogate, or above U+10FFFF. Stores the code point in
// `code_point` when well-formed.
size_t Utf8SequenceLength(std::string_view text, size_t i, uint32_t& code_point);

// Whether all of `text` is well-formed UTF-8, as Utf8SequenceLength reads it.
bool IsValidUtf8(std::string_view text);

}  // namespace truc
