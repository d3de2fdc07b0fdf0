#include "gateway/access/access_rights.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "core/base/utf8.h"
#include "core/ids/percent_encoding.h"
#include "gateway/access/access_proto.h"
#include "gateway/errors.h"

namespace truc::gateway::access {
namespace {

// The keys, as docs/gateway-access-rights.md describes them.
constexpr std::string_view kGrantPrefix = "access/grant/";
constexpr std::string_view kDisabledPrefix = "access/disabled/";

// "access/grant/SERVICE SUBJECT[ METHOD PATH]": no part can hold a space (ids and group codes are
// percent-encoded; methods are tokens and patterns have no raw spaces), so the key is unique.
std::string GrantKey(const AccessGrant& grant) {
  std::string key = fmt::format("{}{} ", kGrantPrefix, grant.service.ToString());
  if (const auto* client = std::get_if<ids::SubsystemId>(&grant.subject)) {
    key += "client:" + client->ToString();
  } else {
    key += "group:" + ids::PercentEncode(std::get<GroupCode>(grant.subject).code);
  }
  if (grant.endpoint) key += fmt::format(" {} {}", grant.endpoint->method, grant.endpoint->path);
  return key;
}

std::string DisabledKey(const ids::ServiceId& service) {
  return fmt::format("{}{}", kDisabledPrefix, service.ToString());
}

// Reads every record under `prefix` with `load`, which returns the record's key as it would
// write it. kDataLoss naming the key when a record does not parse or is filed under another key.
template <typename Message, typename Load>
Status LoadRecords(const storage::KeyValueStore& store, std::string_view prefix, const Load& load) {
  Status failure;
  const auto corrupt = [](std::string_view key, std::string_view why) {
    return DataLossError(fmt::format("access rights: the record '{}' {}", key, why),
                         "gateway.corrupt_access_rights");
  };
  TRUC_RETURN_IF_ERROR(store.Scan(prefix, "", [&](std::string_view key, std::string_view value) {
    Message message;
    if (!message.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      failure = corrupt(key, "does not parse");
      return false;
    }
    StatusOr<std::string> expected_key = load(message);
    if (!expected_key.ok()) {
      failure = corrupt(key, fmt::format("is invalid: {}", expected_key.status().message()));
    } else if (*expected_key != key) {
      failure = corrupt(key, fmt::format("belongs under the key '{}'", *expected_key));
    }
    return failure.ok();
  }));
  return failure;
}

bool Applies(const Subject& subject, const ids::SubsystemId& client,
             const GroupMembership& in_group) {
  if (const auto* granted = std::get_if<ids::SubsystemId>(&subject)) return *granted == client;
  return in_group(std::get<GroupCode>(subject).code);
}

}  // namespace

std::string Describe(const Subject& subject) {
  if (const auto* client = std::get_if<ids::SubsystemId>(&subject)) {
    return fmt::format("client {}", client->ToString());
  }
  return fmt::format("group {}", std::get<GroupCode>(subject).code);
}

std::string AccessGrant::ToString() const {
  if (!endpoint) return fmt::format("{} on {}", Describe(subject), service.ToString());
  return fmt::format("{} on {} of {}", Describe(subject), endpoint->ToString(), service.ToString());
}

StatusOr<std::unique_ptr<AccessRights>> AccessRights::Open(storage::KeyValueStore& store) {
  auto state = std::make_shared<State>();
  TRUC_RETURN_IF_ERROR(LoadRecords<v1::AccessGrant>(
      store, kGrantPrefix, [&](const v1::AccessGrant& message) -> StatusOr<std::string> {
        TRUC_ASSIGN_OR_RETURN(AccessGrant grant, FromProto(message));
        std::string key = GrantKey(grant);
        state->grants[grant.service].insert(std::move(grant));
        return key;
      }));
  TRUC_RETURN_IF_ERROR(LoadRecords<v1::DisabledService>(
      store, kDisabledPrefix, [&](const v1::DisabledService& message) -> StatusOr<std::string> {
        TRUC_ASSIGN_OR_RETURN(DisabledService disabled, FromProto(message));
        std::string key = DisabledKey(disabled.service);
        state->disabled[disabled.service] = std::move(disabled.notice);
        return key;
      }));
  return std::unique_ptr<AccessRights>(new AccessRights(store, std::move(state)));
}

std::shared_ptr<const AccessRights::State> AccessRights::Snapshot() const {
  std::lock_guard lock(mu_);
  return state_;
}

Status AccessRights::Change(const Mutation& mutate) {
  std::lock_guard change_lock(change_mu_);
  auto next = std::make_shared<State>(*Snapshot());
  storage::WriteBatch batch;
  TRUC_RETURN_IF_ERROR(mutate(*next, batch));
  if (batch.empty()) return OkStatus();
  TRUC_RETURN_IF_ERROR(
      store_.Write(batch, /*sync=*/true).Annotate("cannot save the access rights"));
  std::lock_guard lock(mu_);
  state_ = std::move(next);
  return OkStatus();
}

Status AccessRights::Grant(const AccessGrant& grant) {
  if (const auto* group = std::get_if<GroupCode>(&grant.subject)) {
    TRUC_RETURN_IF_ERROR(ValidateGroupCode(group->code));
  }
  if (grant.endpoint) {
    TRUC_RETURN_IF_ERROR(
        EndpointPattern::Parse(grant.endpoint->method, grant.endpoint->path).status());
  }
  return Change([&](State& state, storage::WriteBatch& batch) {
    if (state.grants[grant.service].insert(grant).second) {
      batch.Put(GrantKey(grant), ToProto(grant).SerializeAsString());
    }
    return OkStatus();
  });
}

Status AccessRights::Revoke(const AccessGrant& grant) {
  return Change([&](State& state, storage::WriteBatch& batch) {
    const auto service = state.grants.find(grant.service);
    if (service == state.grants.end() || service->second.erase(grant) == 0) {
      return NotFoundError(fmt::format("there is no grant to {}", grant.ToString()),
                           "gateway.no_such_grant");
    }
    if (service->second.empty()) state.grants.erase(service);
    batch.Delete(GrantKey(grant));
    return OkStatus();
  });
}

std::vector<AccessGrant> AccessRights::List(const std::optional<ids::ServiceId>& service) const {
  const std::shared_ptr<const State> state = Snapshot();
  std::vector<AccessGrant> grants;
  for (const auto& [id, granted] : state->grants) {
    if (!service || id == *service) grants.insert(grants.end(), granted.begin(), granted.end());
  }
  return grants;
}

Status AccessRights::DisableService(const ids::ServiceId& service, std::string notice) {
  if (!IsValidUtf8(notice)) {
    return InvalidArgumentError("notice: the notice is not UTF-8", "gateway.bad_notice");
  }
  return Change([&](State& state, storage::WriteBatch& batch) {
    state.disabled[service] = notice;
    batch.Put(DisabledKey(service),
              ToProto(DisabledService{.service = service, .notice = notice}).SerializeAsString());
    return OkStatus();
  });
}

Status AccessRights::EnableService(const ids::ServiceId& service) {
  return Change([&](State& state, storage::WriteBatch& batch) {
    if (state.disabled.erase(service) != 0) batch.Delete(DisabledKey(service));
    return OkStatus();
  });
}

std::vector<DisabledService> AccessRights::ListDisabled(
    const std::optional<ids::ServiceId>& service) const {
  const std::shared_ptr<const State> state = Snapshot();
  std::vector<DisabledService> disabled;
  for (const auto& [id, notice] : state->disabled) {
    if (!service || id == *service) disabled.push_back({.service = id, .notice = notice});
  }
  return disabled;
}

Status AccessRights::Check(const ids::SubsystemId& client, const GroupMembership& in_group,
                           const ids::ServiceId& service, std::string_view method,
                           const NormalizedPath& path) const {
  const std::shared_ptr<const State> state = Snapshot();
  const auto granted = state->grants.find(service);
  const bool allowed =
      granted != state->grants.end() &&
      std::any_of(granted->second.begin(), granted->second.end(), [&](const AccessGrant& grant) {
        return (!grant.endpoint || grant.endpoint->Matches(method, path)) &&
               Applies(grant.subject, client, in_group);
      });
  if (!allowed) {
    return ServerProxyError(
        error_code::kAccessDenied,
        fmt::format("client {} may not call {} {} of service {}", client.ToString(), method,
                    path.forward, service.ToString()));
  }
  if (const auto disabled = state->disabled.find(service); disabled != state->disabled.end()) {
    const std::string& notice = disabled->second;
    return ServerProxyError(
        error_code::kServiceDisabled,
        notice.empty() ? fmt::format("service {} is disabled", service.ToString())
                       : fmt::format("service {} is disabled: {}", service.ToString(), notice));
  }
  return OkStatus();
}

AllowedCalls AccessRights::Allowed(const ids::SubsystemId& client, const GroupMembership& in_group,
                                   const ids::ServiceId& service,
                                   std::span<const EndpointPattern> declared) const {
  const std::shared_ptr<const State> state = Snapshot();
  AllowedCalls allowed;
  const auto granted = state->grants.find(service);
  if (granted == state->grants.end()) return allowed;
  std::vector<const EndpointPattern*> patterns;
  for (const AccessGrant& grant : granted->second) {
    if (!Applies(grant.subject, client, in_group)) continue;
    allowed.may_call = true;
    if (!grant.endpoint) {
      allowed.endpoints.assign(declared.begin(), declared.end());
      return allowed;
    }
    patterns.push_back(&*grant.endpoint);
  }
  for (const EndpointPattern& endpoint : declared) {
    if (std::any_of(patterns.begin(), patterns.end(),
                    [&](const EndpointPattern* pattern) { return pattern->Covers(endpoint); })) {
      allowed.endpoints.push_back(endpoint);
    }
  }
  return allowed;
}

}  // namespace truc::gateway::access
