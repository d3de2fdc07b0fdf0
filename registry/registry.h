// The federation's model and the rules for changing it: members, subsystems, gateways, signing
// certificates, approved CAs and TSAs, revocations, global groups and the service catalog.
//
// The whole model is one RegistryState record in a KeyValueStore. Every accepted change is
// validated against the current state, written with the next configuration version in one synced
// write, and only then becomes visible: a crash or a full disk loses nothing acknowledged and
// leaves no half-applied change. A refused change leaves everything as it was. Changes are rare
// (administrators), so they are serialized by a mutex; reads take a consistent copy.
//
// Errors: kInvalidArgument (malformed id or certificate, wrong instance), kNotFound (unknown
// member, subsystem, service, group, application), kAlreadyExists (duplicate code, certificate,
// member of a group), kFailedPrecondition (a certificate not from an approved CA, an application
// that is not pending), kUnauthenticated (an application whose signature does not verify), and
// the store's errors. Messages name the offending entity.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/base/clock.h"
#include "core/base/status.h"
#include "core/storage/key_value_store.h"
#include "truc/v1/registry.pb.h"

namespace truc::registry {

struct RegistryOptions {
  // The federation instance this registry serves ("VN"); every identifier must belong to it.
  std::string instance;
  // How long a configuration version stays valid after it is issued.
  std::chrono::seconds configuration_validity{std::chrono::hours(24)};
  // Approve applications signed with a signing certificate the member already has registered.
  bool auto_approve_registered_members = true;
};

// Thread-safe.
class Registry {
 public:
  // Loads the state from `store` (or starts empty). `store` and `clock` must outlive the registry.
  static StatusOr<std::unique_ptr<Registry>> Open(storage::KeyValueStore& store,
                                                  RegistryOptions options, const Clock& clock);

  // Each returns the configuration version that includes the change.
  StatusOr<uint64_t> RegisterMember(const v1::RegisterMemberRequest& request);
  StatusOr<uint64_t> RegisterSubsystem(const v1::RegisterSubsystemRequest& request);
  StatusOr<uint64_t> AddApprovedCa(const std::string& certificate_der);
  StatusOr<uint64_t> AddApprovedTsa(const std::string& certificate_der);
  StatusOr<uint64_t> RevokeCertificate(const v1::RevokeCertificateRequest& request);
  StatusOr<uint64_t> PublishService(const v1::ServiceDescription& service);
  StatusOr<uint64_t> WithdrawService(const v1::ServiceId& id);
  StatusOr<uint64_t> CreateGroup(const v1::GroupRequest& request);
  StatusOr<uint64_t> AddGroupMember(const v1::GroupMemberRequest& request);
  StatusOr<uint64_t> RemoveGroupMember(const v1::GroupMemberRequest& request);

  // Records an application; applies it at once when auto-approval allows.
  StatusOr<v1::ApplicationRecord> SubmitApplication(const v1::SignedApplication& application);
  StatusOr<v1::ApplicationRecord> ApproveApplication(uint64_t id, const std::string& note);
  StatusOr<v1::ApplicationRecord> RejectApplication(uint64_t id, const std::string& note);
  std::vector<v1::ApplicationRecord> ListApplications(bool pending_only) const;

  // Issues a new version of unchanged content with a fresh expiry, so that gateways keep a valid
  // configuration while nothing changes.
  StatusOr<uint64_t> Reissue();

  // The current configuration (version, issue and expiry times included).
  v1::GlobalConfiguration Configuration() const;

  // Called after every committed change, outside the registry's lock, with the new
  // configuration. Set before any change is made.
  void OnChange(std::function<void(const v1::GlobalConfiguration&)> listener);

 private:
  Registry(storage::KeyValueStore& store, RegistryOptions options, const Clock& clock,
           v1::RegistryState state)
      : store_(store), options_(std::move(options)), clock_(clock), state_(std::move(state)) {}

  // Applies `mutate` to a copy of the state; if it succeeds, bumps the version, persists the copy
  // and makes it current.
  StatusOr<uint64_t> Change(const std::function<Status(v1::RegistryState&)>& mutate);
  Status ApplyApplication(v1::RegistryState& state, const v1::Application& application) const;
  // Approves (applying it) or rejects a pending application.
  StatusOr<v1::ApplicationRecord> DecideApplication(uint64_t id, bool approve,
                                                    const std::string& note);

  storage::KeyValueStore& store_;
  const RegistryOptions options_;
  const Clock& clock_;
  std::function<void(const v1::GlobalConfiguration&)> listener_;
  mutable std::mutex mu_;
  v1::RegistryState state_;  // Guarded by mu_.
};

}  // namespace truc::registry
