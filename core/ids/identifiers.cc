#include "core/ids/identifiers.h"

#include <array>
#include <functional>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "core/base/strings.h"
#include "core/base/utf8.h"
#include "core/ids/percent_encoding.h"

namespace truc::ids {
namespace {

Status InvalidId(std::string_view kind, std::string_view encoded, std::string_view why) {
  return InvalidArgumentError(fmt::format("invalid {} id '{}': {}", kind, encoded, why),
                              "ids.malformed");
}

// Splits `encoded` on "/" and percent-decodes each part. Accepts exactly `names.size()` parts,
// or one fewer when `last_optional` is set (the missing part is returned as ""). `form` shows the
// expected layout in errors.
StatusOr<std::vector<std::string>> DecodeParts(std::string_view kind, std::string_view form,
                                               std::string_view encoded,
                                               std::span<const std::string_view> names,
                                               bool last_optional = false) {
  std::vector<std::string_view> raw = SplitString(encoded, '/');
  const size_t min_parts = last_optional ? names.size() - 1 : names.size();
  if (raw.size() < min_parts || raw.size() > names.size()) {
    return InvalidId(kind, encoded,
                     fmt::format("expected the form {}, got {} parts", form, raw.size()));
  }
  std::vector<std::string> parts;
  for (size_t i = 0; i < raw.size(); ++i) {
    StatusOr<std::string> decoded = PercentDecode(raw[i]);
    if (!decoded.ok()) {
      return InvalidId(kind, encoded, fmt::format("{}: {}", names[i], decoded.status().message()));
    }
    Status valid = ValidatePart(*decoded, names[i]);
    if (!valid.ok()) return InvalidId(kind, encoded, valid.message());
    parts.push_back(*std::move(decoded));
  }
  if (parts.size() < names.size()) parts.emplace_back();
  return parts;
}

// Mixes the hash of `value` into `seed` (the boost::hash_combine recipe, 64-bit constant).
void HashCombine(size_t& seed, const std::string& value) {
  seed ^= std::hash<std::string>()(value) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
}

constexpr std::array<std::string_view, 3> kMemberParts = {"instance", "member class",
                                                          "member code"};
constexpr std::array<std::string_view, 4> kSubsystemParts = {"instance", "member class",
                                                             "member code", "subsystem code"};
constexpr std::array<std::string_view, 6> kServiceParts = {
    "instance", "member class", "member code", "subsystem code", "service code", "version"};
constexpr std::array<std::string_view, 4> kServerParts = {"instance", "member class", "member code",
                                                          "server code"};

}  // namespace

Status ValidatePart(std::string_view part, std::string_view what) {
  const auto invalid = [&](std::string_view why) {
    return InvalidArgumentError(fmt::format("{} {}", what, why), "ids.malformed");
  };
  if (part.empty()) return invalid("is empty");
  if (part.size() > kMaxPartBytes) {
    return invalid(fmt::format("is {} bytes long; the limit is {}", part.size(), kMaxPartBytes));
  }
  for (size_t i = 0; i < part.size();) {
    const auto c = static_cast<unsigned char>(part[i]);
    if (c < 0x20 || c == 0x7f) {
      return invalid(fmt::format("contains a control character at byte {}", i));
    }
    uint32_t code_point;
    const size_t length = Utf8SequenceLength(part, i, code_point);
    if (length == 0) return invalid(fmt::format("is not valid UTF-8 at byte {}", i));
    i += length;
  }
  return OkStatus();
}

StatusOr<MemberId> MemberId::Create(std::string instance, std::string member_class,
                                    std::string member_code) {
  TRUC_RETURN_IF_ERROR(ValidatePart(instance, kMemberParts[0]));
  TRUC_RETURN_IF_ERROR(ValidatePart(member_class, kMemberParts[1]));
  TRUC_RETURN_IF_ERROR(ValidatePart(member_code, kMemberParts[2]));
  return MemberId(std::move(instance), std::move(member_class), std::move(member_code));
}

StatusOr<MemberId> MemberId::Parse(std::string_view encoded) {
  TRUC_ASSIGN_OR_RETURN(std::vector<std::string> parts,
                        DecodeParts("member", "INSTANCE/CLASS/CODE", encoded, kMemberParts));
  return MemberId(std::move(parts[0]), std::move(parts[1]), std::move(parts[2]));
}

std::string MemberId::ToString() const {
  return fmt::format("{}/{}/{}", PercentEncode(instance_), PercentEncode(member_class_),
                     PercentEncode(member_code_));
}

StatusOr<SubsystemId> SubsystemId::Create(MemberId member, std::string subsystem_code) {
  TRUC_RETURN_IF_ERROR(ValidatePart(subsystem_code, kSubsystemParts[3]));
  return SubsystemId(std::move(member), std::move(subsystem_code));
}

StatusOr<SubsystemId> SubsystemId::Parse(std::string_view encoded) {
  TRUC_ASSIGN_OR_RETURN(
      std::vector<std::string> parts,
      DecodeParts("subsystem", "INSTANCE/CLASS/CODE/SUBSYSTEM", encoded, kSubsystemParts));
  return SubsystemId(MemberId(std::move(parts[0]), std::move(parts[1]), std::move(parts[2])),
                     std::move(parts[3]));
}

std::string SubsystemId::ToString() const {
  return fmt::format("{}/{}", member_.ToString(), PercentEncode(subsystem_code_));
}

StatusOr<ServiceId> ServiceId::Create(SubsystemId provider, std::string service_code,
                                      std::string version) {
  TRUC_RETURN_IF_ERROR(ValidatePart(service_code, kServiceParts[4]));
  if (!version.empty()) TRUC_RETURN_IF_ERROR(ValidatePart(version, kServiceParts[5]));
  return ServiceId(std::move(provider), std::move(service_code), std::move(version));
}

StatusOr<ServiceId> ServiceId::Parse(std::string_view encoded) {
  TRUC_ASSIGN_OR_RETURN(std::vector<std::string> parts,
                        DecodeParts("service", "INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE[/VERSION]",
                                    encoded, kServiceParts, /*last_optional=*/true));
  MemberId member(std::move(parts[0]), std::move(parts[1]), std::move(parts[2]));
  return ServiceId(SubsystemId(std::move(member), std::move(parts[3])), std::move(parts[4]),
                   std::move(parts[5]));
}

std::string ServiceId::ToString() const {
  std::string out = fmt::format("{}/{}", provider_.ToString(), PercentEncode(service_code_));
  if (!version_.empty()) out += "/" + PercentEncode(version_);
  return out;
}

StatusOr<ServerId> ServerId::Create(MemberId owner, std::string server_code) {
  TRUC_RETURN_IF_ERROR(ValidatePart(server_code, kServerParts[3]));
  return ServerId(std::move(owner), std::move(server_code));
}

StatusOr<ServerId> ServerId::Parse(std::string_view encoded) {
  TRUC_ASSIGN_OR_RETURN(std::vector<std::string> parts,
                        DecodeParts("server", "INSTANCE/CLASS/CODE/SERVER", encoded, kServerParts));
  return ServerId(MemberId(std::move(parts[0]), std::move(parts[1]), std::move(parts[2])),
                  std::move(parts[3]));
}

std::string ServerId::ToString() const {
  return fmt::format("{}/{}", owner_.ToString(), PercentEncode(server_code_));
}

size_t MemberId::Hash() const {
  size_t seed = 0;
  HashCombine(seed, instance_);
  HashCombine(seed, member_class_);
  HashCombine(seed, member_code_);
  return seed;
}

size_t SubsystemId::Hash() const {
  size_t seed = member_.Hash();
  HashCombine(seed, subsystem_code_);
  return seed;
}

size_t ServiceId::Hash() const {
  size_t seed = provider_.Hash();
  HashCombine(seed, service_code_);
  HashCombine(seed, version_);
  return seed;
}

size_t ServerId::Hash() const {
  size_t seed = owner_.Hash();
  HashCombine(seed, server_code_);
  return seed;
}

}  // namespace truc::ids
