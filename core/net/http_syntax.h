// The syntax of HTTP/1.1 message parts (RFC 9110, RFC 9112), for checking values that arrive by
// other routes (the gRPC API, a peer gateway, a backend's gRPC status) before they become part of
// an HTTP message. Beast does not check the names, values and targets it writes, so a value with
// CR or LF in it would split the message: whoever builds a request or response from outside data
// checks it with these first.
#pragma once

#include <string_view>

namespace truc::net {

// RFC 9110 token: one or more of ALPHA, DIGIT and !#$%&'*+-.^_`|~ (field names, methods).
bool IsHttpToken(std::string_view text);

// RFC 9110 field-value: visible ASCII, space, horizontal tab and bytes 0x80-0xFF (obs-text), with
// no leading or trailing whitespace; never CR, LF, NUL or another control character.
bool IsHttpFieldValue(std::string_view text);

// An origin-form request target (RFC 9112 section 3.2.1): "/" first, then visible ASCII or bytes
// 0x80-0xFF; never a space or a control character.
bool IsOriginFormTarget(std::string_view text);

}  // namespace truc::net
