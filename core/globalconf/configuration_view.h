// A verified global configuration, indexed for the lookups a gateway makes on every request: who
// is a member, which gateways serve it and with which TLS certificates, which keys sign for it,
// which CAs and TSAs are approved, what is revoked, which services exist, who is in which group.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/base/status.h"
#include "core/crypto/certificate.h"
#include "core/crypto/trust_store.h"
#include "core/globalconf/signed_configuration.h"
#include "core/globalconf/subject_patterns.h"
#include "core/ids/identifiers.h"
#include "truc/v1/global_configuration.pb.h"

namespace truc::globalconf {

// kInvalidArgument from ConfigurationView::Create: an entry of the configuration is unusable.
inline constexpr std::string_view kInvalidEntry = "globalconf.invalid_entry";

struct SubsystemInfo {
  ids::SubsystemId id;
  std::string name;
};

struct MemberInfo {
  ids::MemberId id;
  std::string name;
  std::vector<SubsystemInfo> subsystems;  // In the configuration's order.
  std::vector<crypto::Certificate> signing_certificates;
};

struct GatewayInfo {
  ids::ServerId id;
  std::string address;                                    // host:port
  std::vector<std::string> tls_certificate_fingerprints;  // SHA-256, 32 raw bytes each.
};

struct ServiceInfo {
  ids::ServiceId id;
  v1::ServiceDescription description;  // As published.
  SubjectPatterns subjects;            // description.subject_identifiers, parsed.
};

// Immutable once built; every method is thread-safe. Pointers, spans and references it returns
// stay valid as long as the view does. Meant to be shared as a snapshot (shared_ptr): a reader
// keeps using the view it has while a newer one replaces it.
class ConfigurationView {
 public:
  // Builds the indexes. Fails with kInvalidArgument and kInvalidEntry, naming the entry (its
  // position in the configuration and, when readable, its id), for an identifier that is not
  // valid, a certificate that is not DER, a fingerprint that is not 32 bytes, a member, subsystem,
  // gateway, service, group or TLS fingerprint that appears twice, a group code that is not a
  // valid identifier part, or a configuration that approves no CA.
  static StatusOr<std::shared_ptr<const ConfigurationView>> Create(
      const VerifiedConfiguration& verified);

  const ConfigurationInfo& info() const { return info_; }
  const std::string& instance() const { return instance_; }

  // Every member, ordered by id.
  const std::map<ids::MemberId, MemberInfo>& members() const { return members_; }
  // nullptr if `id` is not a member.
  const MemberInfo* FindMember(const ids::MemberId& id) const;
  bool HasSubsystem(const ids::SubsystemId& id) const;

  // The gateways `owner` registered, ordered by id; empty if none.
  std::span<const GatewayInfo> GatewaysOf(const ids::MemberId& owner) const;
  // The gateway that registered a TLS certificate with this SHA-256 fingerprint, or nullptr.
  const GatewayInfo* FindGatewayByTlsFingerprint(std::string_view fingerprint) const;

  // Parsed, in the configuration's order.
  const std::vector<crypto::Certificate>& approved_cas() const { return trust_store_.anchors(); }
  const std::vector<crypto::Certificate>& approved_tsas() const { return approved_tsas_; }
  // SHA-256 fingerprints (crypto::Certificate::Fingerprint) of revoked certificates.
  const std::set<std::string>& revoked_fingerprints() const { return revoked_; }
  // The approved CAs as anchors, honouring the revocations: what certificate chains of members,
  // gateways and TSAs are verified against.
  const crypto::TrustStore& trust_store() const { return trust_store_; }

  // nullptr if no such service is published.
  const ServiceInfo* FindService(const ids::ServiceId& id) const;
  // The services `provider` publishes, ordered by id; empty if none.
  std::span<const ServiceInfo> ServicesOf(const ids::SubsystemId& provider) const;

  // Whether `member` belongs to the global group `group_code`; false for an unknown group.
  bool IsInGroup(std::string_view group_code, const ids::SubsystemId& member) const;

 private:
  ConfigurationView(ConfigurationInfo info, std::string instance, crypto::TrustStore trust_store,
                    std::set<std::string> revoked)
      : info_(info),
        instance_(std::move(instance)),
        revoked_(std::move(revoked)),
        trust_store_(std::move(trust_store)) {}

  // Each fills the indexes of one part of `configuration`; errors as for Create.
  Status IndexMembers(const v1::GlobalConfiguration& configuration);
  Status IndexGateways(const v1::GlobalConfiguration& configuration);
  Status IndexServices(const v1::GlobalConfiguration& configuration);
  Status IndexGroups(const v1::GlobalConfiguration& configuration);

  const ConfigurationInfo info_;
  const std::string instance_;
  std::map<ids::MemberId, MemberInfo> members_;
  std::set<ids::SubsystemId> subsystems_;
  std::vector<GatewayInfo> gateways_;  // Sorted by id, hence grouped by owner.
  std::unordered_map<std::string, size_t> gateway_by_fingerprint_;  // Index into gateways_.
  std::vector<crypto::Certificate> approved_tsas_;
  const std::set<std::string> revoked_;
  const crypto::TrustStore trust_store_;  // Anchors: the approved CAs.
  std::vector<ServiceInfo> services_;     // Sorted by id, hence grouped by provider.
  std::map<std::string, std::set<ids::SubsystemId>, std::less<>> groups_;
};

}  // namespace truc::globalconf
