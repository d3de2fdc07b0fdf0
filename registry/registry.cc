#include "registry/registry.h"

#include <algorithm>
#include <span>
#include <utility>

#include <fmt/format.h>

#include "core/base/encoding.h"
#include "core/crypto/certificate.h"
#include "core/crypto/trust_store.h"
#include "core/globalconf/subject_patterns.h"
#include "core/ids/id_proto.h"
#include "core/pki/certificate_profiles.h"
#include "proto/timestamp_conversion.h"

namespace truc::registry {
namespace {

constexpr std::string_view kStateKey = "registry/state";

// A configuration's issued_at lies this far before the moment of issue, so that a gateway whose
// clock is slightly behind the registry's still accepts it at once.
constexpr std::chrono::minutes kClockSkewAllowance{5};

template <typename Id>
bool SameId(const Id& a, const Id& b) {
  return a.SerializeAsString() == b.SerializeAsString();
}

// The member entry with `id`, or nullptr.
const v1::Member* FindMember(const v1::GlobalConfiguration& config, const v1::MemberId& id) {
  for (const v1::Member& member : config.members()) {
    if (SameId(member.id(), id)) return &member;
  }
  return nullptr;
}

v1::Member* FindMember(v1::GlobalConfiguration& config, const v1::MemberId& id) {
  return const_cast<v1::Member*>(FindMember(std::as_const(config), id));
}

StatusOr<crypto::TrustStore> ApprovedCas(const v1::GlobalConfiguration& config) {
  std::vector<crypto::Certificate> anchors;
  for (const std::string& der : config.approved_cas()) {
    TRUC_ASSIGN_OR_RETURN(crypto::Certificate ca, crypto::Certificate::FromDer(der));
    anchors.push_back(std::move(ca));
  }
  if (anchors.empty()) {
    return FailedPreconditionError("no approved CA is registered yet; add one first",
                                   "registry.no_approved_ca");
  }
  std::set<std::string> revoked(config.revoked_certificate_fingerprints().begin(),
                                config.revoked_certificate_fingerprints().end());
  return crypto::TrustStore::Create(std::move(anchors), std::move(revoked));
}

// Parses `der` and checks that it chains to an approved CA at `now`, through the DER
// certificates in `intermediates` if needed.
StatusOr<crypto::Certificate> CertificateFromApprovedCa(
    const v1::GlobalConfiguration& config, const std::string& der, std::string_view what,
    TimePoint now, std::span<const std::string> intermediates = {}) {
  StatusOr<crypto::Certificate> cert = crypto::Certificate::FromDer(der);
  if (!cert.ok()) return cert.status().Annotate(what);
  std::vector<crypto::Certificate> issuers;
  for (const std::string& issuer_der : intermediates) {
    StatusOr<crypto::Certificate> issuer = crypto::Certificate::FromDer(issuer_der);
    if (!issuer.ok()) return issuer.status().Annotate(fmt::format("{}'s chain", what));
    issuers.push_back(*std::move(issuer));
  }
  TRUC_ASSIGN_OR_RETURN(crypto::TrustStore cas, ApprovedCas(config));
  const Status chained = cas.VerifyChain(*cert, issuers, now).status();
  if (!chained.ok()) {
    return FailedPreconditionError(
        fmt::format("{} is not from an approved CA: {}", what, chained.message()),
        "registry.not_from_approved_ca");
  }
  return cert;
}

Status CheckMemberInstance(const std::string& instance, const ids::MemberId& member) {
  if (member.instance() != instance) {
    return InvalidArgumentError(fmt::format("member {} belongs to instance '{}', but this registry "
                                            "serves instance '{}'",
                                            member.ToString(), member.instance(), instance),
                                "registry.wrong_instance");
  }
  return OkStatus();
}

Status UnknownMember(const ids::MemberId& member) {
  return NotFoundError(fmt::format("unknown member {}", member.ToString()),
                       "registry.unknown_member");
}

bool HasSubsystem(const v1::Member& member, const std::string& code) {
  return std::any_of(member.subsystems().begin(), member.subsystems().end(),
                     [&](const v1::Subsystem& s) { return s.subsystem_code() == code; });
}

// Checks that the subsystem is registered; returns its parsed id.
StatusOr<ids::SubsystemId> RegisteredSubsystem(v1::GlobalConfiguration& config,
                                               const v1::SubsystemId& proto) {
  TRUC_ASSIGN_OR_RETURN(ids::SubsystemId id, ids::FromProto(proto));
  v1::Member* member = FindMember(config, proto.member());
  if (member == nullptr) return UnknownMember(id.member());
  if (!HasSubsystem(*member, id.subsystem_code())) {
    return NotFoundError(fmt::format("unknown subsystem {}", id.ToString()),
                         "registry.unknown_subsystem");
  }
  return id;
}

v1::GlobalGroup* FindGroup(v1::GlobalConfiguration& config, const std::string& code) {
  for (v1::GlobalGroup& group : *config.mutable_groups()) {
    if (group.code() == code) return &group;
  }
  return nullptr;
}

}  // namespace

StatusOr<std::unique_ptr<Registry>> Registry::Open(storage::KeyValueStore& store,
                                                   RegistryOptions options, const Clock& clock) {
  TRUC_RETURN_IF_ERROR(ids::ValidatePart(options.instance, "instance"));
  v1::RegistryState state;
  TRUC_ASSIGN_OR_RETURN(std::optional<std::string> stored, store.Get(kStateKey));
  if (stored) {
    if (!state.ParseFromString(*stored)) {
      return DataLossError("the registry's stored state is corrupt", "registry.corrupt_state");
    }
    if (state.configuration().instance() != options.instance) {
      return FailedPreconditionError(
          fmt::format("the database holds instance '{}', but the configuration says '{}'",
                      state.configuration().instance(), options.instance),
          "registry.wrong_instance");
    }
  } else {
    state.mutable_configuration()->set_instance(options.instance);
    state.set_next_application_id(1);
  }
  return std::unique_ptr<Registry>(
      new Registry(store, std::move(options), clock, std::move(state)));
}

void Registry::OnChange(std::function<void(const v1::GlobalConfiguration&)> listener) {
  listener_ = std::move(listener);
}

v1::GlobalConfiguration Registry::Configuration() const {
  std::lock_guard lock(mu_);
  return state_.configuration();
}

std::vector<v1::ApplicationRecord> Registry::ListApplications(bool pending_only) const {
  std::lock_guard lock(mu_);
  std::vector<v1::ApplicationRecord> out;
  for (const v1::ApplicationRecord& record : state_.applications()) {
    if (!pending_only || record.state() == v1::APPLICATION_STATE_PENDING) out.push_back(record);
  }
  return out;
}

StatusOr<uint64_t> Registry::Change(const std::function<Status(v1::RegistryState&)>& mutate) {
  v1::GlobalConfiguration published;
  {
    std::lock_guard lock(mu_);
    v1::RegistryState next = state_;
    TRUC_RETURN_IF_ERROR(mutate(next));
    v1::GlobalConfiguration& config = *next.mutable_configuration();
    const TimePoint now = clock_.Now();
    config.set_version(state_.configuration().version() + 1);
    *config.mutable_issued_at() = proto::ToProtoTimestamp(now - kClockSkewAllowance);
    *config.mutable_expires_at() = proto::ToProtoTimestamp(now + options_.configuration_validity);
    storage::WriteBatch batch;
    batch.Put(std::string(kStateKey), next.SerializeAsString());
    TRUC_RETURN_IF_ERROR(store_.Write(batch, /*sync=*/true).Annotate("cannot save the change"));
    state_ = std::move(next);
    published = state_.configuration();
  }
  if (listener_) listener_(published);
  return published.version();
}

StatusOr<uint64_t> Registry::Reissue() {
  return Change([](v1::RegistryState&) { return OkStatus(); });
}

StatusOr<uint64_t> Registry::RegisterMember(const v1::RegisterMemberRequest& request) {
  return Change([&](v1::RegistryState& state) -> Status {
    TRUC_ASSIGN_OR_RETURN(ids::MemberId id, ids::FromProto(request.id()));
    TRUC_RETURN_IF_ERROR(CheckMemberInstance(options_.instance, id));
    if (request.name().empty()) {
      return InvalidArgumentError(fmt::format("member {} needs a name", id.ToString()),
                                  "registry.missing_name");
    }
    v1::GlobalConfiguration& config = *state.mutable_configuration();
    if (FindMember(config, request.id()) != nullptr) {
      return AlreadyExistsError(fmt::format("member {} is already registered", id.ToString()),
                                "registry.duplicate");
    }
    v1::Member* member = config.add_members();
    *member->mutable_id() = ids::ToProto(id);
    member->set_name(request.name());
    return OkStatus();
  });
}

StatusOr<uint64_t> Registry::RegisterSubsystem(const v1::RegisterSubsystemRequest& request) {
  return Change([&](v1::RegistryState& state) -> Status {
    TRUC_ASSIGN_OR_RETURN(ids::SubsystemId id, ids::FromProto(request.id()));
    v1::Member* member = FindMember(*state.mutable_configuration(), request.id().member());
    if (member == nullptr) return UnknownMember(id.member());
    if (HasSubsystem(*member, id.subsystem_code())) {
      return AlreadyExistsError(fmt::format("subsystem {} is already registered", id.ToString()),
                                "registry.duplicate");
    }
    v1::Subsystem* subsystem = member->add_subsystems();
    subsystem->set_subsystem_code(id.subsystem_code());
    subsystem->set_name(request.name());
    return OkStatus();
  });
}

StatusOr<uint64_t> Registry::AddApprovedCa(const std::string& certificate_der) {
  return Change([&](v1::RegistryState& state) -> Status {
    StatusOr<crypto::Certificate> ca = crypto::Certificate::FromDer(certificate_der);
    if (!ca.ok()) return ca.status().Annotate("CA certificate");
    if (!ca->IsCa()) {
      return InvalidArgumentError(fmt::format("'{}' is not a CA certificate", ca->subject()),
                                  "registry.not_a_ca");
    }
    v1::GlobalConfiguration& config = *state.mutable_configuration();
    for (const std::string& existing : config.approved_cas()) {
      if (existing == certificate_der) {
        return AlreadyExistsError(fmt::format("CA '{}' is already approved", ca->subject()),
                                  "registry.duplicate");
      }
    }
    config.add_approved_cas(certificate_der);
    return OkStatus();
  });
}

StatusOr<uint64_t> Registry::AddApprovedTsa(const std::string& certificate_der) {
  return Change([&](v1::RegistryState& state) -> Status {
    v1::GlobalConfiguration& config = *state.mutable_configuration();
    TRUC_ASSIGN_OR_RETURN(
        crypto::Certificate tsa,
        CertificateFromApprovedCa(config, certificate_der, "TSA certificate", clock_.Now()));
    if (pki::GuessProfile(tsa) != pki::Profile::kTimestampAuthority) {
      return InvalidArgumentError(
          fmt::format("'{}' is not a timestamping certificate", tsa.subject()),
          "registry.wrong_profile");
    }
    for (const std::string& existing : config.approved_tsas()) {
      if (existing == certificate_der) {
        return AlreadyExistsError(fmt::format("TSA '{}' is already approved", tsa.subject()),
                                  "registry.duplicate");
      }
    }
    config.add_approved_tsas(certificate_der);
    return OkStatus();
  });
}

StatusOr<uint64_t> Registry::RevokeCertificate(const v1::RevokeCertificateRequest& request) {
  return Change([&](v1::RegistryState& state) -> Status {
    if (request.fingerprint().size() != 32) {
      return InvalidArgumentError(
          fmt::format("a certificate fingerprint is 32 bytes (SHA-256), not {}",
                      request.fingerprint().size()),
          "registry.bad_fingerprint");
    }
    v1::GlobalConfiguration& config = *state.mutable_configuration();
    for (const std::string& revoked : config.revoked_certificate_fingerprints()) {
      if (revoked == request.fingerprint()) {
        return AlreadyExistsError(
            fmt::format("certificate {} is already revoked", HexEncode(request.fingerprint())),
            "registry.duplicate");
      }
    }
    config.add_revoked_certificate_fingerprints(request.fingerprint());
    return OkStatus();
  });
}

StatusOr<uint64_t> Registry::PublishService(const v1::ServiceDescription& service) {
  return Change([&](v1::RegistryState& state) -> Status {
    v1::GlobalConfiguration& config = *state.mutable_configuration();
    TRUC_ASSIGN_OR_RETURN(ids::ServiceId id, ids::FromProto(service.id()));
    TRUC_RETURN_IF_ERROR(RegisteredSubsystem(config, service.id().provider()).status());
    if (service.kind() == v1::SERVICE_KIND_UNSPECIFIED) {
      return InvalidArgumentError(
          fmt::format("service {} needs a kind (REST, OPENAPI or GRPC)", id.ToString()),
          "registry.missing_kind");
    }
    if (service.classification() == v1::DATA_CLASSIFICATION_UNSPECIFIED) {
      return InvalidArgumentError(
          fmt::format("service {} needs a data classification", id.ToString()),
          "registry.missing_classification");
    }
    if (const StatusOr<globalconf::SubjectPatterns> subjects =
            globalconf::SubjectPatterns::Parse(service.subject_identifiers());
        !subjects.ok()) {
      return subjects.status().Annotate(fmt::format("service {}", id.ToString()));
    }
    for (v1::ServiceDescription& existing : *config.mutable_services()) {
      if (SameId(existing.id(), service.id())) {
        existing = service;  // An update.
        return OkStatus();
      }
    }
    *config.add_services() = service;
    return OkStatus();
  });
}

StatusOr<uint64_t> Registry::WithdrawService(const v1::ServiceId& id) {
  return Change([&](v1::RegistryState& state) -> Status {
    TRUC_ASSIGN_OR_RETURN(ids::ServiceId parsed, ids::FromProto(id));
    auto* services = state.mutable_configuration()->mutable_services();
    const auto it =
        std::find_if(services->begin(), services->end(),
                     [&](const v1::ServiceDescription& s) { return SameId(s.id(), id); });
    if (it == services->end()) {
      return NotFoundError(fmt::format("unknown service {}", parsed.ToString()),
                           "registry.unknown_service");
    }
    services->erase(it);
    return OkStatus();
  });
}

StatusOr<uint64_t> Registry::CreateGroup(const v1::GroupRequest& request) {
  return Change([&](v1::RegistryState& state) -> Status {
    TRUC_RETURN_IF_ERROR(ids::ValidatePart(request.code(), "group code"));
    v1::GlobalConfiguration& config = *state.mutable_configuration();
    if (FindGroup(config, request.code()) != nullptr) {
      return AlreadyExistsError(fmt::format("group '{}' already exists", request.code()),
                                "registry.duplicate");
    }
    v1::GlobalGroup* group = config.add_groups();
    group->set_code(request.code());
    group->set_description(request.description());
    return OkStatus();
  });
}

StatusOr<uint64_t> Registry::AddGroupMember(const v1::GroupMemberRequest& request) {
  return Change([&](v1::RegistryState& state) -> Status {
    v1::GlobalConfiguration& config = *state.mutable_configuration();
    TRUC_ASSIGN_OR_RETURN(ids::SubsystemId id, RegisteredSubsystem(config, request.member()));
    v1::GlobalGroup* group = FindGroup(config, request.group_code());
    if (group == nullptr) {
      return NotFoundError(fmt::format("unknown group '{}'", request.group_code()),
                           "registry.unknown_group");
    }
    for (const v1::SubsystemId& existing : group->members()) {
      if (SameId(existing, request.member())) {
        return AlreadyExistsError(
            fmt::format("{} is already in group '{}'", id.ToString(), request.group_code()),
            "registry.duplicate");
      }
    }
    *group->add_members() = request.member();
    return OkStatus();
  });
}

StatusOr<uint64_t> Registry::RemoveGroupMember(const v1::GroupMemberRequest& request) {
  return Change([&](v1::RegistryState& state) -> Status {
    TRUC_ASSIGN_OR_RETURN(ids::SubsystemId id, ids::FromProto(request.member()));
    v1::GlobalGroup* group = FindGroup(*state.mutable_configuration(), request.group_code());
    if (group == nullptr) {
      return NotFoundError(fmt::format("unknown group '{}'", request.group_code()),
                           "registry.unknown_group");
    }
    auto* members = group->mutable_members();
    const auto it = std::find_if(members->begin(), members->end(), [&](const v1::SubsystemId& s) {
      return SameId(s, request.member());
    });
    if (it == members->end()) {
      return NotFoundError(
          fmt::format("{} is not in group '{}'", id.ToString(), request.group_code()),
          "registry.not_in_group");
    }
    members->erase(it);
    return OkStatus();
  });
}

Status Registry::ApplyApplication(v1::RegistryState& state,
                                  const v1::Application& application) const {
  v1::GlobalConfiguration& config = *state.mutable_configuration();
  TRUC_ASSIGN_OR_RETURN(ids::MemberId member_id, ids::FromProto(application.member()));
  v1::Member* member = FindMember(config, application.member());
  if (member == nullptr) return UnknownMember(member_id);
  const TimePoint now = clock_.Now();

  if (application.has_gateway()) {
    const v1::Gateway& gateway = application.gateway();
    TRUC_ASSIGN_OR_RETURN(ids::ServerId server, ids::FromProto(gateway.id()));
    if (server.owner() != member_id) {
      return InvalidArgumentError(fmt::format("gateway {} does not belong to member {}",
                                              server.ToString(), member_id.ToString()),
                                  "registry.wrong_owner");
    }
    if (gateway.address().empty() || gateway.address().find(':') == std::string::npos) {
      return InvalidArgumentError(fmt::format("gateway {} needs an address as host:port, not '{}'",
                                              server.ToString(), gateway.address()),
                                  "registry.bad_address");
    }
    if (gateway.tls_certificate_fingerprints().empty()) {
      return InvalidArgumentError(
          fmt::format("gateway {} needs a TLS certificate fingerprint", server.ToString()),
          "registry.missing_certificate");
    }
    for (const std::string& fingerprint : gateway.tls_certificate_fingerprints()) {
      if (fingerprint.size() != 32) {
        return InvalidArgumentError("a TLS certificate fingerprint is 32 bytes (SHA-256)",
                                    "registry.bad_fingerprint");
      }
    }
    for (v1::Gateway& existing : *config.mutable_gateways()) {
      if (SameId(existing.id(), gateway.id())) {
        existing = gateway;  // Re-registration: new address or rotated certificate.
        return OkStatus();
      }
    }
    *config.add_gateways() = gateway;
    return OkStatus();
  }

  if (application.signing_certificate().empty()) {
    return InvalidArgumentError("the application names neither a gateway nor a certificate",
                                "registry.empty_application");
  }
  TRUC_ASSIGN_OR_RETURN(crypto::Certificate cert,
                        CertificateFromApprovedCa(config, application.signing_certificate(),
                                                  "signing certificate", now));
  TRUC_ASSIGN_OR_RETURN(ids::MemberId holder, pki::MemberIdFromSigningCertificate(cert));
  if (holder != member_id) {
    return InvalidArgumentError(fmt::format("the signing certificate belongs to {}, not to {}",
                                            holder.ToString(), member_id.ToString()),
                                "registry.wrong_owner");
  }
  for (const std::string& existing : member->signing_certificates()) {
    if (existing == application.signing_certificate()) {
      return AlreadyExistsError(
          fmt::format("this signing certificate of {} is already registered", member_id.ToString()),
          "registry.duplicate");
    }
  }
  member->add_signing_certificates(application.signing_certificate());
  return OkStatus();
}

StatusOr<v1::ApplicationRecord> Registry::SubmitApplication(
    const v1::SignedApplication& signed_application) {
  v1::Application application;
  if (!application.ParseFromString(signed_application.application())) {
    return InvalidArgumentError("the application is not a valid Application message",
                                "registry.malformed_application");
  }
  if (signed_application.signer_certificate_chain().empty()) {
    return InvalidArgumentError("the application carries no signer certificate",
                                "registry.malformed_application");
  }
  const v1::GlobalConfiguration config = Configuration();
  const TimePoint now = clock_.Now();
  // Who signed it, and may they apply for this member?
  const std::vector<std::string> signer_issuers(
      signed_application.signer_certificate_chain().begin() + 1,
      signed_application.signer_certificate_chain().end());
  TRUC_ASSIGN_OR_RETURN(
      crypto::Certificate signer,
      CertificateFromApprovedCa(config, signed_application.signer_certificate_chain(0),
                                "the application's signer certificate", now, signer_issuers));
  TRUC_ASSIGN_OR_RETURN(ids::MemberId signer_member, pki::MemberIdFromSigningCertificate(signer));
  TRUC_ASSIGN_OR_RETURN(ids::MemberId applicant, ids::FromProto(application.member()));
  if (signer_member != applicant) {
    return PermissionDeniedError(fmt::format("an application for {} signed by {}",
                                             applicant.ToString(), signer_member.ToString()),
                                 "registry.wrong_signer");
  }
  const crypto::Signature signature{signed_application.signature().key_id(),
                                    signed_application.signature().value()};
  TRUC_RETURN_IF_ERROR(signer.public_key()
                           .Verify(signed_application.application(), signature)
                           .Annotate("the application's signature"));

  const std::string signer_der = signer.ToDer();
  bool signer_registered = false;
  if (const v1::Member* member = FindMember(config, application.member()); member != nullptr) {
    signer_registered =
        std::find(member->signing_certificates().begin(), member->signing_certificates().end(),
                  signer_der) != member->signing_certificates().end();
  }
  if (!application.signing_certificate().empty() && !signer_registered &&
      application.signing_certificate() != signer_der) {
    return PermissionDeniedError(
        "a new signing certificate must be signed with its own key (proof of possession) or with "
        "a signing certificate the member already has registered",
        "registry.wrong_signer");
  }
  // Validate now, so that a doomed application is refused at once.
  {
    v1::RegistryState trial;
    *trial.mutable_configuration() = config;
    TRUC_RETURN_IF_ERROR(ApplyApplication(trial, application));
  }

  const bool approve = signer_registered && options_.auto_approve_registered_members;
  v1::ApplicationRecord record;
  const StatusOr<uint64_t> version = Change([&](v1::RegistryState& state) -> Status {
    record.set_id(state.next_application_id());
    state.set_next_application_id(state.next_application_id() + 1);
    *record.mutable_signed_() = signed_application;
    record.set_state(approve ? v1::APPLICATION_STATE_APPROVED : v1::APPLICATION_STATE_PENDING);
    if (approve) {
      TRUC_RETURN_IF_ERROR(ApplyApplication(state, application));
      record.set_note("approved automatically: signed by a registered signing certificate");
    }
    *state.add_applications() = record;
    return OkStatus();
  });
  TRUC_RETURN_IF_ERROR(version.status());
  if (approve) record.set_version(*version);
  return record;
}

StatusOr<v1::ApplicationRecord> Registry::DecideApplication(uint64_t id, bool approve,
                                                            const std::string& note) {
  v1::ApplicationRecord result;
  const auto decide = [&](v1::RegistryState& state) -> Status {
    auto* records = state.mutable_applications();
    const auto record = std::find_if(records->begin(), records->end(),
                                     [&](const v1::ApplicationRecord& r) { return r.id() == id; });
    if (record == records->end()) {
      return NotFoundError(fmt::format("unknown application {}", id),
                           "registry.unknown_application");
    }
    if (record->state() != v1::APPLICATION_STATE_PENDING) {
      return FailedPreconditionError(fmt::format("application {} is not pending", id),
                                     "registry.not_pending");
    }
    if (approve) {
      v1::Application application;
      application.ParseFromString(record->signed_().application());
      TRUC_RETURN_IF_ERROR(ApplyApplication(state, application));
      record->set_version(state_.configuration().version() + 1);
    }
    record->set_state(approve ? v1::APPLICATION_STATE_APPROVED : v1::APPLICATION_STATE_REJECTED);
    record->set_note(note);
    result = *record;
    return OkStatus();
  };
  const StatusOr<uint64_t> version = Change(decide);
  if (!version.ok()) return version.status();
  return result;
}

StatusOr<v1::ApplicationRecord> Registry::ApproveApplication(uint64_t id, const std::string& note) {
  return DecideApplication(id, /*approve=*/true, note);
}

StatusOr<v1::ApplicationRecord> Registry::RejectApplication(uint64_t id, const std::string& note) {
  return DecideApplication(id, /*approve=*/false, note);
}

}  // namespace truc::registry
