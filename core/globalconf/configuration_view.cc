#include "core/globalconf/configuration_view.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/encoding.h"
#include "core/crypto/digest.h"
#include "core/ids/id_proto.h"

namespace truc::globalconf {
namespace {

using google::protobuf::RepeatedPtrField;

Status InvalidEntry(std::string_view entry, std::string_view problem) {
  return InvalidArgumentError(fmt::format("{}: {}", entry, problem), std::string(kInvalidEntry));
}

// "members[2]", or "members[2] (VN/GOV/000100)" once the entry's id is known.
std::string EntryName(std::string_view field, int index) {
  return fmt::format("{}[{}]", field, index);
}
template <typename Id>
std::string EntryName(std::string_view field, int index, const Id& id) {
  return fmt::format("{}[{}] ({})", field, index, id.ToString());
}

// The id of the entry `field`[`index`], or an error naming the entry.
template <typename ProtoId>
auto EntryId(const ProtoId& id, std::string_view field, int index) -> decltype(ids::FromProto(id)) {
  decltype(ids::FromProto(id)) parsed = ids::FromProto(id);
  if (!parsed.ok()) return InvalidEntry(EntryName(field, index), parsed.status().message());
  return parsed;
}

StatusOr<std::vector<crypto::Certificate>> ParseCertificates(
    const RepeatedPtrField<std::string>& ders, std::string_view field) {
  std::vector<crypto::Certificate> certs;
  for (int i = 0; i < ders.size(); ++i) {
    StatusOr<crypto::Certificate> cert = crypto::Certificate::FromDer(ders[i]);
    if (!cert.ok()) return InvalidEntry(EntryName(field, i), cert.status().message());
    certs.push_back(*std::move(cert));
  }
  return certs;
}

Status CheckFingerprint(const std::string& fingerprint, std::string_view entry) {
  if (fingerprint.size() == crypto::DigestSize(crypto::DigestAlgorithm::kSha256)) return OkStatus();
  return InvalidEntry(
      entry, fmt::format("a SHA-256 fingerprint has 32 bytes, not {}", fingerprint.size()));
}

// Sorts `entries` by id and fails, naming the id, if one appears twice. `what` names the kind.
template <typename Entry>
Status SortUnique(std::vector<Entry>& entries, std::string_view what) {
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.id < b.id; });
  const auto twice = std::adjacent_find(
      entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.id == b.id; });
  if (twice == entries.end()) return OkStatus();
  return InvalidEntry(fmt::format("{} {}", what, twice->id.ToString()), "appears twice");
}

}  // namespace

StatusOr<std::shared_ptr<const ConfigurationView>> ConfigurationView::Create(
    const VerifiedConfiguration& verified) {
  const v1::GlobalConfiguration& configuration = verified.configuration;
  TRUC_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> cas,
                        ParseCertificates(configuration.approved_cas(), "approved_cas"));
  if (cas.empty()) return InvalidEntry("approved_cas", "the configuration approves no CA");
  std::set<std::string> revoked;
  for (int i = 0; i < configuration.revoked_certificate_fingerprints_size(); ++i) {
    const std::string& fingerprint = configuration.revoked_certificate_fingerprints(i);
    TRUC_RETURN_IF_ERROR(
        CheckFingerprint(fingerprint, EntryName("revoked_certificate_fingerprints", i)));
    revoked.insert(fingerprint);
  }
  TRUC_ASSIGN_OR_RETURN(crypto::TrustStore trust_store,
                        crypto::TrustStore::Create(std::move(cas), revoked));

  std::shared_ptr<ConfigurationView> view(new ConfigurationView(
      verified.info, configuration.instance(), std::move(trust_store), std::move(revoked)));
  TRUC_ASSIGN_OR_RETURN(view->approved_tsas_,
                        ParseCertificates(configuration.approved_tsas(), "approved_tsas"));
  TRUC_RETURN_IF_ERROR(view->IndexMembers(configuration));
  TRUC_RETURN_IF_ERROR(view->IndexGateways(configuration));
  TRUC_RETURN_IF_ERROR(view->IndexServices(configuration));
  TRUC_RETURN_IF_ERROR(view->IndexGroups(configuration));
  return std::shared_ptr<const ConfigurationView>(std::move(view));
}

Status ConfigurationView::IndexMembers(const v1::GlobalConfiguration& configuration) {
  for (int i = 0; i < configuration.members_size(); ++i) {
    const v1::Member& member = configuration.members(i);
    TRUC_ASSIGN_OR_RETURN(ids::MemberId id, EntryId(member.id(), "members", i));
    const std::string entry = EntryName("members", i, id);
    const auto [it, inserted] = members_.try_emplace(id, MemberInfo{id, member.name(), {}, {}});
    if (!inserted) return InvalidEntry(entry, "appears twice");
    MemberInfo& info = it->second;
    for (int k = 0; k < member.subsystems_size(); ++k) {
      const v1::Subsystem& subsystem = member.subsystems(k);
      StatusOr<ids::SubsystemId> subsystem_id =
          ids::SubsystemId::Create(id, subsystem.subsystem_code());
      if (!subsystem_id.ok()) {
        return InvalidEntry(fmt::format("{}.subsystems[{}]", entry, k),
                            subsystem_id.status().message());
      }
      if (!subsystems_.insert(*subsystem_id).second) {
        return InvalidEntry(
            fmt::format("{}.subsystems[{}] ({})", entry, k, subsystem_id->ToString()),
            "appears twice");
      }
      info.subsystems.push_back({*std::move(subsystem_id), subsystem.name()});
    }
    TRUC_ASSIGN_OR_RETURN(
        info.signing_certificates,
        ParseCertificates(member.signing_certificates(), entry + ".signing_certificates"));
  }
  return OkStatus();
}

