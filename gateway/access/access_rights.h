// Who may call the services a gateway provides: access rights, checked on the provider's side.
//
// A right is granted on a service to a client subsystem or to a global group (every subsystem
// the federation's configuration lists in it), either for the whole service or for one endpoint
// of a REST service (an HTTP method and a path pattern, see rest_path.h). A request is let
// through when at least one right covers it; there are no denials to weigh against grants. An
// administrator may also disable a service, with a notice for its callers, without touching its
// rights.
//
// Rights live in a KeyValueStore (see docs/gateway-access-rights.md for the keys and records,
// all under "access/"). Every change is written with a synced write before it becomes visible,
// so a change that returned OK survives a crash, and a failed write changes nothing. Opening
// the same store again restores every grant and disabled service.
//
// Thread-safe. Checks read an immutable snapshot and never wait for a change being written;
// changes are serialized, and each copies the whole model (they are rare: administrators).
//
// AccessRights does not know which services this gateway provides nor which groups exist: the
// gateway answers Server.ServerProxy.UnknownService before asking, and group membership comes
// from the global configuration through the `in_group` callback of the checks.
#pragma once

#include <compare>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/base/status.h"
#include "core/ids/identifiers.h"
#include "core/storage/key_value_store.h"
#include "gateway/access/rest_path.h"

namespace truc::gateway::access {

// A global group of the federation, by its code (GlobalGroup.code in the global configuration).
struct GroupCode {
  std::string code;
  friend auto operator<=>(const GroupCode&, const GroupCode&) = default;
};

// Who a right is granted to.
using Subject = std::variant<ids::SubsystemId, GroupCode>;

// "client VN/GOV/000100/app" or "group students".
std::string Describe(const Subject& subject);

struct AccessGrant {
  ids::ServiceId service;
  Subject subject;
  // The endpoint the right is limited to; nullopt: the whole service.
  std::optional<EndpointPattern> endpoint;

  // "client VN/GOV/000100/app on GET /pets/* of VN/GOV/000200/vet/pets"; without an endpoint,
  // "client VN/GOV/000100/app on VN/GOV/000200/vet/pets".
  std::string ToString() const;

  friend auto operator<=>(const AccessGrant&, const AccessGrant&) = default;
};

struct DisabledService {
  ids::ServiceId service;
  std::string notice;  // What callers are told; may be empty.
  friend auto operator<=>(const DisabledService&, const DisabledService&) = default;
};

// What a client may call of one service, for the allowedMethods metaservice.
struct AllowedCalls {
  // Whether any right lets the client call the service (even on endpoints the service does not
  // declare).
  bool may_call = false;
  // Of the endpoints the service declares, those the client may call, in their declared order.
  std::vector<EndpointPattern> endpoints;
};

// Whether the client being checked belongs to the global group with this code.
using GroupMembership = std::function<bool(std::string_view group_code)>;

class AccessRights {
 public:
  // Loads the rights kept in `store`, which must outlive the result. kDataLoss, naming the key,
  // if a stored record is corrupt; the store's errors.
  static StatusOr<std::unique_ptr<AccessRights>> Open(storage::KeyValueStore& store);

  // Grants `grant`; granting what is already granted succeeds and writes nothing.
  // kInvalidArgument for a group code that is not a valid identifier part, or an endpoint that
  // EndpointPattern::Parse refuses; the store's errors (nothing changed).
  Status Grant(const AccessGrant& grant);
  // Revokes exactly `grant` (same service, subject and endpoint as written). kNotFound if it is
  // not granted; the store's errors (nothing changed). Revoking a whole-service grant leaves the
  // endpoint grants of the same subject in place, and the other way round.
  Status Revoke(const AccessGrant& grant);
  // Every grant, or those on `service`; ordered by service, then clients before groups, then
  // whole-service grants before endpoint grants.
  std::vector<AccessGrant> List(const std::optional<ids::ServiceId>& service = std::nullopt) const;

  // Disables `service`, whose callers are then told `notice`; replaces the notice of a service
  // already disabled. kInvalidArgument for a notice that is not UTF-8; the store's errors
  // (nothing changed).
  Status DisableService(const ids::ServiceId& service, std::string notice);
  // Enables `service` again; enabling an enabled service succeeds and writes nothing. The store's
  // errors (nothing changed).
  Status EnableService(const ids::ServiceId& service);
  // Every disabled service, or `service` alone if it is disabled; ordered by service.
  std::vector<DisabledService> ListDisabled(
      const std::optional<ids::ServiceId>& service = std::nullopt) const;

  // Whether `client` may call `method` on `path` of `service`. `in_group` is asked about the
  // groups that hold a right on the service (it must not call into this object). Returns:
  //   ServerProxyError(kAccessDenied), naming the client, the endpoint and the service, when no
  //     right covers the call;
  //   ServerProxyError(kServiceDisabled), with the notice, when one does but the service is
  //     disabled (so a client without rights learns nothing about the service);
  //   OK otherwise.
  Status Check(const ids::SubsystemId& client, const GroupMembership& in_group,
               const ids::ServiceId& service, std::string_view method,
               const NormalizedPath& path) const;

  // What `client` may call of `service`, which declares the endpoints `declared`: all of them
  // with a whole-service right, otherwise those covered (EndpointPattern::Covers) by an endpoint
  // right. Whether the service is disabled does not matter here. `in_group` as for Check.
  AllowedCalls Allowed(const ids::SubsystemId& client, const GroupMembership& in_group,
                       const ids::ServiceId& service,
                       std::span<const EndpointPattern> declared) const;

 private:
  struct State {
    std::map<ids::ServiceId, std::set<AccessGrant>> grants;  // No empty sets.
    std::map<ids::ServiceId, std::string> disabled;          // Service -> notice.
  };
  // Applies a change to a copy of the state, filling the batch with its writes; on success writes
  // the batch (unless empty) and only then publishes the copy. Returns mutate's error unchanged.
  using Mutation = std::function<Status(State&, storage::WriteBatch&)>;

  AccessRights(storage::KeyValueStore& store, std::shared_ptr<const State> state)
      : store_(store), state_(std::move(state)) {}

  std::shared_ptr<const State> Snapshot() const;
  Status Change(const Mutation& mutate);

  storage::KeyValueStore& store_;
  std::mutex change_mu_;  // Held through a whole change, write included.
  mutable std::mutex mu_;
  std::shared_ptr<const State> state_;  // Guarded by mu_; replaced, never modified.
};

}  // namespace truc::gateway::access
