#include "gateway/access/rest_path.h"

#include <cctype>
#include <charconv>
#include <cstdint>

#include <fmt/format.h>

#include "core/base/strings.h"
#include "core/base/utf8.h"
#include "core/ids/percent_encoding.h"
#include "gateway/errors.h"

namespace truc::gateway::access {
namespace {

// One segment of a path: as received, where it starts in the path, and decoded.
struct Segment {
  std::string_view raw;
  size_t offset = 0;
  std::string decoded;
};

bool IsDotSegment(std::string_view decoded) { return decoded == "." || decoded == ".."; }

// Checks the raw bytes and escapes of the segment at `offset` of a path. InvalidArgument saying
// what is wrong and where.
Status CheckRawSegment(std::string_view raw, size_t offset) {
  for (size_t i = 0; i < raw.size(); ++i) {
    const unsigned char c = raw[i];
    const size_t at = offset + i;
    if (c == '%') {
      uint8_t value = 0;
      const bool two_hex_digits = i + 2 < raw.size() &&
                                  std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
                                  std::isxdigit(static_cast<unsigned char>(raw[i + 2]));
      if (!two_hex_digits) {
        return InvalidArgumentError(
            fmt::format("invalid percent-encoding (a '%' not followed by two hex digits) at "
                        "offset {}",
                        at));
      }
      std::from_chars(raw.data() + i + 1, raw.data() + i + 3, value, 16);
      if (value == '/' || value == '\\') {
        return InvalidArgumentError(
            fmt::format("an encoded separator ({}) at offset {}", raw.substr(i, 3), at));
      }
      if (value == 0) return InvalidArgumentError(fmt::format("an encoded NUL at offset {}", at));
      i += 2;
    } else if (c == '\\') {
      return InvalidArgumentError(fmt::format("a backslash at offset {}", at));
    } else if (c == '?' || c == '#') {
      return InvalidArgumentError(
          fmt::format("a '{}' at offset {} (a query or fragment is not part of the path)",
                      static_cast<char>(c), at));
    } else if (c <= ' ' || c == 0x7f) {
      return InvalidArgumentError(
          fmt::format("a space or control character (0x{:02x}) at offset {}", c, at));
    }
  }
  return OkStatus();
}

// Splits `raw` into its segments, checked and decoded (dot segments not yet resolved).
// InvalidArgument saying what is wrong and where.
StatusOr<std::vector<Segment>> DecodeSegments(std::string_view raw) {
  if (!raw.starts_with('/')) {
    return InvalidArgumentError("the path does not start with '/'");
  }
  std::vector<Segment> segments;
  size_t offset = 1;
  for (std::string_view piece : SplitString(raw.substr(1), '/')) {
    TRUC_RETURN_IF_ERROR(CheckRawSegment(piece, offset));
    TRUC_ASSIGN_OR_RETURN(std::string decoded, ids::PercentDecode(piece));
    // Both: a raw non-ASCII byte may complete an escaped sequence ("\xC3%A9").
    if (!IsValidUtf8(piece) || !IsValidUtf8(decoded)) {
      return InvalidArgumentError(fmt::format("the segment at offset {} is not UTF-8", offset));
    }
    const size_t semicolon = piece.find(';');
    if (semicolon != std::string_view::npos && semicolon != 0 &&
        IsDotSegment(ids::PercentDecode(piece.substr(0, semicolon)).value_or(""))) {
      return InvalidArgumentError(
          fmt::format("a dot segment with parameters at offset {}", offset));
    }
    segments.push_back({.raw = piece, .offset = offset, .decoded = std::move(decoded)});
    offset += piece.size() + 1;
  }
  return segments;
}

// What a segment of an endpoint pattern stands for.
enum class PatternSegment { kLiteral, kOneSegment, kAnySegments };

PatternSegment KindOf(std::string_view segment) {
  if (segment == "**") return PatternSegment::kAnySegments;
  const bool parameter = segment.size() > 2 && segment.starts_with('{') && segment.ends_with('}');
  if (segment == "*" || parameter) return PatternSegment::kOneSegment;
  return PatternSegment::kLiteral;
}

// The segments of a pattern path (which Parse has checked starts with "/"), as written.
std::vector<std::string_view> PatternSegments(std::string_view path) {
  return SplitString(path.starts_with('/') ? path.substr(1) : path, '/');
}

// The decoded value of a literal segment of a pattern, which Parse has checked.
std::string DecodedLiteral(std::string_view segment) {
  return ids::PercentDecode(segment).value_or(std::string(segment));
}

bool IsToken(std::string_view text) {
  static constexpr std::string_view kTokenSymbols = "!#$%&'*+-.^_`|~";
  if (text.empty()) return false;
  for (const unsigned char c : text) {
    if (!std::isalnum(c) && kTokenSymbols.find(static_cast<char>(c)) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace

StatusOr<NormalizedPath> NormalizeRestPath(std::string_view raw) {
  StatusOr<std::vector<Segment>> decoded = DecodeSegments(raw);
  if (!decoded.ok()) {
    return ClientError(error_code::kBadRequest,
                       fmt::format("bad request path: {}", decoded.status().message()));
  }
  // The kept segments, as a stack: ".." pops, "." is dropped; either, when last, leaves an empty
  // segment, as a trailing slash.
  std::vector<Segment> kept;
  bool had_dot_segment = false;
  for (size_t i = 0; i < decoded->size(); ++i) {
    Segment& segment = (*decoded)[i];
    if (!IsDotSegment(segment.decoded)) {
      kept.push_back(std::move(segment));
      continue;
    }
    had_dot_segment = true;
    if (segment.decoded == "..") {
      if (kept.empty()) {
        return ClientError(error_code::kBadRequest,
                           fmt::format("bad request path: '..' at offset {} climbs above the root",
                                       segment.offset));
      }
      kept.pop_back();
    }
    if (i + 1 == decoded->size()) kept.push_back({.raw = "", .offset = segment.offset});
  }

  // The last segment is always kept (or replaced by an empty one), so `kept` is not empty.
  NormalizedPath path;
  if (had_dot_segment) {
    for (const Segment& segment : kept) path.forward += fmt::format("/{}", segment.raw);
  } else {
    path.forward = std::string(raw);
  }
  path.segments.reserve(kept.size());
  for (Segment& segment : kept) path.segments.push_back(std::move(segment.decoded));
  return path;
}

StatusOr<EndpointPattern> EndpointPattern::Parse(std::string_view method, std::string_view path) {
  if (method != "*" && !IsToken(method)) {
    return InvalidArgumentError(
        fmt::format("endpoint method '{}' is neither '*' nor an HTTP method", method),
        "gateway.bad_endpoint");
  }
  const auto bad_path = [&](std::string_view what) {
    return InvalidArgumentError(fmt::format("endpoint path '{}': {}", path, what),
                                "gateway.bad_endpoint");
  };
  StatusOr<std::vector<Segment>> segments = DecodeSegments(path);
  if (!segments.ok()) return bad_path(segments.status().message());
  for (size_t i = 0; i < segments->size(); ++i) {
    const Segment& segment = (*segments)[i];
    if (IsDotSegment(segment.decoded)) {
      return bad_path(fmt::format("a dot segment at offset {}", segment.offset));
    }
    if (segment.raw == "**" && i + 1 != segments->size()) {
      return bad_path(fmt::format("'**' at offset {} is not the last segment", segment.offset));
    }
  }
  return EndpointPattern{.method = std::string(method), .path = std::string(path)};
}

bool EndpointPattern::Matches(std::string_view request_method,
                              const NormalizedPath& request_path) const {
  if (method != "*" && method != request_method) return false;
  const std::vector<std::string_view> pattern = PatternSegments(path);
  const std::vector<std::string>& segments = request_path.segments;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const PatternSegment kind = KindOf(pattern[i]);
    if (kind == PatternSegment::kAnySegments) return true;  // Always the last.
    if (i >= segments.size()) return false;
    const bool matches = kind == PatternSegment::kOneSegment
                             ? !segments[i].empty()
                             : DecodedLiteral(pattern[i]) == segments[i];
    if (!matches) return false;
  }
  return pattern.size() == segments.size();
}

bool EndpointPattern::Covers(const EndpointPattern& other) const {
  if (method != "*" && method != other.method) return false;
  const std::vector<std::string_view> mine = PatternSegments(path);
  const std::vector<std::string_view> theirs = PatternSegments(other.path);
  for (size_t i = 0; i < mine.size(); ++i) {
    const PatternSegment kind = KindOf(mine[i]);
    if (kind == PatternSegment::kAnySegments) return true;  // Always the last.
    if (i >= theirs.size()) return false;
    const PatternSegment their_kind = KindOf(theirs[i]);
    bool covered = false;
    if (kind == PatternSegment::kOneSegment) {
      covered = their_kind == PatternSegment::kOneSegment ||
                (their_kind == PatternSegment::kLiteral && !DecodedLiteral(theirs[i]).empty());
    } else {
      covered = their_kind == PatternSegment::kLiteral &&
                DecodedLiteral(mine[i]) == DecodedLiteral(theirs[i]);
    }
    if (!covered) return false;
  }
  return mine.size() == theirs.size();
}

std::string EndpointPattern::ToString() const { return fmt::format("{} {}", method, path); }

}  // namespace truc::gateway::access
