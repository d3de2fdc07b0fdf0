// Identifiers of the federation's actors, as in X-Road:
//
//   member     INSTANCE/MEMBERCLASS/MEMBERCODE
//   subsystem  INSTANCE/MEMBERCLASS/MEMBERCODE/SUBSYSTEM
//   service    INSTANCE/MEMBERCLASS/MEMBERCODE/SUBSYSTEM/SERVICECODE[/VERSION]
//   server     INSTANCE/MEMBERCLASS/MEMBERCODE/SERVERCODE
//
// The textual form percent-encodes each part on its own (UTF-8) and joins parts with "/", so a
// part may contain any character, "/" included. Parts hold raw, decoded values.
//
// A valid part is non-empty, at most kMaxPartBytes bytes of well-formed UTF-8, and free of control
// characters. Identifiers are values: cheap to copy, totally ordered, hashable (std::hash), and
// immutable once built. They can only be built through Create/Parse, so holding one means it is
// valid.
#pragma once

#include <compare>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "core/base/status.h"

namespace truc::ids {

inline constexpr size_t kMaxPartBytes = 255;

// Checks one raw (decoded) part. `what` names the part in the error ("member code").
Status ValidatePart(std::string_view part, std::string_view what);

class MemberId {
 public:
  // InvalidArgument naming the offending part if any part is invalid.
  static StatusOr<MemberId> Create(std::string instance, std::string member_class,
                                   std::string member_code);
  // Parses the encoded form "INSTANCE/CLASS/CODE". InvalidArgument saying what is wrong.
  static StatusOr<MemberId> Parse(std::string_view encoded);

  const std::string& instance() const { return instance_; }
  const std::string& member_class() const { return member_class_; }
  const std::string& member_code() const { return member_code_; }

  // The encoded form; Parse(ToString()) == *this.
  std::string ToString() const;

  friend auto operator<=>(const MemberId&, const MemberId&) = default;
  // Consistent with ==; for std::hash.
  size_t Hash() const;

 private:
  // Parse of the larger identifiers builds members from parts it has already validated.
  friend class SubsystemId;
  friend class ServiceId;
  friend class ServerId;

  MemberId(std::string instance, std::string member_class, std::string member_code)
      : instance_(std::move(instance)),
        member_class_(std::move(member_class)),
        member_code_(std::move(member_code)) {}

  std::string instance_;
  std::string member_class_;
  std::string member_code_;
};

class SubsystemId {
 public:
  static StatusOr<SubsystemId> Create(MemberId member, std::string subsystem_code);
  // Parses "INSTANCE/CLASS/CODE/SUBSYSTEM".
  static StatusOr<SubsystemId> Parse(std::string_view encoded);

  const MemberId& member() const { return member_; }
  const std::string& subsystem_code() const { return subsystem_code_; }
  std::string ToString() const;

  friend auto operator<=>(const SubsystemId&, const SubsystemId&) = default;
  // Consistent with ==; for std::hash.
  size_t Hash() const;

 private:
  friend class ServiceId;

  SubsystemId(MemberId member, std::string subsystem_code)
      : member_(std::move(member)), subsystem_code_(std::move(subsystem_code)) {}

  MemberId member_;
  std::string subsystem_code_;
};

class ServiceId {
 public:
  // `version` may be empty (an unversioned service); otherwise it must be a valid part.
  static StatusOr<ServiceId> Create(SubsystemId provider, std::string service_code,
                                    std::string version = "");
  // Parses "INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICECODE" or ".../SERVICECODE/VERSION".
  static StatusOr<ServiceId> Parse(std::string_view encoded);

  const SubsystemId& provider() const { return provider_; }
  const std::string& service_code() const { return service_code_; }
  const std::string& version() const { return version_; }
  std::string ToString() const;

  friend auto operator<=>(const ServiceId&, const ServiceId&) = default;
  // Consistent with ==; for std::hash.
  size_t Hash() const;

 private:
  ServiceId(SubsystemId provider, std::string service_code, std::string version)
      : provider_(std::move(provider)),
        service_code_(std::move(service_code)),
        version_(std::move(version)) {}

  SubsystemId provider_;
  std::string service_code_;
  std::string version_;
};

// A gateway ("security server" in X-Road), owned by a member.
class ServerId {
 public:
  static StatusOr<ServerId> Create(MemberId owner, std::string server_code);
  // Parses "INSTANCE/CLASS/CODE/SERVERCODE".
  static StatusOr<ServerId> Parse(std::string_view encoded);

  const MemberId& owner() const { return owner_; }
  const std::string& server_code() const { return server_code_; }
  std::string ToString() const;

  friend auto operator<=>(const ServerId&, const ServerId&) = default;
  // Consistent with ==; for std::hash.
  size_t Hash() const;

 private:
  ServerId(MemberId owner, std::string server_code)
      : owner_(std::move(owner)), server_code_(std::move(server_code)) {}

  MemberId owner_;
  std::string server_code_;
};

}  // namespace truc::ids

template <>
struct std::hash<truc::ids::MemberId> {
  size_t operator()(const truc::ids::MemberId& id) const { return id.Hash(); }
};
template <>
struct std::hash<truc::ids::SubsystemId> {
  size_t operator()(const truc::ids::SubsystemId& id) const { return id.Hash(); }
};
template <>
struct std::hash<truc::ids::ServiceId> {
  size_t operator()(const truc::ids::ServiceId& id) const { return id.Hash(); }
};
template <>
struct std::hash<truc::ids::ServerId> {
  size_t operator()(const truc::ids::ServerId& id) const { return id.Hash(); }
};
