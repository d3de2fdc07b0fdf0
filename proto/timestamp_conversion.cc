#include "proto/timestamp_conversion.h"

#include <algorithm>
#include <cstdint>
#include <limits>

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
  // A time TimePoint cannot hold (before about 1678 or after about 2262: nothing Trục writes,
  // but a hostile or damaged message may say so) becomes the nearest it can, instead of
  // overflowing.
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1'000'000'000 - 1;
  if (t.seconds() > kMaxSeconds) return TimePoint::max();
  if (t.seconds() < -kMaxSeconds) return TimePoint::min();
  const int64_t nanos = std::clamp<int64_t>(t.nanos(), -999'999'999, 999'999'999);
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::seconds(t.seconds()) + std::chrono::nanoseconds(nanos)));
}

}  // namespace truc::proto
