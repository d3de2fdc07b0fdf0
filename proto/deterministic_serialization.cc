#include "proto/deterministic_serialization.h"

#include <climits>

#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace truc::proto {

StatusOr<std::string> SerializeDeterministically(const google::protobuf::MessageLite& message) {
  // Sized once, written in place: a string output stream would grow the string from 16 bytes
  // by doubling, and the sizes would be computed twice.
  const size_t size = message.ByteSizeLong();
  if (size > static_cast<size_t>(INT_MAX)) {
    return InvalidArgumentError(
        fmt::format("cannot serialize {}: larger than 2 GiB", message.GetTypeName()),
        "proto.too_large");
  }
  std::string out(size, '\0');
  google::protobuf::io::ArrayOutputStream array(out.data(), static_cast<int>(size));
  google::protobuf::io::CodedOutputStream coded(&array);
  coded.SetSerializationDeterministic(true);
  message.SerializeWithCachedSizes(&coded);
  if (coded.HadError() || static_cast<size_t>(coded.ByteCount()) != size) {
    return InternalError(fmt::format("serializing {} wrote {} bytes, not the {} it measured",
                                     message.GetTypeName(), coded.ByteCount(), size),
                         "proto.serialization");
  }
  return out;
}

}  // namespace truc::proto
