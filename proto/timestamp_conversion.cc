#include "proto/timestamp_conversion.h"

namespace truc::proto {

google::protobuf::Timestamp ToProtoTimestamp(TimePoint t) {
  const auto since_epoch =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  google::protobuf::Timestamp out;
  out.set_seconds(since_epoch / 1'000'000'000);
  out.set_nanos(static_cast<int32_t>(since_epoch % 1'000'000'000));
  return out;
}

TimePoint FromProtoTimestamp(const google::protobuf::Timestamp& t) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::seconds(t.seconds()) + std::chrono::nanoseconds(t.nanos())));
}

}  // namespace truc::proto
