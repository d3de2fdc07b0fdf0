#include "cli/gateway_commands.h"

#include <memory>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "cli/admin_client.h"
#include "cli/table.h"
#include <fmt/format.h>

#include "core/ids/id_proto.h"
#include "core/ids/identifiers.h"
#include "gateway/access/access_proto.h"
#include "gateway/access/access_rights.h"
#include "truc/v1/gateway_admin.grpc.pb.h"

namespace truc::cli {
namespace {

using gateway::access::AccessGrant;
using Stub = v1::GatewayAdmin::Stub;

// --- Access rights ---

struct GrantOptions {
  std::string service;
  std::string client;
  std::string group;
  std::string method;
  std::string path;
};

StatusOr<AccessGrant> GrantFrom(const GrantOptions& options) {
  TRUC_ASSIGN_OR_RETURN(ids::ServiceId service, ids::ServiceId::Parse(options.service));
  AccessGrant grant{.service = std::move(service), .subject = gateway::access::GroupCode{}};
  if (!options.client.empty()) {
    TRUC_ASSIGN_OR_RETURN(grant.subject, ids::SubsystemId::Parse(options.client));
  } else if (!options.group.empty()) {
    TRUC_RETURN_IF_ERROR(ids::ValidatePart(options.group, "--group"));
    grant.subject = gateway::access::GroupCode{options.group};
  } else {
    return InvalidArgumentError("name who the right is for with --client or --group",
                                "cli.bad_arguments");
  }
  if (!options.method.empty() || !options.path.empty()) {
    TRUC_ASSIGN_OR_RETURN(grant.endpoint, gateway::access::EndpointPattern::Parse(
                                              options.method.empty() ? "*" : options.method,
                                              options.path.empty() ? "/**" : options.path));
  }
  return grant;
}

// `access grant` and `access revoke`: `method` with the grant, described as "<done>: <grant>".
Status ChangeGrant(const GrantOptions& options, const ConnectionOptions& connection,
                   AdminMethod<Stub, v1::AccessGrant, google::protobuf::Empty> method,
                   std::string_view done, std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(AccessGrant grant, GrantFrom(options));
  return CallAndReport(
      connection, method, gateway::access::ToProto(grant),
      [&](const google::protobuf::Empty&) { return fmt::format("{}: {}", done, grant.ToString()); },
      out);
}

Status Grant(const GrantOptions& options, const ConnectionOptions& connection, std::ostream& out) {
  return ChangeGrant(options, connection, &Stub::GrantAccess, "granted", out);
}

Status Revoke(const GrantOptions& options, const ConnectionOptions& connection, std::ostream& out) {
  return ChangeGrant(options, connection, &Stub::RevokeAccess, "revoked", out);
}

struct ListOptions {
  std::string service;
};

// One row of `access list`: service, subject, endpoint. The grant comes from the gateway, which
// has checked it; anything unreadable is shown as such rather than refused.
std::vector<std::string> GrantRow(const v1::AccessGrant& message) {
  const StatusOr<AccessGrant> grant = gateway::access::FromProto(message);
  if (!grant.ok()) return {"?", "(unreadable grant)", grant.status().message()};
  return {grant->service.ToString(), gateway::access::Describe(grant->subject),
          grant->endpoint ? grant->endpoint->ToString() : "(whole service)"};
}

// The grants as a table with a header row, then a line for each disabled service.
std::string AccessTable(const v1::ListAccessResponse& response) {
  std::string text = "no access rights";
  if (!response.grants().empty()) {
    std::vector<std::vector<std::string>> rows = {{"SERVICE", "SUBJECT", "ENDPOINT"}};
    for (const v1::AccessGrant& grant : response.grants()) rows.push_back(GrantRow(grant));
    text = FormatTable(rows);
  }
  for (const v1::DisabledService& disabled : response.disabled_services()) {
    const StatusOr<ids::ServiceId> service = ids::FromProto(disabled.service());
    text += fmt::format("\ndisabled: {} ({})", service.ok() ? service->ToString() : "?",
                        disabled.notice().empty() ? "no notice" : disabled.notice());
  }
  return text;
}

Status List(const ListOptions& options, const ConnectionOptions& connection, std::ostream& out) {
  v1::ListAccessRequest request;
  if (!options.service.empty()) {
    TRUC_ASSIGN_OR_RETURN(ids::ServiceId service, ids::ServiceId::Parse(options.service));
    *request.mutable_service() = ids::ToProto(service);
  }
  return CallAndReport(connection, &Stub::ListAccess, request, AccessTable, out);
}

// --- Disabling services ---

struct ServiceOptions {
  std::string service;
  std::string notice;
};

// Reports "service SERVICE <done>".
auto ServiceChanged(const ids::ServiceId& service, std::string_view done) {
  return [what = fmt::format("service {} {}", service.ToString(), done)](
             const google::protobuf::Empty&) { return what; };
}

Status Disable(const ServiceOptions& options, const ConnectionOptions& connection,
               std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(ids::ServiceId service, ids::ServiceId::Parse(options.service));
  v1::DisabledService request;
  *request.mutable_service() = ids::ToProto(service);
  request.set_notice(options.notice);
  return CallAndReport(connection, &Stub::DisableService, request,
                       ServiceChanged(service, "disabled"), out);
}

Status Enable(const ServiceOptions& options, const ConnectionOptions& connection,
              std::ostream& out) {
  TRUC_ASSIGN_OR_RETURN(ids::ServiceId service, ids::ServiceId::Parse(options.service));
  v1::EnableServiceRequest request;
  *request.mutable_service() = ids::ToProto(service);
  return CallAndReport(connection, &Stub::EnableService, request,
                       ServiceChanged(service, "enabled"), out);
}

// --- Registration ---

CLI::Option* AddServiceOption(CLI::App& command, std::string& service) {
  return command.add_option("--service", service,
                            "Service id INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE[/VERSION]");
}

}  // namespace

void AddGatewayCommands(CLI::App& app, const Output& output, Status* result) {
  const AdminCommandContext context = AddAdminApi(
      app, "gateway", "Administer a gateway over its admin API (mutual TLS)", output, result);

  CLI::App* access = AddGroup(*context.api, "access", "Who may call the services it provides");
  for (const auto& [name, description, run] :
       {std::tuple{"grant", "Grant a client or group the right to call a service or endpoint",
                   &Grant},
        std::tuple{"revoke", "Revoke a right, named exactly as granted", &Revoke}}) {
    auto grant = std::make_shared<GrantOptions>();
    CLI::App* command = AddAdminCommand(*access, name, description, run, grant, context);
    AddServiceOption(*command, grant->service)->required();
    CLI::Option* client = command->add_option("--client", grant->client,
                                              "The client subsystem INSTANCE/CLASS/CODE/SUBSYSTEM");
    command->add_option("--group", grant->group, "Or a global group's code")->excludes(client);
    command->add_option("--method", grant->method,
                        "Only this HTTP method (default with --path: any, '*')");
    command->add_option("--path", grant->path,
                        "Only this path pattern: '/pets/*' one segment, '/pets/**' any depth "
                        "(default with --method: '/**')");
  }
  auto list = std::make_shared<ListOptions>();
  CLI::App* command = AddAdminCommand(*access, "list", "List the rights and disabled services",
                                      &List, list, context);
  AddServiceOption(*command, list->service);

  CLI::App* service = AddGroup(*context.api, "service", "Services it provides");
  auto disable = std::make_shared<ServiceOptions>();
  command = AddAdminCommand(*service, "disable", "Refuse every call of a service, with a notice",
                            &Disable, disable, context);
  AddServiceOption(*command, disable->service)->required();
  command->add_option("--notice", disable->notice,
                      "What callers are told, e.g. why and until when");
  auto enable = std::make_shared<ServiceOptions>();
  command = AddAdminCommand(*service, "enable", "Serve a disabled service again", &Enable, enable,
                            context);
  AddServiceOption(*command, enable->service)->required();
}

}  // namespace truc::cli
