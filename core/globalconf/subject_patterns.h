// Where a service's requests name their subject: the citizen, parcel or enterprise whose data is
// read. A service declares it in the catalog (ServiceDescription.subject_identifiers), and
// gateways index their audit logs by the identifiers it finds, so that "who read citizen X"
// is answered from an index, not by scanning every path (docs/auditor-guide.md).
//
// A pattern is either
//   - a path template: "/" then segments, exactly one of them "{}" (the identifier), the others
//     literal or "*" (any one segment). It matches a path that begins with as many segments,
//     each as the template says: "/citizens/{}" finds "079123456789" in
//     "/citizens/079123456789" and in "/citizens/079123456789/address";
//   - "?name": the value of each query parameter `name`.
// Identifiers are percent-decoded; an empty one, or one that does not decode, is not taken.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"

namespace truc::globalconf {

// kInvalidArgument from SubjectPatterns::Parse.
inline constexpr std::string_view kBadSubjectPattern = "globalconf.bad_subject_pattern";

// A value type; thread-safe to share.
class SubjectPatterns {
 public:
  // At most this many patterns per service, each at most kMaxPatternBytes.
  static constexpr size_t kMaxPatterns = 16;
  static constexpr size_t kMaxPatternBytes = 256;
  // At most this many identifiers are taken from one request.
  static constexpr size_t kMaxSubjects = 8;
  // An identifier longer than this is not taken (an id number, not a document).
  static constexpr size_t kMaxSubjectBytes = 128;

  SubjectPatterns() = default;

  // kInvalidArgument (kBadSubjectPattern) naming the first pattern that is not one of the forms
  // above, or when there are too many or one is too long.
  template <typename Strings>
  static StatusOr<SubjectPatterns> Parse(const Strings& patterns) {
    std::vector<std::string> copied(patterns.begin(), patterns.end());
    return ParseAll(std::move(copied));
  }

  // The identifiers `target` names (a request's path, with its query if any, as received), each
  // once, in the order of the patterns that find them; at most kMaxSubjects.
  std::vector<std::string> Extract(std::string_view target) const;

  bool empty() const { return patterns_.empty(); }

 private:
  struct Pattern {
    std::vector<std::string> segments;  // For a template: literal, "*" or "{}".
    size_t subject = 0;                 // The index of "{}" among them.
    std::string parameter;              // For "?name"; empty for a template.
  };

  static StatusOr<SubjectPatterns> ParseAll(std::vector<std::string> patterns);

  std::vector<Pattern> patterns_;
};

}  // namespace truc::globalconf
