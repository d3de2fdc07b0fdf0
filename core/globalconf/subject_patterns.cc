#include "core/globalconf/subject_patterns.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/utf8.h"
#include "core/ids/percent_encoding.h"

namespace truc::globalconf {
namespace {

Status Bad(std::string_view pattern, std::string_view why) {
  return InvalidArgumentError(fmt::format("subject identifier pattern \"{}\": {}", pattern, why),
                              std::string(kBadSubjectPattern));
}

// `text` split at every `separator`.
std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

}  // namespace

StatusOr<SubjectPatterns> SubjectPatterns::ParseAll(std::vector<std::string> patterns) {
  if (patterns.size() > kMaxPatterns) {
    return InvalidArgumentError(
        fmt::format("{} subject identifier patterns: at most {}", patterns.size(), kMaxPatterns),
        std::string(kBadSubjectPattern));
  }
  SubjectPatterns parsed;
  for (const std::string& text : patterns) {
    if (text.size() > kMaxPatternBytes) {
      return Bad(text.substr(0, 40) + "...", fmt::format("longer than {} bytes", kMaxPatternBytes));
    }
    if (!IsValidUtf8(text) || std::any_of(text.begin(), text.end(), [](char c) {
          return static_cast<unsigned char>(c) < 0x21 || c == 0x7f || c == '#' || c == '%';
        })) {
      return Bad(text, "holds a space, a control character, '#' or '%'");
    }
    Pattern pattern;
    if (text.starts_with("?")) {
      pattern.parameter = text.substr(1);
      if (pattern.parameter.empty() ||
          pattern.parameter.find_first_of("?&=/") != std::string::npos) {
        return Bad(text,
                   "a query parameter name after '?' must be non-empty, without ?, &, = or /");
      }
    } else {
      if (!text.starts_with("/") || text.size() == 1) {
        return Bad(text, "must be a path template (\"/citizens/{}\") or \"?parameter\"");
      }
      if (text.find('?') != std::string::npos) {
        return Bad(text, "a path template holds no query: declare \"?parameter\" on its own");
      }
      size_t subjects = 0;
      for (const std::string_view segment : Split(std::string_view(text).substr(1), '/')) {
        if (segment.empty()) return Bad(text, "has an empty segment");
        if (segment == "{}") {
          pattern.subject = pattern.segments.size();
          ++subjects;
        } else if (segment.find_first_of("{}") != std::string_view::npos) {
          return Bad(text, "'{' and '}' only as the segment \"{}\"");
        }
        pattern.segments.emplace_back(segment);
      }
      if (subjects != 1) return Bad(text, "needs exactly one segment \"{}\"");
    }
    parsed.patterns_.push_back(std::move(pattern));
  }
  return parsed;
}

std::vector<std::string> SubjectPatterns::Extract(std::string_view target) const {
  std::vector<std::string> found;
  if (patterns_.empty()) return found;
  const size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  std::vector<std::string_view> segments;
  if (path.starts_with("/")) segments = Split(path.substr(1), '/');
  const std::vector<std::string_view> parameters =
      query.empty() ? std::vector<std::string_view>() : Split(query, '&');

  const auto take = [&](std::string_view encoded) {
    if (found.size() >= kMaxSubjects || encoded.empty()) return;
    StatusOr<std::string> decoded = ids::PercentDecode(encoded);
    if (!decoded.ok() || decoded->empty() || decoded->size() > kMaxSubjectBytes ||
        !IsValidUtf8(*decoded)) {
      return;
    }
    if (std::find(found.begin(), found.end(), *decoded) == found.end()) {
      found.push_back(*std::move(decoded));
    }
  };
  for (const Pattern& pattern : patterns_) {
    if (!pattern.parameter.empty()) {
      for (const std::string_view parameter : parameters) {
        const size_t equals = parameter.find('=');
        if (equals != std::string_view::npos && parameter.substr(0, equals) == pattern.parameter) {
          take(parameter.substr(equals + 1));
        }
      }
      continue;
    }
    if (segments.size() < pattern.segments.size()) continue;
    bool matches = true;
    for (size_t i = 0; i < pattern.segments.size() && matches; ++i) {
      const std::string& expected = pattern.segments[i];
      matches =
          expected == "{}" || expected == "*" ? !segments[i].empty() : segments[i] == expected;
    }
    if (matches) take(segments[pattern.subject]);
  }
  return found;
}

}  // namespace truc::globalconf