Status ConfigurationView::IndexGateways(const v1::GlobalConfiguration& configuration) {
  for (int i = 0; i < configuration.gateways_size(); ++i) {
    const v1::Gateway& gateway = configuration.gateways(i);
    TRUC_ASSIGN_OR_RETURN(ids::ServerId id, EntryId(gateway.id(), "gateways", i));
    const std::string entry = EntryName("gateways", i, id);
    std::vector<std::string> fingerprints;
    for (int k = 0; k < gateway.tls_certificate_fingerprints_size(); ++k) {
      const std::string& fingerprint = gateway.tls_certificate_fingerprints(k);
      TRUC_RETURN_IF_ERROR(CheckFingerprint(
          fingerprint, fmt::format("{}.tls_certificate_fingerprints[{}]", entry, k)));
      fingerprints.push_back(fingerprint);
    }
    gateways_.push_back({std::move(id), gateway.address(), std::move(fingerprints)});
  }
  TRUC_RETURN_IF_ERROR(SortUnique(gateways_, "gateway"));
  for (size_t i = 0; i < gateways_.size(); ++i) {
    for (const std::string& fingerprint : gateways_[i].tls_certificate_fingerprints) {
      const auto [it, inserted] = gateway_by_fingerprint_.emplace(fingerprint, i);
      if (!inserted) {
        return InvalidEntry(
            fmt::format("TLS certificate fingerprint {}", HexEncode(fingerprint)),
            fmt::format("registered for both gateway {} and gateway {}",
                        gateways_[it->second].id.ToString(), gateways_[i].id.ToString()));
      }
    }
  }
  return OkStatus();
}

Status ConfigurationView::IndexServices(const v1::GlobalConfiguration& configuration) {
  for (int i = 0; i < configuration.services_size(); ++i) {
    const v1::ServiceDescription& service = configuration.services(i);
    TRUC_ASSIGN_OR_RETURN(ids::ServiceId id, EntryId(service.id(), "services", i));
    StatusOr<SubjectPatterns> subjects = SubjectPatterns::Parse(service.subject_identifiers());
    if (!subjects.ok()) {
      return InvalidEntry(fmt::format("services[{}] ({})", i, id.ToString()),
                          subjects.status().message());
    }
    services_.push_back({std::move(id), service, *std::move(subjects)});
  }
  return SortUnique(services_, "service");
}

Status ConfigurationView::IndexGroups(const v1::GlobalConfiguration& configuration) {
  for (int i = 0; i < configuration.groups_size(); ++i) {
    const v1::GlobalGroup& group = configuration.groups(i);
    if (Status valid = ids::ValidatePart(group.code(), "global group code"); !valid.ok()) {
      return InvalidEntry(EntryName("groups", i), valid.message());
    }
    const std::string entry = fmt::format("groups[{}] ({})", i, group.code());
    std::set<ids::SubsystemId> members;
    for (int k = 0; k < group.members_size(); ++k) {
      TRUC_ASSIGN_OR_RETURN(ids::SubsystemId member,
                            EntryId(group.members(k), entry + ".members", k));
      members.insert(std::move(member));
    }
    if (!groups_.emplace(group.code(), std::move(members)).second) {
      return InvalidEntry(entry, "appears twice");
    }
  }
  return OkStatus();
}

const MemberInfo* ConfigurationView::FindMember(const ids::MemberId& id) const {
  const auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}

bool ConfigurationView::HasSubsystem(const ids::SubsystemId& id) const {
  return subsystems_.count(id) != 0;
}

std::span<const GatewayInfo> ConfigurationView::GatewaysOf(const ids::MemberId& owner) const {
  struct ByOwner {
    bool operator()(const GatewayInfo& g, const ids::MemberId& m) const { return g.id.owner() < m; }
    bool operator()(const ids::MemberId& m, const GatewayInfo& g) const { return m < g.id.owner(); }
  };
  const auto [first, last] = std::equal_range(gateways_.begin(), gateways_.end(), owner, ByOwner{});
  return {first, last};
}

const GatewayInfo* ConfigurationView::FindGatewayByTlsFingerprint(
    std::string_view fingerprint) const {
  const auto it = gateway_by_fingerprint_.find(std::string(fingerprint));
  return it == gateway_by_fingerprint_.end() ? nullptr : &gateways_[it->second];
}

const ServiceInfo* ConfigurationView::FindService(const ids::ServiceId& id) const {
  const auto it = std::lower_bound(
      services_.begin(), services_.end(), id,
      [](const ServiceInfo& service, const ids::ServiceId& wanted) { return service.id < wanted; });
  return it != services_.end() && it->id == id ? &*it : nullptr;
}

std::span<const ServiceInfo> ConfigurationView::ServicesOf(const ids::SubsystemId& provider) const {
  struct ByProvider {
    bool operator()(const ServiceInfo& s, const ids::SubsystemId& p) const {
      return s.id.provider() < p;
    }
    bool operator()(const ids::SubsystemId& p, const ServiceInfo& s) const {
      return p < s.id.provider();
    }
  };
  const auto [first, last] =
      std::equal_range(services_.begin(), services_.end(), provider, ByProvider{});
  return {first, last};
}

bool ConfigurationView::IsInGroup(std::string_view group_code,
                                  const ids::SubsystemId& member) const {
  const auto it = groups_.find(group_code);
  return it != groups_.end() && it->second.count(member) != 0;
}

}  // namespace truc::globalconf
