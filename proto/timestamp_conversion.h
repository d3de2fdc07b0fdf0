// Conversions between TimePoint and google.protobuf.Timestamp, for every proto that carries time.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include "core/base/clock.h"

namespace truc::proto {

// Exact to the nanosecond (TimePoint's own resolution). Times before 1970 are not used.
google::protobuf::Timestamp ToProtoTimestamp(TimePoint t);
// A time beyond what TimePoint holds (about 1678 to 2262) gives TimePoint::min() or max().
TimePoint FromProtoTimestamp(const google::protobuf::Timestamp& t);

}  // namespace truc::proto
