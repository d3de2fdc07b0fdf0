// Proto3 `string` fields must hold well-formed UTF-8: protobuf serializes a message whose strings
// do not (and only logs an error), but then refuses to parse it back. Whatever must read back, an
// audit record above all, is checked with this before it is stored.
#pragma once

#include <google/protobuf/message.h>

#include "core/base/status.h"

namespace truc::proto {

// OK when every string field of `message`, its submessages included (bytes fields are not
// strings), holds well-formed UTF-8; otherwise InvalidArgument ("proto.invalid_utf8") naming the
// first field that does not, by its path ("request.headers[3].value").
Status CheckUtf8Fields(const google::protobuf::Message& message);

}  // namespace truc::proto
