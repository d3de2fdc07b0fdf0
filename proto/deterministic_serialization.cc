#include "proto/deterministic_serialization.h"

#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace truc::proto {

StatusOr<std::string> SerializeDeterministically(const google::protobuf::MessageLite& message) {
  std::string out;
  bool serialized;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    serialized = message.SerializeToCodedStream(&coded) && !coded.HadError();
  }
  if (!serialized) {
    return InvalidArgumentError(
        fmt::format("cannot serialize {}: larger than 2 GiB", message.GetTypeName()),
        "proto.too_large");
  }
  return out;
}

}  // namespace truc::proto
