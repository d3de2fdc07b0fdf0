// The deterministic serialization of a protobuf message: the bytes that signatures, hashes and
// Merkle leaves are computed over. Map entries are ordered by key, so serializing the same message
// twice (with the same schema) gives the same bytes.
#pragma once

#include <string>

#include <google/protobuf/message_lite.h>

#include "core/base/status.h"

namespace truc::proto {

// InvalidArgument ("proto.too_large") when the message is larger than protobuf's 2 GiB limit.
StatusOr<std::string> SerializeDeterministically(const google::protobuf::MessageLite& message);

}  // namespace truc::proto
